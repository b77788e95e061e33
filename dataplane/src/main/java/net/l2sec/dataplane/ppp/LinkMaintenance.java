package net.l2sec.dataplane.ppp;

import io.netty.buffer.ByteBuf;
import java.time.Duration;
import java.util.function.Consumer;
import net.l2sec.dataplane.ppp.cp.ControlPacket;
import net.l2sec.dataplane.ppp.cp.ControlPacket.DiscardRequest;
import net.l2sec.dataplane.ppp.cp.ControlPacket.EchoReply;
import net.l2sec.dataplane.ppp.cp.ControlPacket.EchoRequest;
import net.l2sec.dataplane.ppp.cp.ControlPacket.ProtocolReject;
import net.l2sec.dataplane.ppp.cp.ControlPacketCodec;
import net.l2sec.dataplane.ppp.cp.NegotiationAutomaton;
import net.l2sec.dataplane.ppp.lcp.LcpOptions;
import net.l2sec.spi.time.Scheduler;

/**
 * LCP's Link Maintenance packets (RFC 1661 section 5) once LCP is Opened, Code-Reject aside (the automaton's):
 * Protocol-Reject both ways (section 5.7), Echo-Request and Echo-Reply (section 5.8), Discard-Request (5.9).
 * An Echo-Request goes out every {@code interval} as a keepalive; when {@code maxUnanswered} of them in a row got
 * no reply the peer is gone. Our own Magic-Number coming back is a looped-back link: counted, never answered or
 * taken as a reply.
 */
final class LinkMaintenance {
    /** What the session hears. */
    interface Actions {
        /** The keepalive went unanswered: the peer is gone. */
        void peerGone();

        /** The peer rejected one of our protocols. */
        void protocolRejected(int protocol);
    }

    private final NegotiationAutomaton lcp;
    private final LcpOptions options;
    private final Consumer<ControlPacket> send;
    private final Scheduler scheduler;
    private final Duration interval;
    private final int maxUnanswered;
    private final PppMeters meters;
    private final Actions actions;
    private Scheduler.Timeout timer;
    private int unanswered;

    /** @param interval zero or negative: no keepalive (Echo-Requests are still answered) */
    LinkMaintenance(NegotiationAutomaton lcp, LcpOptions options, Consumer<ControlPacket> send, Scheduler scheduler,
                    Duration interval, int maxUnanswered, PppMeters meters, Actions actions) {
        this.lcp = lcp;
        this.options = options;
        this.send = send;
        this.scheduler = scheduler;
        this.interval = interval;
        this.maxUnanswered = maxUnanswered;
        this.meters = meters;
        this.actions = actions;
    }

    /** LCP is Opened: the keepalive starts. */
    void start() {
        if (interval.isZero() || interval.isNegative()) return;
        unanswered = 0;
        timer = scheduler.schedule(interval, this::due);
    }

    /** LCP left Opened, or the session ends. */
    void stop() {
        if (timer != null) timer.cancel();
        timer = null;
    }

    /** A Link Maintenance packet from the peer (codes 8 to 11); ignored unless LCP is Opened. */
    void receive(ControlPacket packet) {
        if (!lcp.isOpened()) return;
        switch (packet) {
            case EchoRequest request -> {
                if (!loopedBack(request.magicNumber())) {
                    send.accept(new EchoReply(request.identifier(), options.magicNumber(), request.data()));
                }
            }
            // our own Magic-Number coming back is our Echo-Request looped back, not an answer
            case EchoReply reply -> {
                if (!loopedBack(reply.magicNumber())) unanswered = 0;
            }
            case ProtocolReject reject -> actions.protocolRejected(reject.rejectedProtocol());
            case DiscardRequest discard -> { }
            default -> throw new IllegalArgumentException("not a Link Maintenance packet: " + packet);
        }
    }

    /** Rejects a frame of a protocol we do not speak; the rejected information is cut to the peer's MRU. */
    void protocolReject(int protocol, ByteBuf information) {
        if (!lcp.isOpened()) return;
        int max = Math.max(0, options.peerMru() - ControlPacketCodec.HEADER_LENGTH - 2);
        byte[] rejected = new byte[Math.min(information.readableBytes(), max)];
        information.getBytes(information.readerIndex(), rejected);
        send.accept(new ProtocolReject(lcp.takeIdentifier(), protocol, rejected));
    }

    private boolean loopedBack(int magicNumber) {
        if (magicNumber == 0 || magicNumber != options.magicNumber()) return false;
        meters.loopback();
        return true;
    }

    private void due() {
        timer = null;
        if (!lcp.isOpened()) return;
        if (unanswered >= maxUnanswered) {
            actions.peerGone();
            return;
        }
        unanswered++;
        send.accept(new EchoRequest(lcp.takeIdentifier(), options.magicNumber(), new byte[0]));
        timer = scheduler.schedule(interval, this::due);
    }
}
