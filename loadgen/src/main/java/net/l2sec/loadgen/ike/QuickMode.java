package net.l2sec.loadgen.ike;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;
import net.l2sec.dataplane.ike.message.Attribute;
import net.l2sec.dataplane.ike.message.Doi;
import net.l2sec.dataplane.ike.message.EncapsulationMode;
import net.l2sec.dataplane.ike.message.ExchangeType;
import net.l2sec.dataplane.ike.message.IdType;
import net.l2sec.dataplane.ike.message.IkeDecodeException;
import net.l2sec.dataplane.ike.message.IpsecAttribute;
import net.l2sec.dataplane.ike.message.IsakmpHeader;
import net.l2sec.dataplane.ike.message.LifeType;
import net.l2sec.dataplane.ike.message.Payload;
import net.l2sec.dataplane.ike.message.PayloadChain;
import net.l2sec.dataplane.ike.message.ProtocolId;
import net.l2sec.dataplane.ipsec.EspCipher;
import net.l2sec.dataplane.ipsec.EspIntegrity;

/**
 * Quick Mode, initiator side (RFC 2409 section 5.5), for transport-mode ESP protecting L2TP as Windows asks for it:
 * UDP-Encapsulated-Transport (RFC 3947 section 5.1), IDs for UDP port 1701 on both ends, NAT-OAi and NAT-OAr
 * (section 5.2), no PFS.
 * <pre>
 *  HDR*, HASH(1), SA, Ni, IDci, IDcr, NAT-OAi, NAT-OAr  -->
 *                                                  <--  HDR*, HASH(2), SA, Nr, IDci, IDcr [, NAT-OA...]
 *  HDR*, HASH(3)                                        -->
 * </pre>
 */
final class QuickMode {
    static final int L2TP_PORT = 1701;
    static final int UDP = 17;
    static final int LIFETIME_SECONDS = 3600;

    /** The keys of the two SAs: {@code inbound} for {@code inboundSpi} (ours), {@code outbound} for the server's. */
    record Keys(int inboundSpi, int outboundSpi, byte[] inbound, byte[] outbound) {}

    final int messageId;
    private final IkeSa sa;
    private final EspProposal proposal;
    private final int inboundSpi;
    private final byte[] ni = new byte[32];
    private byte[] message3;

    QuickMode(IkeSa sa, EspProposal proposal, RandomGenerator random) {
        this.sa = sa;
        this.proposal = proposal;
        int mid;
        do mid = random.nextInt(); while (mid == 0);
        this.messageId = mid;
        this.inboundSpi = 0x1000_0000 | random.nextInt(0x0fff_ffff) + 1; // never one of the reserved SPIs 0..255
        random.nextBytes(ni);
    }

    byte[] message1() {
        List<Attribute> a = new ArrayList<>();
        a.add(Attribute.of(IpsecAttribute.SA_LIFE_TYPE.code(), LifeType.SECONDS.code()));
        a.add(Attribute.of(IpsecAttribute.SA_LIFE_DURATION.code(), LIFETIME_SECONDS));
        a.add(Attribute.of(IpsecAttribute.ENCAPSULATION_MODE.code(), EncapsulationMode.UDP_ENCAPSULATED_TRANSPORT.code()));
        if (proposal.integrity() != EspIntegrity.NONE) {
            a.add(Attribute.of(IpsecAttribute.AUTHENTICATION_ALGORITHM.code(), proposal.integrity().authAlgorithm()));
        }
        if (proposal.cipher() != EspCipher.TRIPLE_DES_CBC) a.add(Attribute.of(IpsecAttribute.KEY_LENGTH.code(), proposal.keyBits()));
        byte[] spi = ByteBuffer.allocate(4).putInt(inboundSpi).array();
        byte[] us = sa.inner.getAddress();
        byte[] them = sa.server.getAddress().getAddress();
        List<Payload> rest = List.of(
                new Payload.Sa(Doi.IPSEC.code(), 1, List.of(new Payload.Proposal(1, ProtocolId.PROTO_IPSEC_ESP.code(), spi,
                        List.of(new Payload.Transform(1, proposal.cipher().transformId(), a))))),
                new Payload.Nonce(ni),
                new Payload.Id(IdType.ID_IPV4_ADDR.code(), UDP, L2TP_PORT, us),
                new Payload.Id(IdType.ID_IPV4_ADDR.code(), UDP, L2TP_PORT, them),
                new Payload.NatOa(false, IdType.ID_IPV4_ADDR.code(), us),
                new Payload.NatOa(false, IdType.ID_IPV4_ADDR.code(), them));
        return sa.protectWithHash1(ExchangeType.QUICK_MODE, messageId, rest);
    }

    /** Message 2 checked (HASH(2), the transform is ours); builds message 3 and returns both SAs' keys. */
    Keys message2(IsakmpHeader h, byte[] msg) throws IkeFailure {
        byte[] body = IkeSa.body(h, msg);
        PayloadChain c;
        try {
            c = sa.decrypt(h, body);
        } catch (GeneralSecurityException | IkeDecodeException e) {
            throw new IkeFailure("undecryptable_message_2");
        }
        if (c.payloads().isEmpty() || !(c.payloads().get(0) instanceof Payload.Hash hash)
                || !MessageDigest.isEqual(hash.data(), sa.keymat.hash2(messageId, ni, c.afterFirst()))) {
            throw new IkeFailure("bad_hash_2");
        }
        sa.keymat.authentic(messageId, body);
        Payload.Sa chosen = c.first(Payload.Sa.class);
        Payload.Nonce nonce = c.first(Payload.Nonce.class);
        if (chosen == null || nonce == null || chosen.proposals().size() != 1
                || chosen.proposals().get(0).spi().length != 4 || chosen.proposals().get(0).transforms().size() != 1) {
            throw new IkeFailure("bad_proposal");
        }
        Payload.Transform t = chosen.proposals().get(0).transforms().get(0);
        Attribute mode = t.attribute(IpsecAttribute.ENCAPSULATION_MODE.code());
        if (t.transformId() != proposal.cipher().transformId() || mode == null
                || mode.longValue() != EncapsulationMode.UDP_ENCAPSULATED_TRANSPORT.code()) {
            throw new IkeFailure("bad_proposal");
        }
        int outboundSpi = ByteBuffer.wrap(chosen.proposals().get(0).spi()).getInt();
        byte[] nr = nonce.data();
        message3 = sa.protect(ExchangeType.QUICK_MODE, messageId, List.of(new Payload.Hash(sa.keymat.hash3(messageId, ni, nr))));
        sa.keymat.endExchange(messageId);
        int len = proposal.keymatLength();
        int esp = ProtocolId.PROTO_IPSEC_ESP.code();
        Keys k = new Keys(inboundSpi, outboundSpi, sa.keymat.childKeymat(null, esp, inboundSpi, ni, nr, len),
                sa.keymat.childKeymat(null, esp, outboundSpi, ni, nr, len));
        Arrays.fill(ni, (byte) 0);
        return k;
    }

    /** Our message 3, sent again when the responder repeats message 2 (ours was lost). */
    byte[] message3() {
        return message3;
    }

    int inboundSpi() {
        return inboundSpi;
    }
}
