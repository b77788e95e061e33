package net.l2sec.dataplane.ikev2;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.l2sec.dataplane.ike.keymat.DhGroup;
import net.l2sec.dataplane.ike.keymat.DiffieHellman;
import net.l2sec.dataplane.ikev2.keymat.EncryptedPayloadProtection;
import net.l2sec.dataplane.ikev2.keymat.EncryptionAlgorithm;
import net.l2sec.dataplane.ikev2.keymat.IkeSaKeys;
import net.l2sec.dataplane.ikev2.keymat.IntegrityAlgorithm;
import net.l2sec.dataplane.ikev2.keymat.PrfAlgorithm;
import net.l2sec.dataplane.ikev2.message.ExchangeType;
import net.l2sec.dataplane.ikev2.message.Ikev2Codec;
import net.l2sec.dataplane.ikev2.message.Ikev2Header;
import net.l2sec.dataplane.ikev2.message.NotifyType;
import net.l2sec.dataplane.ikev2.message.Payload;
import net.l2sec.dataplane.ikev2.message.Payload.Auth;
import net.l2sec.dataplane.ikev2.message.Payload.Config;
import net.l2sec.dataplane.ikev2.message.Payload.ConfigAttribute;
import net.l2sec.dataplane.ikev2.message.Payload.Identification;
import net.l2sec.dataplane.ikev2.message.Payload.Notify;
import net.l2sec.dataplane.ikev2.message.Payload.Proposal;
import net.l2sec.dataplane.ikev2.message.Payload.Sa;
import net.l2sec.dataplane.ikev2.message.Payload.TrafficSelector;
import net.l2sec.dataplane.ikev2.message.Payload.TrafficSelectors;
import net.l2sec.dataplane.ikev2.message.Payload.Transform;
import net.l2sec.spi.auth.MsChapV2;

/**
 * A minimal IKEv2 initiator for tests: IKE_SA_INIT, IKE_AUTH with EAP-MSCHAPv2 (draft-kamath-pppext-eap-mschapv2
 * as strongSwan's client speaks it), then requests of any exchange, with its own view of the keys. Written from
 * RFC 7296, independently of the responder's exchange classes (it shares only the codec and the keying).
 */
final class Ikev2TestClient {
    final SecureRandom random = new SecureRandom();
    final long spii;
    long spir;
    final InetSocketAddress address;
    EncryptionAlgorithm cipher = EncryptionAlgorithm.ENCR_AES_CBC;
    int keyBits = 256;
    PrfAlgorithm prf = PrfAlgorithm.HMAC_SHA2_256;
    IntegrityAlgorithm integrity = IntegrityAlgorithm.HMAC_SHA2_256_128;
    DhGroup group = DhGroup.ECP256;
    byte[] ni = new byte[32];
    byte[] nr;
    byte[] initRequest;
    byte[] initResponse;
    IkeSaKeys keys;
    EncryptedPayloadProtection.Pair protection;
    int nextMessageId = 1;
    byte[] cookie;
    Identification idi = new Identification(true, Identification.ID_IPV4_ADDR, new byte[] {10, 0, 2, 15});
    Identification idr;
    X509Certificate serverCertificate;
    byte[] msk;
    int childSpi;
    DiffieHellman dh;

    Ikev2TestClient(InetSocketAddress address) {
        this.address = address;
        this.spii = random.nextLong() | 1;
        random.nextBytes(ni);
    }

    /** The IKE_SA_INIT request (with the COOKIE when one was asked). */
    byte[] initRequest() {
        dh = DiffieHellman.generate(group);
        List<Payload> p = new ArrayList<>();
        if (cookie != null) p.add(Notify.of(NotifyType.COOKIE, cookie));
        p.add(ikeProposal(new byte[0]));
        p.add(new Payload.Ke(group.code(), dh.publicValue()));
        p.add(new Payload.Nonce(ni));
        p.add(Notify.of(NotifyType.NAT_DETECTION_SOURCE_IP, new byte[20]));
        p.add(Notify.of(NotifyType.NAT_DETECTION_DESTINATION_IP, new byte[20]));
        p.add(Notify.of(NotifyType.IKEV2_FRAGMENTATION_SUPPORTED));
        p.add(Notify.of(NotifyType.SIGNATURE_HASH_ALGORITHMS, new byte[] {0, 2, 0, 3, 0, 4}));
        initRequest = Ikev2Codec.encode(new Ikev2Header(spii, 0, 0, ExchangeType.IKE_SA_INIT.code(), Ikev2Header.INITIATOR, 0, 0), p);
        return initRequest;
    }

    Sa ikeProposal(byte[] spi) {
        List<Transform> t = new ArrayList<>();
        t.add(new Transform(Transform.ENCR, cipher.code(), cipher.fixedKeyBits() == 0 ? keyBits : 0));
        t.add(new Transform(Transform.PRF, prf.code(), 0));
        if (!cipher.aead()) t.add(new Transform(Transform.INTEG, integrity.code(), 0));
        t.add(new Transform(Transform.DH, group.code(), 0));
        return new Sa(List.of(new Proposal(1, Proposal.IKE, spi, t)));
    }

    /** The responder's IKE_SA_INIT response: a COOKIE or INVALID_KE to retry with, or the keys. */
    List<Payload> initResponse(byte[] m) throws Exception {
        Ikev2Codec.Message msg = Ikev2Codec.decode(m);
        for (Payload p : msg.payloads()) {
            if (p instanceof Notify n && n.notifyType() == NotifyType.COOKIE) {
                cookie = n.data();
                return msg.payloads();
            }
            if (p instanceof Notify n && n.error()) return msg.payloads();
        }
        initResponse = m;
        spir = msg.header().responderSpi();
        Payload.Ke ke = msg.first(Payload.Ke.class).orElseThrow();
        nr = msg.first(Payload.Nonce.class).orElseThrow().data();
        byte[] secret = dh.sharedSecret(ke.data());
        keys = IkeSaKeys.derive(prf, cipher.aead() ? null : integrity, cipher, keyBits, IkeSaKeys.skeyseed(prf, ni, nr, secret),
                ni, nr, spii, spir);
        protection = EncryptedPayloadProtection.Pair.initiator(keys, cipher, keyBits, cipher.aead() ? null : integrity, random);
        return msg.payloads();
    }

    /** The first IKE_AUTH request: no AUTH, so EAP follows (RFC 7296 section 2.16). */
    byte[] firstAuth() {
        childSpi = random.nextInt() | 0x1000;
        List<Payload> p = new ArrayList<>();
        p.add(idi);
        p.add(new Config(Config.CFG_REQUEST, List.of(new ConfigAttribute(ConfigAttribute.INTERNAL_IP4_ADDRESS, new byte[0]),
                new ConfigAttribute(ConfigAttribute.INTERNAL_IP4_DNS, new byte[0]))));
        p.add(espProposal(childSpi, null));
        p.add(new TrafficSelectors(true, List.of(anyV4())));
        p.add(new TrafficSelectors(false, List.of(anyV4())));
        p.add(Notify.of(NotifyType.MOBIKE_SUPPORTED));
        return request(ExchangeType.IKE_AUTH, p);
    }

    /** The first IKE_AUTH request with {@code extra} payloads (AUTH, CERT, notifies) after the usual ones. */
    byte[] firstAuth(List<Payload> extra) {
        childSpi = random.nextInt() | 0x1000;
        List<Payload> p = new ArrayList<>();
        p.add(idi);
        p.addAll(extra);
        p.add(new Config(Config.CFG_REQUEST, List.of(new ConfigAttribute(ConfigAttribute.INTERNAL_IP4_ADDRESS, new byte[0]),
                new ConfigAttribute(ConfigAttribute.INTERNAL_IP4_DNS, new byte[0]))));
        p.add(espProposal(childSpi, null));
        p.add(new TrafficSelectors(true, List.of(anyV4())));
        p.add(new TrafficSelectors(false, List.of(anyV4())));
        return request(ExchangeType.IKE_AUTH, p);
    }

    /** The octets our AUTH covers (section 2.15): RealMessage1 | Nr | prf(SK_pi, IDi'). */
    byte[] ourSignedOctets() {
        return AuthPayloads.signedOctets(initRequest, nr, keys.macedId(true, idi.body()));
    }

    /** AUTH with a pre-shared key (method 2). */
    Auth pskAuth(byte[] psk) {
        return new Auth(Auth.SHARED_KEY_MIC, AuthPayloads.sharedKeyMic(prf, psk, ourSignedOctets()));
    }

    /** True when the responder's AUTH is the MIC of {@code psk} over its octets. */
    boolean serverPskAuth(List<Payload> response, byte[] psk) {
        idr = find(response, Identification.class);
        Auth auth = find(response, Auth.class);
        byte[] signed = AuthPayloads.signedOctets(initResponse, ni, keys.macedId(false, idr.body()));
        return auth.method() == Auth.SHARED_KEY_MIC && AuthPayloads.verifySharedKeyMic(prf, psk, signed, auth.data());
    }

    Sa espProposal(int spi, DhGroup pfs) {
        List<Transform> t = new ArrayList<>();
        t.add(new Transform(Transform.ENCR, EncryptionAlgorithm.ENCR_AES_CBC.code(), 128));
        t.add(new Transform(Transform.INTEG, IntegrityAlgorithm.HMAC_SHA2_256_128.code(), 0));
        if (pfs != null) t.add(new Transform(Transform.DH, pfs.code(), 0));
        t.add(new Transform(Transform.ESN, 0, 0));
        return new Sa(List.of(new Proposal(1, Proposal.ESP, ByteBuffer.allocate(4).putInt(spi).array(), t)));
    }

    static TrafficSelector anyV4() {
        return new TrafficSelector(TrafficSelector.TS_IPV4_ADDR_RANGE, 0, 0, 65535, new byte[4], new byte[] {-1, -1, -1, -1});
    }

    /** An encrypted request of the next message ID. */
    byte[] request(ExchangeType exchange, List<Payload> payloads) {
        Ikev2Header h = new Ikev2Header(spii, spir, 0, exchange.code(), Ikev2Header.INITIATOR, nextMessageId++, 0);
        return protection.outbound().seal(h, payloads);
    }

    /** The payloads of an encrypted message sent in fragments (RFC 7383), or of a single one. */
    List<Payload> open(List<byte[]> datagrams) throws Exception {
        if (datagrams.size() == 1 && Ikev2Codec.header(datagrams.getFirst()).nextPayload() != 53) return open(datagrams.getFirst());
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        int first = -1;
        byte[][] parts = new byte[datagrams.size()][];
        for (byte[] m : datagrams) {
            Ikev2Header h = Ikev2Codec.header(m);
            List<Payload> outer = Ikev2Codec.payloads(h.nextPayload(), m, Ikev2Header.LENGTH, m.length);
            Payload.EncryptedFragment f = (Payload.EncryptedFragment) outer.getLast();
            if (f.total() != datagrams.size()) throw new AssertionError("fragment " + f.number() + " of " + f.total());
            if (f.number() == 1) first = f.firstInner();
            parts[f.number() - 1] = protection.inbound().open(m, m.length - f.body().length);
        }
        for (byte[] p : parts) all.writeBytes(p);
        byte[] plain = all.toByteArray();
        return Ikev2Codec.payloads(first, plain, 0, plain.length);
    }

    /** The payloads of an encrypted response (or request) from the responder. */
    List<Payload> open(byte[] m) throws Exception {
        Ikev2Header h = Ikev2Codec.header(m);
        List<Payload> outer = Ikev2Codec.payloads(h.nextPayload(), m, Ikev2Header.LENGTH, m.length);
        Payload.Encrypted sk = (Payload.Encrypted) outer.getLast();
        byte[] plain = protection.inbound().open(m, m.length - sk.body().length);
        return Ikev2Codec.payloads(sk.firstInner(), plain, 0, plain.length);
    }

    /** Checks the responder's signature AUTH of the first IKE_AUTH response; keeps IDr and its certificate. */
    boolean serverAuthenticated(List<Payload> response) throws Exception {
        idr = find(response, Identification.class);
        Payload.Cert cert = find(response, Payload.Cert.class);
        serverCertificate = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new java.io.ByteArrayInputStream(cert.data()));
        Auth auth = find(response, Auth.class);
        byte[] signed = AuthPayloads.signedOctets(initResponse, ni, keys.macedId(false, idr.body()));
        return AuthPayloads.verify(serverCertificate.getPublicKey(), auth, signed);
    }

    // --- EAP-MSCHAPv2 peer --------------------------------------------------------------------------------------

    static byte[] eapIdentity(int identifier, String user) {
        byte[] name = user.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(5 + name.length);
        b.put((byte) 2).put((byte) identifier).putShort((short) (5 + name.length)).put((byte) 1).put(name);
        return b.array();
    }

    /** The EAP-MSCHAPv2 Response to a Challenge Request (draft-kamath section 2.2); computes the MSK too. */
    byte[] mschapv2Response(byte[] challengeRequest, String user, String password) {
        int identifier = challengeRequest[1] & 0xff;
        int msId = challengeRequest[6] & 0xff;
        byte[] authChallenge = Arrays.copyOfRange(challengeRequest, 10, 26);
        byte[] peerChallenge = new byte[16];
        random.nextBytes(peerChallenge);
        byte[] ntHash = MsChapV2.ntPasswordHash(password);
        byte[] ntResponse = MsChapV2.generateNtResponse(authChallenge, peerChallenge, user, ntHash);
        msk = MsChapV2.eapMsk(ntHash, ntResponse);
        byte[] name = user.getBytes(StandardCharsets.UTF_8);
        int length = 5 + 4 + 1 + 49 + name.length;
        ByteBuffer b = ByteBuffer.allocate(length);
        b.put((byte) 2).put((byte) identifier).putShort((short) length).put((byte) 26);
        b.put((byte) 2).put((byte) msId).putShort((short) (length - 5)).put((byte) 49);
        b.put(peerChallenge).put(new byte[8]).put(ntResponse).put((byte) 0).put(name);
        return b.array();
    }

    /** The Success Response acknowledging the Success Request (OpCode 3). */
    static byte[] mschapv2SuccessAck(byte[] successRequest) {
        return new byte[] {2, successRequest[1], 0, 6, 26, 3};
    }

    /** The final IKE_AUTH request: AUTH = prf(prf(MSK, "Key Pad for IKEv2"), RealMessage1 | Nr | prf(SK_pi, IDi')). */
    byte[] finalAuth() {
        byte[] signed = AuthPayloads.signedOctets(initRequest, nr, keys.macedId(true, idi.body()));
        return request(ExchangeType.IKE_AUTH, List.of(new Auth(Auth.SHARED_KEY_MIC, AuthPayloads.sharedKeyMic(prf, msk, signed))));
    }

    /** True when the responder's AUTH after EAP verifies with the MSK. */
    boolean finalServerAuth(List<Payload> response) {
        Auth auth = find(response, Auth.class);
        byte[] signed = AuthPayloads.signedOctets(initResponse, ni, keys.macedId(false, idr.body()));
        return AuthPayloads.verifySharedKeyMic(prf, msk, signed, auth.data());
    }

    static <P extends Payload> P find(List<Payload> payloads, Class<P> type) {
        for (Payload p : payloads) if (type.isInstance(p)) return type.cast(p);
        throw new AssertionError("no " + type.getSimpleName() + " in " + payloads);
    }

    static boolean has(List<Payload> payloads, int notifyType) {
        for (Payload p : payloads) if (p instanceof Notify n && n.notifyType() == notifyType) return true;
        return false;
    }

    static InetAddress addressOf(byte[] a) throws Exception {
        return InetAddress.getByAddress(a);
    }

    static byte[] cat(byte[]... parts) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (byte[] p : parts) o.writeBytes(p);
        return o.toByteArray();
    }
}
