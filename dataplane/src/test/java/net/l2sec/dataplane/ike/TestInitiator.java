package net.l2sec.dataplane.ike;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.l2sec.dataplane.ike.auth.RsaSignature;
import net.l2sec.dataplane.ike.keymat.DhGroup;
import net.l2sec.dataplane.ike.keymat.DiffieHellman;
import net.l2sec.dataplane.ike.keymat.IkeCipher;
import net.l2sec.dataplane.ike.keymat.IkeHash;
import net.l2sec.dataplane.ike.keymat.Keymat;
import net.l2sec.dataplane.ike.message.Attribute;
import net.l2sec.dataplane.ike.message.CertEncoding;
import net.l2sec.dataplane.ike.message.ExchangeType;
import net.l2sec.dataplane.ike.message.IdType;
import net.l2sec.dataplane.ike.message.IsakmpCodec;
import net.l2sec.dataplane.ike.message.IsakmpHeader;
import net.l2sec.dataplane.ike.message.NotifyType;
import net.l2sec.dataplane.ike.message.Payload;
import net.l2sec.dataplane.ike.message.PayloadChain;
import net.l2sec.dataplane.ike.message.PayloadType;
import net.l2sec.dataplane.ipsec.EspCipher;
import net.l2sec.dataplane.ipsec.EspIntegrity;

/**
 * A minimal IKEv1 initiator for tests, built on the production codec and Keymat (the real-peer test against
 * strongSwan is in the interop suite). Like a client behind NAT: starts from {@code addr500}, floats to
 * {@code addr4500}.
 */
final class TestInitiator {
    static final SecureRandom RANDOM = new SecureRandom();
    final IkeHarness net;
    final InetSocketAddress addr500;
    final InetSocketAddress addr4500;
    final long ckyI = RANDOM.nextLong() | 1;
    long ckyR;
    IkeHash hash = IkeHash.SHA1;
    IkeCipher cipher = IkeCipher.AES_CBC;
    int keyBits = 256;
    DhGroup group = DhGroup.MODP1024;
    byte[] psk = "secret".getBytes();
    Keymat keymat;
    byte[] gxi, gxr, ni, nr, saiB;
    DiffieHellman dh;
    Payload.Id myId = new Payload.Id(IdType.ID_IPV4_ADDR.code(), 17, 500, new byte[] {10, 0, 2, 15});
    /** RSA signature authentication (auth method 3) with this key and chain, else pre-shared key. */
    PrivateKey signingKey;
    List<X509Certificate> myCerts = List.of();
    boolean corruptSignature;
    /** The responder's certificate from message 6. */
    X509Certificate peerCert;

    TestInitiator(IkeHarness net, String ip, int port500, int port4500) {
        this.net = net;
        this.addr500 = new InetSocketAddress(ip, port500);
        this.addr4500 = new InetSocketAddress(ip, port4500);
    }

    TestInitiator signWith(PrivateKey key, List<X509Certificate> certs) {
        signingKey = key;
        myCerts = certs;
        return this;
    }

    TestInitiator suite(IkeCipher c, int bits, IkeHash h, DhGroup g) {
        cipher = c;
        keyBits = bits;
        hash = h;
        group = g;
        return this;
    }

    static Payload.Transform p1(int number, IkeCipher c, int bits, IkeHash h, DhGroup g) {
        return p1(number, c, bits, h, g, 1);
    }

    static Payload.Transform p1(int number, IkeCipher c, int bits, IkeHash h, DhGroup g, int authMethod) {
        List<Attribute> a = new ArrayList<>();
        a.add(Attribute.of(1, c.code()));
        if (c == IkeCipher.AES_CBC) a.add(Attribute.of(14, bits));
        a.add(Attribute.of(2, h.code()));
        a.add(Attribute.of(3, authMethod));
        a.add(Attribute.of(4, g.code()));
        a.add(Attribute.of(11, 1));
        a.add(Attribute.of(12, 28800));
        return new Payload.Transform(number, 1, a);
    }

    static Payload.Transform esp(int number, EspCipher c, int bits, EspIntegrity i, DhGroup pfs) {
        List<Attribute> a = new ArrayList<>();
        a.add(Attribute.of(1, 1));
        a.add(Attribute.of(2, 3600));
        a.add(Attribute.of(1, 2));
        a.add(Attribute.of(2, 250000));
        a.add(Attribute.of(4, 4));
        if (i != EspIntegrity.NONE) a.add(Attribute.of(5, i.authAlgorithm()));
        if (c != EspCipher.TRIPLE_DES_CBC) a.add(Attribute.of(6, bits));
        if (pfs != null) a.add(Attribute.of(3, pfs.code()));
        return new Payload.Transform(number, c.transformId(), a);
    }

    IsakmpHeader header(ExchangeType t, int flags, int mid) {
        return new IsakmpHeader(ckyI, ckyR, 0, IsakmpHeader.VERSION_1_0, t, flags, mid, 0);
    }

    byte[] mm1() {
        return mm1(List.of(p1(1, cipher, keyBits, hash, group, signingKey != null ? 3 : 1)));
    }

    byte[] mm1(List<Payload.Transform> transforms) {
        Payload.Sa sa = new Payload.Sa(1, 1, List.of(new Payload.Proposal(1, 1, new byte[0], transforms)));
        byte[] enc = IsakmpCodec.encodePayloads(List.of(sa));
        saiB = Arrays.copyOfRange(enc, 4, enc.length);
        return IsakmpCodec.encode(header(ExchangeType.IDENTITY_PROTECTION, 0, 0), List.of(sa,
                new Payload.VendorId(IsakmpVendor.MS_NT5_ISAKMPOAKLEY), new Payload.VendorId(IsakmpVendor.RFC3947),
                new Payload.VendorId(IsakmpVendor.DRAFT_02N), new Payload.VendorId(IsakmpVendor.FRAGMENTATION),
                new Payload.VendorId(IsakmpVendor.DPD)));
    }

    PayloadChain mm2(byte[] msg) throws Exception {
        IsakmpHeader h = IsakmpCodec.decodeHeader(msg);
        ckyR = h.responderCookie();
        assertThat(h.initiatorCookie()).isEqualTo(ckyI);
        return IsakmpCodec.decodePayloads(h, msg);
    }

    byte[] mm3() {
        dh = DiffieHellman.generate(group);
        gxi = dh.publicValue();
        ni = new byte[20];
        RANDOM.nextBytes(ni);
        keymat = new Keymat(hash, cipher, keyBits, ckyI, ckyR);
        return IsakmpCodec.encode(header(ExchangeType.IDENTITY_PROTECTION, 0, 0), List.of(new Payload.Ke(gxi),
                new Payload.Nonce(ni), new Payload.NatD(false, new byte[hash.length()]),
                new Payload.NatD(false, new byte[hash.length()])));
    }

    PayloadChain mm4(byte[] msg) throws Exception {
        PayloadChain c = IsakmpCodec.decodePayloads(IsakmpCodec.decodeHeader(msg), msg);
        gxr = c.first(Payload.Ke.class).data();
        nr = c.first(Payload.Nonce.class).data();
        byte[] gxy = dh.sharedSecret(gxr);
        if (signingKey != null) keymat.deriveSignature(ni, nr, gxy);
        else keymat.derivePreSharedKey(psk, ni, nr, gxy);
        keymat.initPhase1Iv(gxi, gxr);
        return c;
    }

    byte[] mm5(boolean initialContact) {
        byte[] idB = body(myId);
        List<Payload> p = new ArrayList<>(List.of(myId));
        if (signingKey != null) {
            for (X509Certificate c : myCerts) p.add(new Payload.Cert(CertEncoding.X509_SIGNATURE.code(), encoded(c)));
            byte[] sig = RsaSignature.sign(signingKey, keymat.hashI(gxi, gxr, saiB, idB));
            if (corruptSignature) sig[sig.length / 2] ^= 1;
            p.add(new Payload.Sig(sig));
        } else {
            p.add(new Payload.Hash(keymat.hashI(gxi, gxr, saiB, idB)));
        }
        if (initialContact) {
            p.add(new Payload.Notify(1, 1, NotifyType.INITIAL_CONTACT.code(), cookies(), new byte[0]));
        }
        return protect(ExchangeType.IDENTITY_PROTECTION, 0, p);
    }

    PayloadChain mm6(byte[] msg) throws Exception {
        PayloadChain c = unprotect(msg);
        byte[] expected = keymat.hashR(gxi, gxr, saiB, c.body(Payload.Id.class));
        if (signingKey != null) {
            peerCert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(
                    new ByteArrayInputStream(c.first(Payload.Cert.class).data()));
            assertThat(RsaSignature.verify(peerCert.getPublicKey(), expected, c.first(Payload.Sig.class).data()))
                    .as("SIG_R").isTrue();
        } else {
            assertThat(c.first(Payload.Hash.class).data()).as("HASH_R").isEqualTo(expected);
        }
        keymat.completePhase1();
        return c;
    }

    /** Aggressive Mode message 1: SA, KE, Ni, IDii and the vendor IDs of {@link #mm1()}. */
    byte[] am1() {
        return am1(List.of(p1(1, cipher, keyBits, hash, group)));
    }

    byte[] am1(List<Payload.Transform> transforms) {
        Payload.Sa sa = new Payload.Sa(1, 1, List.of(new Payload.Proposal(1, 1, new byte[0], transforms)));
        saiB = body(sa);
        dh = DiffieHellman.generate(group);
        gxi = dh.publicValue();
        ni = new byte[20];
        RANDOM.nextBytes(ni);
        return IsakmpCodec.encode(header(ExchangeType.AGGRESSIVE, 0, 0), List.of(sa, new Payload.Ke(gxi),
                new Payload.Nonce(ni), myId, new Payload.VendorId(IsakmpVendor.RFC3947),
                new Payload.VendorId(IsakmpVendor.FRAGMENTATION), new Payload.VendorId(IsakmpVendor.DPD)));
    }

    /** Aggressive Mode message 2: derives the keys with our PSK ({@link #hashRValid} says whether it was the same). */
    PayloadChain am2(byte[] msg) throws Exception {
        IsakmpHeader h = IsakmpCodec.decodeHeader(msg);
        assertThat(h.exchangeType()).isEqualTo(ExchangeType.AGGRESSIVE);
        assertThat(h.encrypted()).isFalse();
        ckyR = h.responderCookie();
        PayloadChain c = IsakmpCodec.decodePayloads(h, msg);
        gxr = c.first(Payload.Ke.class).data();
        nr = c.first(Payload.Nonce.class).data();
        keymat = new Keymat(hash, cipher, keyBits, ckyI, ckyR);
        keymat.derivePreSharedKey(psk, ni, nr, dh.sharedSecret(gxr));
        keymat.initPhase1Iv(gxi, gxr);
        return c;
    }

    /** HASH_R of Aggressive Mode message 2, checked as a real initiator does before it sends message 3. */
    boolean hashRValid(PayloadChain am2) {
        return equalsConstantTime(am2.first(Payload.Hash.class).data(), keymat.hashR(gxi, gxr, saiB, am2.body(Payload.Id.class)));
    }

    /** Aggressive Mode message 3: HASH_I encrypted, with or without our NAT-D payloads (both occur in the wild). */
    byte[] am3(boolean natd) {
        List<Payload> p = new ArrayList<>(List.of(new Payload.Hash(keymat.hashI(gxi, gxr, saiB, body(myId)))));
        if (natd) {
            p.add(new Payload.NatD(false, new byte[hash.length()]));
            p.add(new Payload.NatD(false, new byte[hash.length()]));
        }
        byte[] m = protect(ExchangeType.AGGRESSIVE, 0, p);
        keymat.completePhase1();
        return m;
    }

    /** Runs Aggressive Mode to completion, message 3 on UDP/4500. */
    TestInitiator aggressiveMode() throws Exception {
        assertThat(hashRValid(am2(net.exchange(addr500, IkeHarness.LOCAL_500, am1())))).as("HASH_R").isTrue();
        assertThat(net.deliver(addr4500, IkeHarness.LOCAL_4500, am3(true))).isEmpty();
        return this;
    }

    /** Runs Main Mode to completion against the harness. */
    TestInitiator mainMode() throws Exception {
        mm2(net.exchange(addr500, IkeHarness.LOCAL_500, mm1()));
        mm4(net.exchange(addr500, IkeHarness.LOCAL_500, mm3()));
        mm6(whole(net.deliver(addr4500, IkeHarness.LOCAL_4500, mm5(false))));
        return this;
    }

    /** The one message in {@code out}: a lone datagram, or the reassembly of the responder's fragments. */
    static byte[] whole(List<IkeHarness.Sent> out) throws Exception {
        if (out.size() == 1 && IsakmpCodec.decodeHeader(out.get(0).message()).nextPayload() != PayloadType.FRAGMENT) {
            return out.get(0).message();
        }
        IsakmpFragmentation.Reassembly r = null;
        byte[] whole = null;
        for (IkeHarness.Sent s : out) {
            byte[] m = s.message();
            PayloadChain c = IsakmpCodec.decodePayloads(IsakmpCodec.decodeHeader(m), m);
            Payload.Fragment f = (Payload.Fragment) c.payloads().get(0);
            assertThat(c.payloads()).hasSize(1);
            if (r == null) r = new IsakmpFragmentation.Reassembly(f.fragmentId());
            assertThat(whole).as("nothing after the last fragment").isNull();
            whole = r.add(f, new IkeSettings.Fragmentation(true, 576, 255, 65535, java.time.Duration.ofSeconds(1)));
        }
        assertThat(whole).as("all fragments").isNotNull();
        return whole;
    }

    static byte[] encoded(X509Certificate c) {
        try {
            return c.getEncoded();
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    byte[] cookies() {
        return ByteBuffer.allocate(16).putLong(ckyI).putLong(ckyR).array();
    }

    static byte[] body(Payload p) {
        byte[] e = IsakmpCodec.encodePayloads(List.of(p));
        return Arrays.copyOfRange(e, 4, e.length);
    }

    byte[] protect(ExchangeType t, int mid, List<Payload> payloads) {
        byte[] plain = IsakmpCodec.encodePayloads(payloads);
        return IsakmpCodec.encodeMessage(new IsakmpHeader(ckyI, ckyR, payloads.get(0).type(), 0x10, t,
                IsakmpHeader.ENCRYPTED, mid, 0), keymat.encrypt(mid, plain));
    }

    PayloadChain unprotect(byte[] msg) throws Exception {
        IsakmpHeader h = IsakmpCodec.decodeHeader(msg);
        assertThat(h.encrypted()).isTrue();
        byte[] body = Arrays.copyOfRange(msg, 28, msg.length);
        byte[] plain = keymat.decrypt(h.messageId(), body);
        keymat.authentic(h.messageId(), body); // the callers assert the hashes; the exchange goes on from here
        return IsakmpCodec.decodePayloads(h.nextPayload(), plain, 0, plain.length, true);
    }

    byte[] withHash1(ExchangeType t, int mid, List<Payload> rest) {
        List<Payload> all = new ArrayList<>();
        all.add(new Payload.Hash(keymat.hash1(mid, IsakmpCodec.encodePayloads(rest))));
        all.addAll(rest);
        return protect(t, mid, all);
    }

    /** An informational from the peer. */
    byte[] informational(Payload... payloads) {
        int mid = RANDOM.nextInt() | 1;
        byte[] m = withHash1(ExchangeType.INFORMATIONAL, mid, List.of(payloads));
        keymat.endExchange(mid);
        return m;
    }

    /** Decrypts and verifies an informational from the responder. */
    PayloadChain readInformational(byte[] msg) throws Exception {
        IsakmpHeader h = IsakmpCodec.decodeHeader(msg);
        assertThat(h.exchangeType()).isEqualTo(ExchangeType.INFORMATIONAL);
        PayloadChain c = unprotect(msg);
        keymat.endExchange(h.messageId());
        assertThat(((Payload.Hash) c.payloads().get(0)).data()).isEqualTo(keymat.hash1(h.messageId(), c.afterFirst()));
        return c;
    }

    /** One Quick Mode in progress. */
    final class Qm {
        final int mid;
        final int mySpi = RANDOM.nextInt() | 0x1000;
        final byte[] qni = new byte[16];
        final DiffieHellman pfs;
        final Payload.Id idci;
        final Payload.Id idcr = new Payload.Id(1, 17, 1701, new byte[] {(byte) 192, 0, 2, 1});
        byte[] qnr, gqmxy;
        int peerSpi;
        Payload.Sa response;
        /** What the responder sent after message 3 (a rekey's Delete of the pair it replaces). */
        List<IkeHarness.Sent> afterMessage3 = List.of();

        Qm(DhGroup pfsGroup) {
            this(pfsGroup, 1701);
        }

        /** @param clientPort the client's UDP port in IDci: another port is other traffic (no rekey) */
        Qm(DhGroup pfsGroup, int clientPort) {
            this(pfsGroup, clientPort, RANDOM.nextInt() | 1);
        }

        /** @param mid the exchange's message ID (a replay test reuses one) */
        Qm(DhGroup pfsGroup, int clientPort, int mid) {
            this.mid = mid;
            idci = new Payload.Id(1, 17, clientPort, new byte[] {10, 0, 2, 15});
            RANDOM.nextBytes(qni);
            pfs = pfsGroup == null ? null : DiffieHellman.generate(pfsGroup);
        }

        byte[] message1(List<Payload.Transform> transforms) {
            byte[] spi = ByteBuffer.allocate(4).putInt(mySpi).array();
            List<Payload> rest = new ArrayList<>();
            rest.add(new Payload.Sa(1, 1, List.of(new Payload.Proposal(1, 3, spi, transforms))));
            rest.add(new Payload.Nonce(qni));
            if (pfs != null) rest.add(new Payload.Ke(pfs.publicValue()));
            rest.add(idci);
            rest.add(idcr);
            rest.add(new Payload.NatOa(false, 1, new byte[] {10, 0, 2, 15}));
            return withHash1(ExchangeType.QUICK_MODE, mid, rest);
        }

        void message2(byte[] msg) throws Exception {
            PayloadChain c = unprotect(msg);
            qnr = c.first(Payload.Nonce.class).data();
            byte[] rest = Arrays.copyOfRange(concat(c.raw()), c.raw().get(0).length, concat(c.raw()).length);
            assertThat(((Payload.Hash) c.payloads().get(0)).data()).as("HASH(2)").isEqualTo(keymat.hash2(mid, qni, rest));
            response = c.first(Payload.Sa.class);
            peerSpi = ByteBuffer.wrap(response.proposals().get(0).spi()).getInt();
            if (pfs != null) gqmxy = pfs.sharedSecret(c.first(Payload.Ke.class).data());
            assertThat(c.all(Payload.Id.class)).containsExactly(idci, idcr);
        }

        byte[] message3() {
            byte[] m = protect(ExchangeType.QUICK_MODE, mid, List.of(new Payload.Hash(keymat.hash3(mid, qni, qnr))));
            keymat.endExchange(mid);
            return m;
        }

        /** KEYMAT of the SA the responder receives on (its SPI). */
        byte[] responderInbound(int len) {
            return keymat.childKeymat(gqmxy, 3, peerSpi, qni, qnr, len);
        }

        byte[] responderOutbound(int len) {
            return keymat.childKeymat(gqmxy, 3, mySpi, qni, qnr, len);
        }
    }

    /** A Quick Mode the responder initiates (a rekey), answered as a client does: its transform and IDs echoed. */
    final class QmReply {
        final int mySpi = RANDOM.nextInt() | 0x1000;
        final byte[] qnr = new byte[16];
        final int mid;
        final PayloadChain message1;
        final int serverSpi;
        final byte[] qni;
        final byte[] message2;
        byte[] gqmxy;

        /** Checks message 1 (HASH(1)) and builds message 2. */
        QmReply(byte[] msg1) throws Exception {
            IsakmpHeader h = IsakmpCodec.decodeHeader(msg1);
            assertThat(h.exchangeType()).isEqualTo(ExchangeType.QUICK_MODE);
            mid = h.messageId();
            message1 = unprotect(msg1);
            assertThat(((Payload.Hash) message1.payloads().get(0)).data()).as("HASH(1)")
                    .isEqualTo(keymat.hash1(mid, message1.afterFirst()));
            Payload.Proposal p = message1.first(Payload.Sa.class).proposals().get(0);
            serverSpi = ByteBuffer.wrap(p.spi()).getInt();
            qni = message1.first(Payload.Nonce.class).data();
            RANDOM.nextBytes(qnr);
            List<Payload> rest = new ArrayList<>();
            rest.add(new Payload.Sa(1, 1, List.of(new Payload.Proposal(p.number(), 3,
                    ByteBuffer.allocate(4).putInt(mySpi).array(), List.of(p.transforms().get(0))))));
            rest.add(new Payload.Nonce(qnr));
            Payload.Ke ke = message1.first(Payload.Ke.class);
            if (ke != null) {
                DiffieHellman dh = DiffieHellman.generate(DhGroup.of((int) p.transforms().get(0).attribute(3).longValue()));
                gqmxy = dh.sharedSecret(ke.data());
                rest.add(new Payload.Ke(dh.publicValue()));
            }
            rest.addAll(message1.all(Payload.Id.class));
            List<Payload> all = new ArrayList<>();
            all.add(new Payload.Hash(keymat.hash2(mid, qni, IsakmpCodec.encodePayloads(rest))));
            all.addAll(rest);
            message2 = protect(ExchangeType.QUICK_MODE, mid, all);
        }

        /** Checks HASH(3). */
        void message3(byte[] msg) throws Exception {
            PayloadChain c = unprotect(msg);
            keymat.endExchange(mid);
            assertThat(c.payloads()).hasSize(1);
            assertThat(((Payload.Hash) c.payloads().get(0)).data()).as("HASH(3)").isEqualTo(keymat.hash3(mid, qni, qnr));
        }

        /** KEYMAT of the SA the server receives on (its SPI); Ni_b is the server's nonce here. */
        byte[] serverInbound(int len) {
            return keymat.childKeymat(gqmxy, 3, serverSpi, qni, qnr, len);
        }

        byte[] serverOutbound(int len) {
            return keymat.childKeymat(gqmxy, 3, mySpi, qni, qnr, len);
        }
    }

    /** A Quick Mode for L2TP from UDP/1701; one for the traffic of an earlier one is its rekey. */
    Qm quickMode(List<Payload.Transform> transforms, DhGroup pfs) throws Exception {
        return quickMode(new Qm(pfs), transforms);
    }

    Qm quickMode(Qm qm, List<Payload.Transform> transforms) throws Exception {
        qm.message2(net.exchange(addr4500, IkeHarness.LOCAL_4500, qm.message1(transforms)));
        qm.afterMessage3 = net.deliver(addr4500, IkeHarness.LOCAL_4500, qm.message3());
        return qm;
    }

    static byte[] concat(List<byte[]> parts) {
        java.io.ByteArrayOutputStream o = new java.io.ByteArrayOutputStream();
        parts.forEach(o::writeBytes);
        return o.toByteArray();
    }

    static boolean equalsConstantTime(byte[] a, byte[] b) {
        return MessageDigest.isEqual(a, b);
    }
}
