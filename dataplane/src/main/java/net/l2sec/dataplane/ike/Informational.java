package net.l2sec.dataplane.ike;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import net.l2sec.dataplane.ike.message.Doi;
import net.l2sec.dataplane.ike.message.ExchangeType;
import net.l2sec.dataplane.ike.message.NotifyType;
import net.l2sec.dataplane.ike.message.Payload;
import net.l2sec.dataplane.ike.message.PayloadChain;
import net.l2sec.dataplane.ike.message.ProtocolId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Informational exchanges (RFC 2409 section 5.7), protected by HASH(1) = prf(SKEYID_a, M-ID | N/D): Delete
 * payloads, INITIAL-CONTACT (RFC 2407 section 4.6.3.3) and DPD (RFC 3706).
 */
final class Informational {
    private static final Logger LOG = LoggerFactory.getLogger(Informational.class);
    private final IkeResponder responder;

    Informational(IkeResponder responder) {
        this.responder = responder;
    }

    /** Whether the last message of phase 1 carried INITIAL-CONTACT (RFC 2407 section 4.6.3.3). */
    static boolean initialContact(PayloadChain chain) {
        return chain.all(Payload.Notify.class).stream().anyMatch(n -> NotifyType.of(n.notifyType()) == NotifyType.INITIAL_CONTACT);
    }

    /** An informational from the peer, decrypted and with HASH(1) checked. */
    void process(IkeSa ike, PayloadChain chain) {
        for (Payload p : chain.payloads()) {
            switch (p) {
                case Payload.Delete d -> delete(ike, d);
                case Payload.Notify n -> notify(ike, n);
                default -> {
                }
            }
            if (ike.deleted()) return;
        }
    }

    private void delete(IkeSa ike, Payload.Delete d) {
        if (ProtocolId.of(d.protocolId()) == ProtocolId.PROTO_ISAKMP) {
            for (byte[] spi : d.spis()) {
                if (spi.length == 16) {
                    ByteBuffer b = ByteBuffer.wrap(spi);
                    IkeSa target = responder.find(b.getLong(), b.getLong());
                    if (target != null) responder.deleteSa(target, "peer deleted the ISAKMP SA", false, true);
                }
            }
        } else if (ProtocolId.of(d.protocolId()) == ProtocolId.PROTO_IPSEC_ESP && d.spiSize() == 4) {
            for (byte[] spi : d.spis()) {
                int outbound = ByteBuffer.wrap(spi).getInt(); // the peer names its inbound SPI: our outbound
                responder.removeChildByOutboundSpi(ike, outbound, "peer delete");
            }
        }
    }

    private void notify(IkeSa ike, Payload.Notify n) {
        switch (NotifyType.of(n.notifyType())) {
            case R_U_THERE -> {
                if (n.data().length == 4) {
                    send(ike, List.of(new Payload.Notify(Doi.IPSEC, ProtocolId.PROTO_ISAKMP,
                            NotifyType.R_U_THERE_ACK, ike.cookies(), n.data())));
                }
            }
            case R_U_THERE_ACK -> {
                if (n.data().length == 4 && ByteBuffer.wrap(n.data()).getInt() == ike.dpdSequence) ike.dpdUnanswered = 0;
            }
            case INITIAL_CONTACT -> responder.initialContact(ike);
            case null, default -> LOG.info("{} peer={} notify type={} ignored", ike.tag, ike.peerText(), n.notifyType());
        }
    }

    /** Sends an informational with {@code payloads} under a fresh message id. */
    void send(IkeSa ike, List<Payload> payloads) {
        int mid = responder.newMessageId();
        byte[] msg = ike.protectWithHash1(ExchangeType.INFORMATIONAL, mid, payloads);
        ike.keymat.endExchange(mid);
        responder.send(ike, msg);
    }

    void sendNotify(IkeSa ike, NotifyType type, ProtocolId protocol, byte[] spi) {
        send(ike, List.of(new Payload.Notify(Doi.IPSEC, protocol, type, spi, new byte[0])));
    }

    /** DPD probe (RFC 3706 section 5.1). */
    void rUThere(IkeSa ike) {
        ike.dpdSequence++;
        ike.dpdUnanswered++;
        send(ike, List.of(new Payload.Notify(Doi.IPSEC, ProtocolId.PROTO_ISAKMP, NotifyType.R_U_THERE,
                ike.cookies(), ByteBuffer.allocate(4).putInt(ike.dpdSequence).array())));
    }

    /** Delete payloads for every child SA (our inbound SPIs) and the ISAKMP SA itself. */
    void sendDeletes(IkeSa ike) {
        List<Payload> deletes = new ArrayList<>();
        List<byte[]> spis = new ArrayList<>();
        for (IkeSa.ChildSa c : ike.children) spis.add(ByteBuffer.allocate(4).putInt(c.inboundSpi()).array());
        if (!spis.isEmpty()) deletes.add(new Payload.Delete(Doi.IPSEC, ProtocolId.PROTO_IPSEC_ESP, 4, spis));
        if (!deletes.isEmpty()) send(ike, deletes);
        send(ike, List.of(new Payload.Delete(Doi.IPSEC, ProtocolId.PROTO_ISAKMP, 16, List.of(ike.cookies()))));
    }
}
