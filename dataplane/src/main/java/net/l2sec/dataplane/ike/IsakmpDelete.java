package net.l2sec.dataplane.ike;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import net.l2sec.dataplane.ike.message.Doi;
import net.l2sec.dataplane.ike.message.Payload;
import net.l2sec.dataplane.ike.message.ProtocolId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The end of an ISAKMP SA, whatever ends it: the peer's Delete (RFC 2408 section 3.15), its lifetime, DPD, a failed
 * phase 1, INITIAL-CONTACT of a newer SA (RFC 2407 section 4.6.3.3), our shutdown. Its child SAs move to a newer SA
 * of the same client when one takes them over (IKEv1 IPsec SAs outlive the ISAKMP SA that made them), else they
 * go with it ({@link ChildSas}).
 */
final class IsakmpDelete {
    private static final Logger LOG = LoggerFactory.getLogger(IsakmpDelete.class);
    private final IkeContext ctx;

    IsakmpDelete(IkeContext ctx) {
        this.ctx = ctx;
    }

    /**
     * Ends {@code ike}; nothing happens if it has ended already.
     *
     * @param notifyPeer send Delete payloads for its child SAs and itself first
     * @param adopt      hand the child SAs to a newer SA of the same client if there is one (phase-1 rekey); else
     *                   they are removed
     */
    void delete(IkeSa ike, String cause, boolean notifyPeer, boolean adopt) {
        if (ike.deleted()) return;
        IkeSa successor = adopt ? ctx.sas().sameClient(ike).reduce((a, b) -> b).orElse(null) : null;
        if (notifyPeer && ike.established()) {
            if (successor != null) ctx.exchanges().sendInformational(ike, List.of(isakmpDelete(ike)));
            else sendDeletes(ike);
        }
        ctx.sas().remove(ike);
        ike.delete();
        ike.cancelTimers();
        ctx.exchanges().abandonAll(ike);
        if (successor != null) ctx.childSas().moveAll(ike, successor);
        else ctx.childSas().removeAll(ike, cause);
        ike.wipe();
        LOG.info("{} peer={} deleted cause={}{}", ike.tag, ike.peerText(), cause,
                successor != null ? " (child SAs moved to " + successor.tag + ")" : "");
    }

    /** INITIAL-CONTACT: the client rebooted; its older SAs are gone on its side (RFC 2407 section 4.6.3.3). */
    void initialContact(IkeSa ike) {
        for (IkeSa old : ctx.sas().sameClient(ike).toList()) {
            LOG.info("{} peer={} initial-contact: deleting older {}", ike.tag, ike.peerText(), old.tag);
            delete(old, "initial-contact", false, false);
        }
    }

    /** Delete payloads for every child SA (our inbound SPIs), then for the ISAKMP SA itself. */
    private void sendDeletes(IkeSa ike) {
        List<byte[]> spis = new ArrayList<>();
        for (ChildSa c : ctx.childSas().of(ike)) spis.add(ByteBuffer.allocate(4).putInt(c.inboundSpi()).array());
        if (!spis.isEmpty()) {
            ctx.exchanges().sendInformational(ike, List.of(new Payload.Delete(Doi.IPSEC, ProtocolId.PROTO_IPSEC_ESP, 4, spis)));
        }
        ctx.exchanges().sendInformational(ike, List.of(isakmpDelete(ike)));
    }

    private static Payload.Delete isakmpDelete(IkeSa ike) {
        return new Payload.Delete(Doi.IPSEC, ProtocolId.PROTO_ISAKMP, 16, List.of(ike.cookies()));
    }
}
