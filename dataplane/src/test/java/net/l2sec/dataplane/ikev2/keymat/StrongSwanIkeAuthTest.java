package net.l2sec.dataplane.ikev2.keymat;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.KeyFactory;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPrivateKeySpec;
import java.security.spec.ECPublicKeySpec;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.KeyAgreement;
import net.l2sec.dataplane.ikev2.message.Ikev2Codec;
import net.l2sec.dataplane.ikev2.message.Ikev2DecodeException;
import net.l2sec.dataplane.ikev2.message.Ikev2DropReason;
import net.l2sec.dataplane.ikev2.message.NotifyType;
import net.l2sec.dataplane.ikev2.message.Payload;
import net.l2sec.dataplane.ikev2.message.Payload.Config;
import net.l2sec.dataplane.ikev2.message.Payload.ConfigAttribute;
import net.l2sec.dataplane.ikev2.message.Payload.Encrypted;
import net.l2sec.dataplane.ikev2.message.Payload.Identification;
import net.l2sec.dataplane.ikev2.message.Payload.Ke;
import net.l2sec.dataplane.ikev2.message.Payload.Nonce;
import net.l2sec.dataplane.ikev2.message.Payload.Notify;
import net.l2sec.dataplane.ikev2.message.Payload.Sa;
import net.l2sec.dataplane.ikev2.message.Payload.TrafficSelectors;
import net.l2sec.dataplane.ikev2.message.PayloadType;
import org.junit.jupiter.api.Test;

/**
 * A real peer's Encrypted payload opened with our keying: strongSwan 5.9.8 (the interop VM, {@code client.sh --mode
 * ikev2}, EAP-MSCHAPv2 client) sent its IKE_SA_INIT request to a throwaway responder that answered with our encoder
 * (the chosen proposal, a KE of group 19 from a P-256 key pair whose private scalar is kept below, a nonce), and then
 * sent its IKE_AUTH request. From the three messages and the private scalar alone, {@link IkeSaKeys} (SKEYSEED and
 * prf+, RFC 7296 sections 2.13-2.14; the ECDH shared secret is the x coordinate, RFC 5903 section 7) and
 * {@link EncryptedPayloadProtection} (the ICV or GCM tag, the salt, the padding) must open strongSwan's IKE_AUTH
 * request, and the codec decode what is inside. Captured once (no VM in the test), for AES-GCM-256 and for
 * AES-CBC-256 with HMAC-SHA2-256-128, both with PRF_HMAC_SHA2_256. The private scalars are ephemeral values made for
 * these captures and nothing else (test vectors, not credentials).
 */
class StrongSwanIkeAuthTest {
    static final HexFormat HEX = HexFormat.of();

    /** One captured exchange: our private scalar, the IKE_SA_INIT request and our response, the IKE_AUTH request. */
    record Capture(String privateScalar, String initRequest, String initResponse, String authRequest) {
    }

    /** {@code --ike 'aes256gcm16-prfsha256-ecp256!'}. */
    static final Capture GCM = new Capture(
            "b03eeb38aae809f7506480974f290e7489039e16707564864766b000dab6ad1a",
            "7b4075c6d9b8de8e00000000000000002120220800000000000001082200002800000024010100030300000c01000014"
            + "800e01000300000802000005000000080400001328000048001300005309f8b623f521396ee66ded633547f0405d2e79"
            + "faae67061f016df7b6eb0c32c25580630bcc107e2a23121c20dd24a352b3f64bf42dc99f4315605c16a5b03829000024"
            + "ddb77453fcb811be99933e5a340562ca676f2d22ee7e03ea2e960bf4d63b6abb2900001c00004004e92895275544468e"
            + "e3bfb20fdbdebd57f0b34f862900001c00004005ba142d9632ea0dfd2e10dbcd20c0618983abffa8290000080000402e"
            + "290000100000402f00020003000400050000000800004016",
            "7b4075c6d9b8de8edd177e03d8382bd52120222000000000000000b02200002800000024010100030300000c01000014"
            + "800e010003000008020000050000000804000013280000480013000046d150741a8988e6efe2533f57f47b08bd7bd4a7"
            + "19dc8037350e176c36b58494f84a27630da72dbad1cb0253af202fa9ab20bb9394e6fbcd45024fcfa62fcde100000024"
            + "e5de2dfae370f1f503efec15a605a08636f98147a053c91befdead0f2fa709cc",
            "7b4075c6d9b8de8edd177e03d8382bd52e20230800000001000001362300011ab755516dfa9e8aa42d8919a27d59e860"
            + "ae5348fbc45da37f0b6f0c8aee18ac83ea72b2500e65bef10ceb093a0d67a12c4f83e21a01ec792e193119ae3d68fe44"
            + "b650ed40b1a293c1beebcfe086c7a67b791cf165e67fe432b3d427fad332d704a55a5ad815017e40fceaf558f4500386"
            + "5e5ca184b493249c45409747baa1fea95193265da1c2367b2b80dc86c9b133c3bd5c7f0ca8d3e0e274f30649e67fb481"
            + "86f68ebf2357e33f663f621472ae3bd45fdc700e69547c5d836869967fde3bbb55be4a594d9b785f0a77f8498eeb2f3c"
            + "904d32313b152e1cc737c47bff0229a643672beffa2df6ecfb5dbd86d2bb878ea587cd884d46033b4fe6a0d84726b38c"
            + "a27f0ec53cd91107355b442a7383ea76c99ee2b3ca5b");

    /** {@code --ike 'aes256-sha256-ecp256!'}. */
    static final Capture CBC = new Capture(
            "317abb056770a654b2be2113a66fd727671d6dc65c8389c248afdf08e8c1a409",
            "b1d7067c3c98e7470000000000000000212022080000000000000110220000300000002c010100040300000c0100000c"
            + "800e0100030000080300000c030000080200000500000008040000132800004800130000178c4be559f7dbf645a30b23"
            + "cde2802803b1d5298a956f9923ceb4ebb913da6c2ac95060f6dd2aaffeec6a76f324d62a10d0f9b4b70842dfb1f76814"
            + "fcd132c929000024eea735ed82cb2e11cef85a46430025eb1f34f062e2eae71a75da077b30c2462c2900001c00004004"
            + "58a9c1370b7539cab5ae8648844315e8bab42ac42900001c000040053136255380726f9794773c7aac00930c3d5ef343"
            + "290000080000402e290000100000402f00020003000400050000000800004016",
            "b1d7067c3c98e74721c1c04a3109d64f2120222000000000000000b8220000300000002c010100040300000c0100000c"
            + "800e0100030000080300000c030000080200000500000008040000132800004800130000dd92060b92df544a0cfbba38"
            + "43a79dcd7a7de2414bacd3cdbce69515cc8b971f2e2a26e04996c7a2088915585d5e078a461584b6fadaf8729185eaa0"
            + "1bcae70000000024df2e6155970ac83d8472a5684489755fc18b0e7ee0fb977eb76360f1f467258b",
            "b1d7067c3c98e74721c1c04a3109d64f2e202308000000010000015023000134748b81310bf579c235ab4392f91c563a"
            + "ba78f3ea16460538d7c72c00882edbe08d7eff974e2714b38dd5e3ed52f0bdd59f68e1b8eb319bdcaf66c2417777624d"
            + "493fcfba716b0cbce492f0ad28ec623f3e63476922774995e1209627def8ba73e5451f65a5f7aebf581c9d8cb211c76a"
            + "33b5233f640bdcf7dbf7909371f47f569fd01b5a165bd5b303b9f47582f6520aa4c5a8fff657e7e821a4a42038710d4e"
            + "253c3f0c3d529cafec2b58369828076329fa448cece985831099684ea2519dfdff3a41715eea07fb37f2fb3a6ef2f06a"
            + "fd7bdd3410176245912eb1b079b64b82bb401b92848a2a87dc7f7cd2e18bdf78adf8f3c9b520ada7c385b54ec98b9138"
            + "b0e1abeacf00fd7a714c7d47aac6917c48447c68a4c5f1f45c4322e8cec4d62d92b4e8154d90ea32af6a58840325a7df");

    /** g^ir for group 19: the x coordinate of our private scalar times the peer's public point (RFC 5903 section 7). */
    static byte[] sharedSecret(String privateScalar, byte[] peerPublic) throws Exception {
        AlgorithmParameters p = AlgorithmParameters.getInstance("EC");
        p.init(new ECGenParameterSpec("secp256r1"));
        ECParameterSpec curve = p.getParameterSpec(ECParameterSpec.class);
        KeyFactory f = KeyFactory.getInstance("EC");
        KeyAgreement ka = KeyAgreement.getInstance("ECDH");
        ka.init(f.generatePrivate(new ECPrivateKeySpec(new BigInteger(privateScalar, 16), curve)));
        ECPoint w = new ECPoint(new BigInteger(1, Arrays.copyOfRange(peerPublic, 0, 32)), new BigInteger(1, Arrays.copyOfRange(peerPublic, 32, 64)));
        ka.doPhase(f.generatePublic(new ECPublicKeySpec(w, curve)), true);
        return ka.generateSecret();
    }

    /** Our inbound protection of the IKE SA the capture set up, and the IKE_AUTH request's inner payloads opened with it. */
    static List<Payload> open(Capture c, EncryptionAlgorithm cipher, IntegrityAlgorithm integrity) throws Exception {
        Ikev2Codec.Message request = Ikev2Codec.decode(HEX.parseHex(c.initRequest()));
        Ikev2Codec.Message response = Ikev2Codec.decode(HEX.parseHex(c.initResponse()));
        byte[] ni = request.first(Nonce.class).orElseThrow().data();
        byte[] nr = response.first(Nonce.class).orElseThrow().data();
        Ke ke = request.first(Ke.class).orElseThrow();
        assertThat(ke.group()).isEqualTo(19);
        byte[] shared = sharedSecret(c.privateScalar(), ke.data());
        PrfAlgorithm prf = PrfAlgorithm.HMAC_SHA2_256;
        long spiI = response.header().initiatorSpi();
        long spiR = response.header().responderSpi();
        IkeSaKeys keys = IkeSaKeys.derive(prf, integrity, cipher, 256, IkeSaKeys.skeyseed(prf, ni, nr, shared), ni, nr, spiI, spiR);
        EncryptedPayloadProtection inbound = EncryptedPayloadProtection.Pair.responder(keys, cipher, 256, integrity, new SecureRandom()).inbound();
        byte[] auth = HEX.parseHex(c.authRequest());
        Ikev2Codec.Message msg = Ikev2Codec.decode(auth);
        assertThat(msg.header().initiatorSpi()).isEqualTo(spiI);
        assertThat(msg.header().responderSpi()).isEqualTo(spiR);
        assertThat(msg.header().messageId()).isEqualTo(1);
        Encrypted sk = (Encrypted) msg.payloads().getLast();
        int bodyOffset = auth.length - sk.body().length;
        byte[] plain = inbound.open(auth, bodyOffset);
        // one flipped bit anywhere and it does not open
        for (int at : new int[] {0, 20, bodyOffset - 1, bodyOffset, auth.length / 2, auth.length - 1}) {
            byte[] flipped = auth.clone();
            flipped[at] ^= 0x10;
            try {
                inbound.open(flipped, bodyOffset);
                throw new AssertionError("opened with octet " + at + " changed");
            } catch (Ikev2DecodeException e) {
                assertThat(e.reason()).isEqualTo(Ikev2DropReason.DECRYPT_FAILED);
            }
        }
        List<Payload> inner = Ikev2Codec.payloads(sk.firstInner(), plain, 0, plain.length);
        assertThat(Ikev2Codec.encodePayloads(inner)).as("the decoded payloads encode to the plaintext").isEqualTo(plain);
        return inner;
    }

    static void assertAnEapClientsIkeAuthRequest(List<Payload> inner) {
        assertThat(inner).extracting(Payload::type).startsWith(PayloadType.IDI, PayloadType.CERTREQ, PayloadType.CP, PayloadType.SA,
                PayloadType.TSI, PayloadType.TSR);
        // IDi: its address, as leftid defaults to it (the EAP identity travels later, in EAP)
        Identification idi = (Identification) inner.get(0);
        assertThat(idi.initiator()).isTrue();
        assertThat(idi.idType()).isEqualTo(Identification.ID_IPV4_ADDR);
        assertThat(idi.data()).isEqualTo(new byte[] {10, 0, 2, 15});
        // CERTREQ: X.509, the SHA-1 of the CA's public key the client trusts (RFC 7296 section 3.7)
        Payload.CertReq certReq = (Payload.CertReq) inner.get(1);
        assertThat(certReq.encoding()).isEqualTo(Payload.Cert.X509_SIGNATURE);
        assertThat(certReq.authorities()).hasSize(20);
        // CP: CFG_REQUEST for an IPv4 address and DNS
        Config cp = (Config) inner.get(2);
        assertThat(cp.cfgType()).isEqualTo(Config.CFG_REQUEST);
        assertThat(cp.attributes()).extracting(ConfigAttribute::attributeType)
                .containsExactly(ConfigAttribute.INTERNAL_IP4_ADDRESS, ConfigAttribute.INTERNAL_IP4_DNS);
        assertThat(cp.attributes()).allSatisfy(a -> assertThat(a.value()).isEmpty());
        // the ESP SA: aes256-sha1, aes128-sha1, 3des-sha1 (client.sh's default --esp), one SPI, no ESN
        Sa sa = (Sa) inner.get(3);
        assertThat(sa.proposals()).hasSize(3);
        assertThat(sa.proposals()).allSatisfy(pr -> {
            assertThat(pr.protocol()).isEqualTo(Payload.Proposal.ESP);
            assertThat(pr.spi()).hasSize(4).isEqualTo(sa.proposals().getFirst().spi());
        });
        assertThat(sa.proposals()).extracting(pr -> pr.transforms().toString()).containsExactly(
                "[Transform[type=1, id=12, keyBits=256], Transform[type=3, id=2, keyBits=0], Transform[type=5, id=0, keyBits=0]]",
                "[Transform[type=1, id=12, keyBits=128], Transform[type=3, id=2, keyBits=0], Transform[type=5, id=0, keyBits=0]]",
                "[Transform[type=1, id=3, keyBits=0], Transform[type=3, id=2, keyBits=0], Transform[type=5, id=0, keyBits=0]]");
        // TSi and TSr: everything (0.0.0.0/0, --rightsubnet's default)
        for (Payload ts : inner.subList(4, 6)) {
            assertThat(((TrafficSelectors) ts).selectors()).singleElement().hasToString("0.0.0.0-255.255.255.255");
        }
        // status notifies: MOBIKE, EAP-only authentication (RFC 5998), message ID sync (RFC 6311, 16420), and
        // an additional address or none (MOBIKE)
        assertThat(inner.subList(6, inner.size())).allSatisfy(p -> assertThat(p).isInstanceOf(Notify.class));
        assertThat(inner.subList(6, inner.size())).extracting(p -> ((Notify) p).notifyType()).contains(
                NotifyType.MOBIKE_SUPPORTED, NotifyType.EAP_ONLY_AUTHENTICATION, 16420);
    }

    @Test
    void strongSwansGcmIkeAuthRequestOpens() throws Exception {
        assertAnEapClientsIkeAuthRequest(open(GCM, EncryptionAlgorithm.ENCR_AES_GCM_16, null));
    }

    @Test
    void strongSwansCbcIkeAuthRequestOpens() throws Exception {
        assertAnEapClientsIkeAuthRequest(open(CBC, EncryptionAlgorithm.ENCR_AES_CBC, IntegrityAlgorithm.HMAC_SHA2_256_128));
    }
}
