package net.l2sec.loadgen.ike;

import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;
import net.l2sec.dataplane.ike.NatTraversal;
import net.l2sec.dataplane.ike.keymat.DiffieHellman;
import net.l2sec.dataplane.ike.keymat.IkeCipher;
import net.l2sec.dataplane.ike.keymat.Keymat;
import net.l2sec.dataplane.ike.message.Attribute;
import net.l2sec.dataplane.ike.message.AuthenticationMethod;
import net.l2sec.dataplane.ike.message.Doi;
import net.l2sec.dataplane.ike.message.ExchangeType;
import net.l2sec.dataplane.ike.message.IdType;
import net.l2sec.dataplane.ike.message.IkeDecodeException;
import net.l2sec.dataplane.ike.message.IsakmpCodec;
import net.l2sec.dataplane.ike.message.IsakmpHeader;
import net.l2sec.dataplane.ike.message.LifeType;
import net.l2sec.dataplane.ike.message.Payload;
import net.l2sec.dataplane.ike.message.PayloadChain;
import net.l2sec.dataplane.ike.message.Phase1Attribute;
import net.l2sec.dataplane.ike.message.ProtocolId;

/**
 * Main Mode with a pre-shared key, initiator side (RFC 2409 section 5.4), with NAT-T (RFC 3947): the vendor ID in
 * message 1, NAT-D in messages 3 and 4, and the move to UDP/4500 for message 5 when a NAT was detected.
 * <pre>
 *  HDR, SA, VID(RFC 3947), VID(DPD)         -->
 *                                      <--  HDR, SA, VID
 *  HDR, KE, Ni, NAT-D, NAT-D                -->
 *                                      <--  HDR, KE, Nr, NAT-D, NAT-D
 *  HDR*, IDii, HASH_I                       -->   (UDP/4500)
 *                                      <--  HDR*, IDir, HASH_R
 * </pre>
 * Each method takes one message and returns what to send next; failures are {@link IkeFailure}s with the reason
 * a progress line shows. The Diffie-Hellman work is done by the caller (off the event loop).
 */
final class MainMode {
    enum State { MESSAGE_1_SENT, MESSAGE_3_SENT, MESSAGE_5_SENT, DONE }

    private final IkeSa sa;
    private final byte[] psk;
    private final boolean pretendNat;
    private final RandomGenerator random;
    private State state = State.MESSAGE_1_SENT;
    private byte[] saiB;
    private DiffieHellman dh;
    private byte[] gxi, gxr, ni, nr;

    MainMode(IkeSa sa, byte[] psk, boolean pretendNat, RandomGenerator random) {
        this.sa = sa;
        this.psk = psk;
        this.pretendNat = pretendNat;
        this.random = random;
    }

    State state() {
        return state;
    }

    /** Message 1: our one transform, the RFC 3947 and DPD vendor IDs. */
    byte[] message1() {
        IkeProposal p = sa.proposal;
        List<Attribute> a = new ArrayList<>();
        a.add(Attribute.of(Phase1Attribute.ENCRYPTION_ALGORITHM.code(), p.cipher().code()));
        if (p.cipher() == IkeCipher.AES_CBC) a.add(Attribute.of(Phase1Attribute.KEY_LENGTH.code(), p.keyBits()));
        a.add(Attribute.of(Phase1Attribute.HASH_ALGORITHM.code(), p.hash().code()));
        a.add(Attribute.of(Phase1Attribute.AUTHENTICATION_METHOD.code(), AuthenticationMethod.PRE_SHARED_KEY.code()));
        a.add(Attribute.of(Phase1Attribute.GROUP_DESCRIPTION.code(), p.group().code()));
        a.add(Attribute.of(Phase1Attribute.LIFE_TYPE.code(), LifeType.SECONDS.code()));
        a.add(Attribute.of(Phase1Attribute.LIFE_DURATION.code(), 28_800));
        Payload.Sa offer = new Payload.Sa(Doi.IPSEC.code(), 1, List.of(new Payload.Proposal(1,
                ProtocolId.PROTO_ISAKMP.code(), new byte[0], List.of(new Payload.Transform(1, 1, a)))));
        saiB = body(offer);
        return IsakmpCodec.encode(sa.header(ExchangeType.IDENTITY_PROTECTION, 0, 0), List.of(offer,
                new Payload.VendorId(NatTraversal.rfc3947VendorId()), new Payload.VendorId(NatTraversal.dpdVendorId())));
    }

    /** The Diffie-Hellman pair, made off the event loop before message 3 is needed. */
    void keyPair(DiffieHellman pair) {
        this.dh = pair;
    }

    /** Message 2: the responder's cookie, the transform it chose (must be ours) and its vendor IDs; message 3 back. */
    byte[] message2(IsakmpHeader h, byte[] msg) throws IkeFailure, IkeDecodeException {
        PayloadChain c = IsakmpCodec.decodePayloads(h, msg);
        Payload.Sa chosen = c.first(Payload.Sa.class);
        if (chosen == null || chosen.proposals().size() != 1 || chosen.proposals().get(0).transforms().size() != 1) {
            throw new IkeFailure("bad_proposal");
        }
        Payload.Transform t = chosen.proposals().get(0).transforms().get(0);
        if (!same(t, Phase1Attribute.ENCRYPTION_ALGORITHM, sa.proposal.cipher().code())
                || !same(t, Phase1Attribute.HASH_ALGORITHM, sa.proposal.hash().code())
                || !same(t, Phase1Attribute.GROUP_DESCRIPTION, sa.proposal.group().code())) {
            throw new IkeFailure("bad_proposal");
        }
        sa.ckyR = h.responderCookie();
        sa.natT = c.all(Payload.VendorId.class).stream().anyMatch(v -> NatTraversal.isRfc3947(v.data()));
        gxi = dh.publicValue();
        ni = new byte[32];
        random.nextBytes(ni);
        sa.keymat = new Keymat(sa.proposal.hash(), sa.proposal.cipher(), sa.proposal.keyBits(), sa.ckyI, sa.ckyR);
        List<Payload> out = new ArrayList<>(List.of(new Payload.Ke(gxi), new Payload.Nonce(ni)));
        if (sa.natT) {
            // RFC 3947 section 3.2: first the hash of the remote end (the server as we dial it), then our own
            byte[] ours = natD(sa.local);
            if (pretendNat) random.nextBytes(ours);
            out.add(new Payload.NatD(false, natD(sa.server)));
            out.add(new Payload.NatD(false, ours));
        }
        state = State.MESSAGE_3_SENT;
        return IsakmpCodec.encode(sa.header(ExchangeType.IDENTITY_PROTECTION, 0, 0), out);
    }

    /** What message 4 carries: the responder's public value and nonce, and whether a NAT lies between us. */
    record Message4(byte[] gxr, byte[] nr, boolean natDetected) {}

    /**
     * Message 4, or null for a repeated message 2 (with its SA payload): the responder resends message 2 when our
     * message 1 was retransmitted while it was busy, and that copy may arrive after we sent message 3.
     */
    Message4 message4(IsakmpHeader h, byte[] msg) throws IkeFailure, IkeDecodeException {
        PayloadChain c = IsakmpCodec.decodePayloads(h, msg);
        if (c.first(Payload.Sa.class) != null && c.first(Payload.Ke.class) == null) return null;
        Payload.Ke ke = c.first(Payload.Ke.class);
        Payload.Nonce nonce = c.first(Payload.Nonce.class);
        if (ke == null || nonce == null) throw new IkeFailure("bad_message_4");
        List<Payload.NatD> natd = c.all(Payload.NatD.class);
        boolean nat = pretendNat;
        if (natd.size() >= 2) {
            // the first is our address as the responder saw it, the others its own (section 3.2)
            if (!MessageDigest.isEqual(natd.get(0).hash(), natD(sa.local))) nat = true;
            boolean serverMatches = false;
            for (int i = 1; i < natd.size(); i++) serverMatches |= MessageDigest.isEqual(natd.get(i).hash(), natD(sa.server));
            if (!serverMatches) nat = true;
        }
        return new Message4(ke.data(), nonce.data(), nat);
    }

    /** With the shared secret computed: derive the keys, move to UDP/4500, and build message 5. */
    byte[] message5(Message4 m4, byte[] gxy) {
        gxr = m4.gxr();
        nr = m4.nr();
        sa.keymat.derivePreSharedKey(psk, ni, nr, gxy);
        Arrays.fill(gxy, (byte) 0);
        sa.keymat.initPhase1Iv(gxi, gxr);
        sa.floated = true;
        // Windows sends its IP address with UDP/500 as identity; no INITIAL-CONTACT: clients behind one NAT would
        // share an identity, and a server that honours INITIAL-CONTACT would drop the others' SAs
        Payload.Id idii = new Payload.Id(IdType.ID_IPV4_ADDR.code(), 17, 500, sa.inner.getAddress());
        byte[] hashI = sa.keymat.hashI(gxi, gxr, saiB, body(idii));
        state = State.MESSAGE_5_SENT;
        return sa.protect(ExchangeType.IDENTITY_PROTECTION, 0, List.of(idii, new Payload.Hash(hashI)));
    }

    /** Message 6: HASH_R proves the responder knows the key; phase 1 is complete. */
    void message6(IsakmpHeader h, byte[] msg) throws IkeFailure {
        byte[] body = IkeSa.body(h, msg);
        PayloadChain c;
        try {
            c = sa.decrypt(h, body);
        } catch (GeneralSecurityException | IkeDecodeException e) {
            throw new IkeFailure("auth_failed");   // garbage after decryption: the keys differ, i.e. the PSK
        }
        Payload.Hash hash = c.first(Payload.Hash.class);
        byte[] idir = c.body(Payload.Id.class);
        if (hash == null || idir == null
                || !MessageDigest.isEqual(hash.data(), sa.keymat.hashR(gxi, gxr, saiB, idir))) {
            throw new IkeFailure("auth_failed");
        }
        sa.keymat.authentic(0, body);
        sa.keymat.completePhase1();
        sa.established = true;
        state = State.DONE;
    }

    private byte[] natD(InetSocketAddress a) {
        return NatTraversal.natDHash(sa.proposal.hash(), sa.cookies(), a);
    }

    private static boolean same(Payload.Transform t, Phase1Attribute type, long value) {
        Attribute a = t.attribute(type.code());
        return a != null && a.longValue() == value;
    }

    static byte[] body(Payload p) {
        byte[] e = IsakmpCodec.encodePayloads(List.of(p));
        return Arrays.copyOfRange(e, 4, e.length);
    }
}
