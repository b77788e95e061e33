package net.l2sec.benchmarks;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import net.l2sec.dataplane.ike.keymat.DhGroup;
import net.l2sec.dataplane.ike.keymat.DiffieHellman;
import net.l2sec.dataplane.ike.keymat.IkeCipher;
import net.l2sec.dataplane.ike.keymat.IkeHash;
import net.l2sec.dataplane.ike.keymat.Keymat;
import net.l2sec.dataplane.ike.message.Attribute;
import net.l2sec.dataplane.ike.message.AuthenticationMethod;
import net.l2sec.dataplane.ike.message.Doi;
import net.l2sec.dataplane.ike.message.ExchangeType;
import net.l2sec.dataplane.ike.message.IdType;
import net.l2sec.dataplane.ike.message.IkeDecodeException;
import net.l2sec.dataplane.ike.message.IsakmpCodec;
import net.l2sec.dataplane.ike.message.IsakmpHeader;
import net.l2sec.dataplane.ike.message.IsakmpTransformId;
import net.l2sec.dataplane.ike.message.LifeType;
import net.l2sec.dataplane.ike.message.Payload;
import net.l2sec.dataplane.ike.message.PayloadChain;
import net.l2sec.dataplane.ike.message.Phase1Attribute;
import net.l2sec.dataplane.ike.message.ProtocolId;

/**
 * The initiator's half of one Main Mode with pre-shared key (RFC 2409 sections 5 and 5.4), as a Windows client
 * behind NAT sends it: the same vendor IDs, messages 1 and 3 from UDP/500, message 5 from UDP/4500. Built on the
 * dataplane's public codec ({@code ike.message}) and key material ({@code ike.keymat}) only. It checks what a
 * client must to finish (the cookies, HASH_R) and nothing else: a load generator, not a conformance test.
 */
public final class MainModeInitiator {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final HexFormat HEX = HexFormat.of();
    /** The vendor IDs of a Windows client: MS NT5 ISAKMPOAKLEY, RFC 3947, draft-02\n NAT-T, fragmentation, DPD. */
    private static final List<byte[]> VENDOR_IDS = List.of(HEX.parseHex("1e2b516905991c7d7c96fcbfb587e461"),
            HEX.parseHex("4a131c81070358455c5728f20e95452f"), HEX.parseHex("90cb80913ebb696e086381b5ec427b1f"),
            HEX.parseHex("4048b7d56ebce88525e7de7f00d6c2d3"), HEX.parseHex("afcad71368a1f1c96b8696fc77570100"));
    private static final Payload.Id MY_ID = new Payload.Id(IdType.ID_IPV4_ADDR, 17, 500, new byte[] {10, 0, 2, 15});

    private final InetSocketAddress addr500;
    private final InetSocketAddress addr4500;
    private final IkeCipher cipher;
    private final int keyBits;
    private final IkeHash hash;
    private final DhGroup group;
    private final byte[] psk;
    private final long ckyI = RANDOM.nextLong() | 1;
    private long ckyR;
    private byte[] saiB, gxi, gxr, ni;
    private DiffieHellman dh;
    private Keymat keymat;

    public MainModeInitiator(InetSocketAddress addr500, InetSocketAddress addr4500, IkeCipher cipher, int keyBits,
                             IkeHash hash, DhGroup group, byte[] psk) {
        this.addr500 = addr500;
        this.addr4500 = addr4500;
        this.cipher = cipher;
        this.keyBits = keyBits;
        this.hash = hash;
        this.group = group;
        this.psk = psk;
    }

    /** Where messages 1 and 3 come from. */
    public InetSocketAddress addr500() {
        return addr500;
    }

    /** Where message 5 comes from: the client floated to NAT-T's port. */
    public InetSocketAddress addr4500() {
        return addr4500;
    }

    /** The cookies of the ISAKMP SA, as Delete payloads name it. */
    public byte[] cookies() {
        return ByteBuffer.allocate(16).putLong(ckyI).putLong(ckyR).array();
    }

    /** Message 1: one proposal with one transform, and the vendor IDs. */
    public byte[] message1() {
        Attribute[] a = {Attribute.of(Phase1Attribute.ENCRYPTION_ALGORITHM.code(), cipher.code()),
                Attribute.of(Phase1Attribute.KEY_LENGTH.code(), keyBits),
                Attribute.of(Phase1Attribute.HASH_ALGORITHM.code(), hash.code()),
                Attribute.of(Phase1Attribute.AUTHENTICATION_METHOD.code(), AuthenticationMethod.PRE_SHARED_KEY.code()),
                Attribute.of(Phase1Attribute.GROUP_DESCRIPTION.code(), group.code()),
                Attribute.of(Phase1Attribute.LIFE_TYPE.code(), LifeType.SECONDS.code()),
                Attribute.of(Phase1Attribute.LIFE_DURATION.code(), 28800)};
        List<Attribute> attributes = cipher == IkeCipher.AES_CBC ? List.of(a)
                : List.of(a[0], a[2], a[3], a[4], a[5], a[6]);
        Payload.Sa sa = new Payload.Sa(Doi.IPSEC, Payload.SIT_IDENTITY_ONLY, List.of(new Payload.Proposal(1,
                ProtocolId.PROTO_ISAKMP, new byte[0], List.of(new Payload.Transform(1, IsakmpTransformId.KEY_IKE.code(),
                        attributes)))));
        saiB = body(sa);
        List<Payload> payloads = new ArrayList<>(List.of(sa));
        for (byte[] vid : VENDOR_IDS) payloads.add(new Payload.VendorId(vid));
        return IsakmpCodec.encode(header(), payloads);
    }

    /** Message 2: the responder's cookie. */
    public void message2(byte[] msg) throws IkeDecodeException {
        IsakmpHeader h = IsakmpCodec.decodeHeader(msg);
        if (h.initiatorCookie() != ckyI) throw new IllegalStateException("message 2 of another SA");
        ckyR = h.responderCookie();
        IsakmpCodec.decodePayloads(h, msg);
    }

    /** Message 3: our DH half, a nonce, and NAT-D payloads. */
    public byte[] message3() {
        dh = DiffieHellman.generate(group);
        gxi = dh.publicValue();
        ni = new byte[20];
        RANDOM.nextBytes(ni);
        keymat = new Keymat(hash, cipher, keyBits, ckyI, ckyR);
        return IsakmpCodec.encode(header(), List.of(new Payload.Ke(gxi), new Payload.Nonce(ni),
                new Payload.NatD(false, new byte[hash.length()]), new Payload.NatD(false, new byte[hash.length()])));
    }

    /** Message 4: the responder's DH half and nonce; the phase-1 keys. */
    public void message4(byte[] msg) throws IkeDecodeException, GeneralSecurityException {
        PayloadChain c = IsakmpCodec.decodePayloads(IsakmpCodec.decodeHeader(msg), msg);
        gxr = c.first(Payload.Ke.class).data();
        byte[] nr = c.first(Payload.Nonce.class).data();
        keymat.derivePreSharedKey(psk, ni, nr, dh.sharedSecret(gxr));
        keymat.initPhase1Iv(gxi, gxr);
    }

    /** Message 5: our ID and HASH_I, encrypted. */
    public byte[] message5() {
        List<Payload> payloads = List.of(MY_ID, new Payload.Hash(keymat.hashI(gxi, gxr, saiB, body(MY_ID))));
        byte[] plain = IsakmpCodec.encodePayloads(payloads);
        return IsakmpCodec.encodeMessage(new IsakmpHeader(ckyI, ckyR, payloads.get(0).type(), IsakmpHeader.VERSION_1_0,
                ExchangeType.IDENTITY_PROTECTION, IsakmpHeader.ENCRYPTED, 0, 0), keymat.encrypt(0, plain));
    }

    /** Message 6: the responder's ID and HASH_R, which must be right; phase 1 is then complete. */
    public void message6(byte[] msg) throws IkeDecodeException, GeneralSecurityException {
        IsakmpHeader h = IsakmpCodec.decodeHeader(msg);
        byte[] plain = keymat.decrypt(0, Arrays.copyOfRange(msg, IsakmpHeader.LENGTH, msg.length));
        PayloadChain c = IsakmpCodec.decodePayloads(h.nextPayload(), plain, 0, plain.length, true);
        byte[] expected = keymat.hashR(gxi, gxr, saiB, c.body(Payload.Id.class));
        if (!MessageDigest.isEqual(expected, c.first(Payload.Hash.class).data())) throw new IllegalStateException("HASH_R");
        keymat.completePhase1();
    }

    private IsakmpHeader header() {
        return new IsakmpHeader(ckyI, ckyR, 0, IsakmpHeader.VERSION_1_0, ExchangeType.IDENTITY_PROTECTION, 0, 0, 0);
    }

    private static byte[] body(Payload p) {
        byte[] e = IsakmpCodec.encodePayloads(List.of(p));
        return Arrays.copyOfRange(e, 4, e.length);
    }
}
