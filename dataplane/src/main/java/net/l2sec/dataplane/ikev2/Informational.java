package net.l2sec.dataplane.ikev2;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import net.l2sec.dataplane.ikev2.message.ExchangeType;
import net.l2sec.dataplane.ikev2.message.Ikev2Header;
import net.l2sec.dataplane.ikev2.message.NotifyType;
import net.l2sec.dataplane.ikev2.message.Payload;
import net.l2sec.dataplane.ikev2.message.Payload.Delete;
import net.l2sec.dataplane.ikev2.message.Payload.Notify;
import net.l2sec.dataplane.ikev2.message.Payload.Proposal;
import net.l2sec.spi.session.EndCause;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * INFORMATIONAL, responder side (RFC 7296 section 1.4): Delete of the IKE SA (the client disconnects) or of child
 * SAs (after its rekey: we answer with the SPIs of our halves, section 1.4.1), the empty request of a liveness
 * check (section 2.4), and MOBIKE's UPDATE_SA_ADDRESSES (RFC 4555 section 3.5: the SAs move to the address the
 * request came from; its COOKIE2 is echoed).
 */
final class Informational {
    private static final Logger log = LoggerFactory.getLogger(Ikev2Responder.class);
    private final Ikev2Responder r;

    Informational(Ikev2Responder responder) {
        this.r = responder;
    }

    void request(Ikev2Sa sa, InetSocketAddress peer, InetSocketAddress local, Ikev2Header h, List<Payload> in) {
        int mid = h.messageId();
        List<Payload> out = new ArrayList<>();
        boolean deleteIke = false;
        for (Payload p : in) {
            switch (p) {
                case Delete d when d.protocol() == Proposal.IKE -> deleteIke = true;
                case Delete d when d.protocol() == Proposal.ESP && d.spiSize() == 4 -> {
                    List<byte[]> ours = new ArrayList<>();
                    for (byte[] spi : d.spis()) {
                        int peerInbound = ByteBuffer.wrap(spi).getInt();
                        Ikev2Sa.Child c = sa.childByOutbound(peerInbound);
                        if (c == null) continue;
                        sa.children.remove(c);
                        r.childSas.remove(c.inboundSpi(), "deleted by peer");
                        ours.add(IkeAuth.spiBytes(c.inboundSpi()));
                    }
                    if (!ours.isEmpty()) out.add(new Delete(Proposal.ESP, 4, ours));
                }
                case Notify n when n.notifyType() == NotifyType.UPDATE_SA_ADDRESSES -> {
                    if (sa.peerMobike && r.v2.mobike() && sa.state == Ikev2Sa.State.ESTABLISHED) {
                        if (!peer.equals(sa.peer) || !local.equals(sa.local)) {
                            log.info("{} mobike: peer moved {} -> {}", sa.tag, Ikev2Responder.address(sa.peer), Ikev2Responder.address(peer));
                            r.moveSa(sa, peer, local);
                            r.metrics.mobikeUpdate();
                        }
                    }
                }
                case Notify n when n.notifyType() == NotifyType.COOKIE2 -> out.add(Notify.of(NotifyType.COOKIE2, n.data()));
                case Notify n when n.notifyType() == NotifyType.NAT_DETECTION_SOURCE_IP && sa.peerMobike -> {
                    out.add(Notify.of(NotifyType.NAT_DETECTION_SOURCE_IP, IkeSaInit.natHash(sa.initiatorSpi, sa.responderSpi, local)));
                    byte[] decoy = new byte[20];
                    r.random.nextBytes(decoy);
                    out.add(Notify.of(NotifyType.NAT_DETECTION_DESTINATION_IP, decoy));
                }
                default -> {
                }
            }
        }
        if (deleteIke) {
            r.respond(sa, mid, ExchangeType.INFORMATIONAL, List.of());
            r.metrics.deleteReceived();
            log.info("{} deleted by peer {}", sa.tag, Ikev2Responder.address(sa.peer));
            r.tearDown(sa, EndCause.PEER_REQUEST, "deleted by peer");
            return;
        }
        r.respond(sa, mid, ExchangeType.INFORMATIONAL, out);
    }
}
