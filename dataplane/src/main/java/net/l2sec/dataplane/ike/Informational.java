package net.l2sec.dataplane.ike;

import java.nio.ByteBuffer;
import java.util.List;
import net.l2sec.dataplane.ike.message.NotifyType;
import net.l2sec.dataplane.ike.message.Payload;
import net.l2sec.dataplane.ike.message.PayloadChain;
import net.l2sec.dataplane.ike.message.ProtocolId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The peer's Informational exchanges (RFC 2409 section 5.7), decrypted and with HASH(1) = prf(SKEYID_a, M-ID | N/D)
 * checked by {@link Exchanges}: Delete payloads for child SAs and the ISAKMP SA (RFC 2408 section 3.15),
 * INITIAL-CONTACT (RFC 2407 section 4.6.3.3), and DPD's notifications ({@link Dpd}). Any other notification is
 * logged and ignored. Ours go out through {@link Exchanges#sendInformational}.
 */
final class Informational {
    private static final Logger LOG = LoggerFactory.getLogger(Informational.class);
    private final IkeContext ctx;

    Informational(IkeContext ctx) {
        this.ctx = ctx;
    }

    /** Whether the last message of phase 1 carried INITIAL-CONTACT (RFC 2407 section 4.6.3.3). */
    static boolean initialContact(PayloadChain chain) {
        return chain.all(Payload.Notify.class).stream().anyMatch(n -> NotifyType.of(n.notifyType()) == NotifyType.INITIAL_CONTACT);
    }

    /** An Informational from the peer, payload by payload, until one of them ends the SA. */
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

    /**
     * A Delete payload: for ISAKMP SAs it names by their cookies, only the sender's own (this SA and the other
     * established SAs of the same client: same identity, address and port, {@link IkeSaTable#clientOf}); one that
     * names another client's SA is logged and ignored. For ESP SAs by the peer's inbound SPI, likewise among the
     * client's own ({@link ChildSas#removeByOutboundSpi}).
     */
    private void delete(IkeSa ike, Payload.Delete d) {
        if (ProtocolId.of(d.protocolId()) == ProtocolId.PROTO_ISAKMP) {
            List<IkeSa> own = ctx.sas().clientOf(ike);
            for (byte[] spi : d.spis()) {
                if (spi.length != 16) continue;
                ByteBuffer b = ByteBuffer.wrap(spi);
                IkeSa target = ctx.sas().find(b.getLong(), b.getLong());
                if (target == null) continue;
                if (own.contains(target)) {
                    ctx.deletion().delete(target, "peer deleted the ISAKMP SA", false, true);
                } else {
                    LOG.warn("{} peer={} delete of {} ignored: not an ISAKMP SA of this client", ike.tag, ike.peerText(),
                            target.tag);
                }
            }
        } else if (ProtocolId.of(d.protocolId()) == ProtocolId.PROTO_IPSEC_ESP && d.spiSize() == 4) {
            for (byte[] spi : d.spis()) {
                int outbound = ByteBuffer.wrap(spi).getInt(); // the peer names its inbound SPI: our outbound
                ctx.childSas().removeByOutboundSpi(ike, outbound, "peer delete");
            }
        }
    }

    private void notify(IkeSa ike, Payload.Notify n) {
        switch (NotifyType.of(n.notifyType())) {
            case R_U_THERE -> ctx.dpd().rUThere(ike, n);
            case R_U_THERE_ACK -> ctx.dpd().rUThereAck(ike, n);
            case INITIAL_CONTACT -> ctx.deletion().initialContact(ike);
            case null, default -> LOG.info("{} peer={} notify type={} ignored", ike.tag, ike.peerText(), n.notifyType());
        }
    }
}
