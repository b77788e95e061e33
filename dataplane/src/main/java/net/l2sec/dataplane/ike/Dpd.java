package net.l2sec.dataplane.ike;

import java.nio.ByteBuffer;
import java.util.List;
import net.l2sec.dataplane.ike.message.Doi;
import net.l2sec.dataplane.ike.message.NotifyType;
import net.l2sec.dataplane.ike.message.Payload;
import net.l2sec.dataplane.ike.message.ProtocolId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dead Peer Detection (RFC 3706), for SAs whose peer announced it with the DPD vendor ID (section 5.1,
 * {@link IsakmpVendor}): every {@code dpdDelay} without anything from the peer (IKE, or ESP on one of its child
 * SAs) we send R-U-THERE with the next sequence number, which an R-U-THERE-ACK with that number answers (section
 * 5.2); after {@code dpdMaxProbes} unanswered the peer is dead and its SA deleted, child SAs included. The peer's
 * R-U-THERE is answered with R-U-THERE-ACK echoing its sequence number.
 */
final class Dpd {
    private static final Logger LOG = LoggerFactory.getLogger(Dpd.class);
    private final IkeContext ctx;

    Dpd(IkeContext ctx) {
        this.ctx = ctx;
    }

    /** Phase 1 is established: probing starts if the peer does DPD and we are configured to. */
    void start(IkeSa ike) {
        if (ike.peerDpd && ctx.settings().dpdDelay().isPositive()) schedule(ike);
    }

    private void schedule(IkeSa ike) {
        ike.dpdTimer = ctx.scheduler().schedule(ctx.settings().dpdDelay(), () -> {
            if (ike.deleted()) return;
            long since = ctx.scheduler().nanoTime() - ctx.settings().dpdDelay().toNanos();
            boolean alive = ike.lastInboundNanos > since || ctx.childSas().inboundSince(ike, since);
            if (alive) {
                ike.dpdUnanswered = 0;
            } else if (ike.dpdUnanswered >= ctx.settings().dpdMaxProbes()) {
                LOG.warn("{} peer={} dead: {} R-U-THERE unanswered", ike.tag, ike.peerText(), ike.dpdUnanswered);
                ctx.metrics().dpdTimeout();
                ctx.deletion().delete(ike, "dpd", false, false);
                return;
            } else {
                probe(ike);
            }
            schedule(ike);
        });
    }

    /** Our R-U-THERE with the next sequence number (RFC 3706 section 5.2). */
    private void probe(IkeSa ike) {
        ike.dpdSequence++;
        ike.dpdUnanswered++;
        ctx.exchanges().sendInformational(ike, List.of(notify(ike, NotifyType.R_U_THERE,
                ByteBuffer.allocate(4).putInt(ike.dpdSequence).array())));
    }

    /** The peer's R-U-THERE: answered with its sequence number (RFC 3706 section 5.2). */
    void rUThere(IkeSa ike, Payload.Notify n) {
        if (n.data().length == 4) ctx.exchanges().sendInformational(ike, List.of(notify(ike, NotifyType.R_U_THERE_ACK, n.data())));
    }

    /** The peer's R-U-THERE-ACK: our last probe is answered if it names its sequence number. */
    void rUThereAck(IkeSa ike, Payload.Notify n) {
        if (n.data().length == 4 && ByteBuffer.wrap(n.data()).getInt() == ike.dpdSequence) ike.dpdUnanswered = 0;
    }

    /** A DPD notification: about the ISAKMP SA, its cookies as SPI, the sequence number as data (RFC 3706 section 5.3). */
    private static Payload.Notify notify(IkeSa ike, NotifyType type, byte[] sequence) {
        return new Payload.Notify(Doi.IPSEC, ProtocolId.PROTO_ISAKMP, type, ike.cookies(), sequence);
    }
}
