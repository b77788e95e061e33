package net.l2sec.dataplane.ike.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class IsakmpCodecTest {
    static final IsakmpHeader HDR = new IsakmpHeader(0x0102030405060708L, 0, 0, IsakmpHeader.VERSION_1_0,
            ExchangeType.IDENTITY_PROTECTION, 0, 0, 0);

    static Payload.Sa sa() {
        return new Payload.Sa(1, 1, List.of(new Payload.Proposal(1, 1, new byte[0], List.of(
                new Payload.Transform(1, 1, List.of(Attribute.of(1, 7), Attribute.of(14, 256), Attribute.of(12, 86400))),
                new Payload.Transform(2, 1, List.of(Attribute.of(1, 5), Attribute.of(12, 0x1_0000_0000L)))))));
    }

    @Test
    void everyPayloadRoundTrips() throws Exception {
        List<Payload> all = List.of(sa(), new Payload.Ke(new byte[] {1, 2, 3}), new Payload.Nonce(new byte[16]),
                new Payload.Id(1, 17, 1701, new byte[] {10, 0, 0, 1}), new Payload.Hash(new byte[20]),
                new Payload.Sig(new byte[] {9}), new Payload.Cert(4, new byte[] {1}), new Payload.CertRequest(4, new byte[0]),
                new Payload.Notify(1, 1, NotifyType.R_U_THERE.code(), new byte[16], new byte[] {0, 0, 0, 7}),
                new Payload.Delete(1, 3, 4, List.of(new byte[] {1, 2, 3, 4}, new byte[] {5, 6, 7, 8})),
                new Payload.VendorId(new byte[] {(byte) 0xaf, (byte) 0xca}), new Payload.NatD(false, new byte[20]),
                new Payload.NatD(true, new byte[20]), new Payload.NatOa(false, 1, new byte[] {10, 0, 2, 15}),
                new Payload.NatOa(true, 1, new byte[] {10, 0, 2, 15}), new Payload.Fragment(0x0102, 3, 1, new byte[] {7, 7}),
                new Payload.Unknown(200, new byte[] {42}));
        byte[] msg = IsakmpCodec.encode(HDR, all);
        IsakmpHeader h = IsakmpCodec.decodeHeader(msg);
        assertThat(h.length()).isEqualTo(msg.length);
        assertThat(h.nextPayload()).isEqualTo(PayloadType.SA);
        PayloadChain chain = IsakmpCodec.decodePayloads(h, msg);
        assertThat(chain.payloads()).hasSize(all.size());
        assertThat(IsakmpCodec.encodePayloads(chain.payloads()))
                .isEqualTo(Arrays.copyOfRange(msg, IsakmpHeader.LENGTH, msg.length));
        Payload.Sa sa = chain.first(Payload.Sa.class);
        assertThat(sa.proposals().get(0).transforms().get(1).attribute(12).longValue()).isEqualTo(0x1_0000_0000L);
        assertThat(sa.proposals().get(0).transforms().get(0).attribute(1).tv()).isTrue();
        assertThat(chain.first(Payload.Id.class).port()).isEqualTo(1701);
        assertThat(chain.all(Payload.NatD.class)).extracting(Payload.NatD::draft).containsExactly(false, true);
        assertThat(chain.first(Payload.Delete.class).spis()).hasSize(2);
        assertThat(chain.first(Payload.Unknown.class).type()).isEqualTo(200);
        assertThat(chain.body(Payload.Ke.class)).containsExactly(1, 2, 3);
    }

    @Test
    void paddedBodyAcceptsTrailingOctetsUnpaddedDoesNot() throws Exception {
        byte[] body = IsakmpCodec.encodePayloads(List.of(new Payload.Hash(new byte[20])));
        byte[] padded = Arrays.copyOf(body, body.length + 7);
        assertThat(IsakmpCodec.decodePayloads(PayloadType.HASH, padded, 0, padded.length, true).payloads()).hasSize(1);
        assertThatThrownBy(() -> IsakmpCodec.decodePayloads(PayloadType.HASH, padded, 0, padded.length, false))
                .isInstanceOf(IkeDecodeException.class);
    }

    static IkeDropReason reasonOf(byte[] msg) {
        try {
            IsakmpHeader h = IsakmpCodec.decodeHeader(msg);
            IsakmpCodec.decodePayloads(h, msg);
            return null;
        } catch (IkeDecodeException e) {
            return e.reason();
        }
    }

    static byte[] valid() {
        return IsakmpCodec.encode(HDR, List.of(sa(), new Payload.VendorId(new byte[16])));
    }

    static byte[] withLength(byte[] m, int len) {
        m[24] = (byte) (len >>> 24);
        m[25] = (byte) (len >>> 16);
        m[26] = (byte) (len >>> 8);
        m[27] = (byte) len;
        return m;
    }

    @Test
    void malformedMessagesAreRejectedWithAReason() {
        assertThat(reasonOf(valid())).isNull();
        assertThat(reasonOf(new byte[0])).isEqualTo(IkeDropReason.TRUNCATED);
        assertThat(reasonOf(Arrays.copyOf(valid(), 27))).isEqualTo(IkeDropReason.TRUNCATED);
        byte[] m = valid();
        assertThat(reasonOf(withLength(m.clone(), m.length + 1))).isEqualTo(IkeDropReason.BAD_LENGTH);
        assertThat(reasonOf(withLength(m.clone(), m.length - 1))).isEqualTo(IkeDropReason.BAD_LENGTH);
        assertThat(reasonOf(withLength(m.clone(), -1))).isEqualTo(IkeDropReason.BAD_LENGTH);
        byte[] v2 = valid();
        v2[17] = 0x20;
        assertThat(reasonOf(v2)).isEqualTo(IkeDropReason.BAD_VERSION);
        byte[] zero = valid();
        Arrays.fill(zero, 0, 8, (byte) 0);
        assertThat(reasonOf(zero)).isEqualTo(IkeDropReason.ZERO_COOKIE);
        byte[] exch = valid();
        exch[18] = 99;
        assertThat(reasonOf(exch)).isEqualTo(IkeDropReason.UNSUPPORTED_EXCHANGE);
    }

    @Test
    void payloadLengthsThatLieAreRejected() {
        byte[] m = valid();
        int sa = IsakmpHeader.LENGTH;
        byte[] zeroLen = m.clone();
        zeroLen[sa + 2] = 0;
        zeroLen[sa + 3] = 0; // would loop forever on a naive parser
        assertThat(reasonOf(zeroLen)).isEqualTo(IkeDropReason.MALFORMED_PAYLOAD);
        byte[] tooLong = m.clone();
        tooLong[sa + 2] = 0x7f;
        assertThat(reasonOf(tooLong)).isEqualTo(IkeDropReason.TRUNCATED);
        byte[] proposalTooLong = m.clone();
        proposalTooLong[sa + 12 + 2] = 0x7f;
        assertThat(reasonOf(proposalTooLong)).isEqualTo(IkeDropReason.TRUNCATED);
        byte[] chainLoopsBack = m.clone(); // proposal payload type at top level
        chainLoopsBack[sa] = PayloadType.PROPOSAL;
        assertThat(reasonOf(chainLoopsBack)).isEqualTo(IkeDropReason.MALFORMED_PAYLOAD);
        byte[] chainRunsOff = m.clone(); // last payload says another follows
        int vid = sa + ((m[sa + 2] & 0xff) << 8 | m[sa + 3] & 0xff);
        chainRunsOff[vid] = PayloadType.NONCE;
        assertThat(reasonOf(chainRunsOff)).isEqualTo(IkeDropReason.TRUNCATED);
        byte[] transformCount = m.clone(); // claims 3 transforms, has 2
        transformCount[sa + 12 + 7] = 3;
        assertThat(reasonOf(transformCount)).isEqualTo(IkeDropReason.MALFORMED_PAYLOAD);
        byte[] attrTooLong = m.clone(); // first attribute turned into a TLV with a huge length
        attrTooLong[sa + 12 + 8 + 8] = 0x00;
        assertThat(reasonOf(attrTooLong)).isEqualTo(IkeDropReason.TRUNCATED);
    }

    @Test
    void tooManyPayloadsAreRejected() {
        List<Payload> many = java.util.stream.IntStream.range(0, 40).mapToObj(i -> (Payload) new Payload.VendorId(new byte[1])).toList();
        assertThat(reasonOf(IsakmpCodec.encode(HDR, many))).isEqualTo(IkeDropReason.TOO_MANY_PAYLOADS);
    }

    @Test
    void attributeEncodingFollowsRfc2408() {
        assertThat(HexFormat.of().formatHex(IsakmpCodec.encodePayloads(List.of(new Payload.Sa(1, 1, List.of(
                new Payload.Proposal(1, 1, new byte[0], List.of(new Payload.Transform(1, 1,
                        List.of(Attribute.of(1, 7), Attribute.of(12, 86400)))))))))))
                .isEqualTo("0000002800000001000000010000001c01010001"
                        + "0000001401010000" + "80010007" + "000c000400015180");
    }

    @Test
    void codesWeDoNotKnowDecodeAndEncodeAsReceived() throws Exception {
        // a notify type, DOI, protocol and ID type outside our enums: kept as numbers, the octets unchanged
        List<Payload> odd = List.of(new Payload.Notify(7, 9, 40000, new byte[0], new byte[] {1}),
                new Payload.Delete(7, 2, 4, List.of(new byte[4])), new Payload.Id(200, 0, 0, new byte[] {1}),
                new Payload.Cert(99, new byte[] {2}));
        byte[] msg = IsakmpCodec.encode(HDR, odd);
        PayloadChain chain = IsakmpCodec.decodePayloads(IsakmpCodec.decodeHeader(msg), msg);
        Payload.Notify n = chain.first(Payload.Notify.class);
        assertThat(n.notifyType()).isEqualTo(40000);
        assertThat(NotifyType.of(n.notifyType())).isNull();
        assertThat(Doi.of(n.doi())).isNull();
        assertThat(ProtocolId.of(chain.first(Payload.Delete.class).protocolId())).isEqualTo(ProtocolId.PROTO_IPSEC_AH);
        assertThat(IdType.of(chain.first(Payload.Id.class).idType())).isNull();
        assertThat(CertEncoding.of(chain.first(Payload.Cert.class).encoding())).isNull();
        assertThat(IsakmpCodec.encodePayloads(chain.payloads())).isEqualTo(Arrays.copyOfRange(msg, IsakmpHeader.LENGTH, msg.length));
    }

    @Test
    void enumConstructorsEncodeTheSameOctetsAsTheCodes() {
        assertThat(IsakmpCodec.encodePayloads(List.of(new Payload.Notify(Doi.IPSEC, ProtocolId.PROTO_ISAKMP,
                NotifyType.R_U_THERE_ACK, new byte[16], new byte[4]), new Payload.Id(IdType.ID_FQDN, 17, 500, new byte[] {'a'}),
                new Payload.Delete(Doi.IPSEC, ProtocolId.PROTO_IPSEC_ESP, 4, List.of(new byte[4])),
                new Payload.Cert(CertEncoding.X509_SIGNATURE, new byte[1]), new Payload.NatOa(false, IdType.ID_IPV4_ADDR, new byte[4]))))
                .isEqualTo(IsakmpCodec.encodePayloads(List.of(new Payload.Notify(1, 1, 36137, new byte[16], new byte[4]),
                        new Payload.Id(2, 17, 500, new byte[] {'a'}), new Payload.Delete(1, 3, 4, List.of(new byte[4])),
                        new Payload.Cert(4, new byte[1]), new Payload.NatOa(false, 1, new byte[4]))));
        for (NotifyType t : NotifyType.values()) assertThat(NotifyType.of(t.code())).isSameAs(t);
        for (IdType t : IdType.values()) assertThat(IdType.of(t.code())).isSameAs(t);
        assertThat(NotifyType.INITIAL_CONTACT.code()).isEqualTo(24578);
        assertThat(NotifyType.R_U_THERE.code()).isEqualTo(36136);
        assertThat(NotifyType.INVALID_CERTIFICATE.code()).isEqualTo(20);
    }
}
