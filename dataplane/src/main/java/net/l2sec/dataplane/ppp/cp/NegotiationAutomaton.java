package net.l2sec.dataplane.ppp.cp;

import static net.l2sec.dataplane.ppp.cp.AutomatonState.ACK_RCVD;
import static net.l2sec.dataplane.ppp.cp.AutomatonState.ACK_SENT;
import static net.l2sec.dataplane.ppp.cp.AutomatonState.CLOSED;
import static net.l2sec.dataplane.ppp.cp.AutomatonState.CLOSING;
import static net.l2sec.dataplane.ppp.cp.AutomatonState.INITIAL;
import static net.l2sec.dataplane.ppp.cp.AutomatonState.OPENED;
import static net.l2sec.dataplane.ppp.cp.AutomatonState.REQ_SENT;
import static net.l2sec.dataplane.ppp.cp.AutomatonState.STARTING;
import static net.l2sec.dataplane.ppp.cp.AutomatonState.STOPPED;
import static net.l2sec.dataplane.ppp.cp.AutomatonState.STOPPING;

import java.time.Duration;
import java.util.List;
import net.l2sec.dataplane.ppp.cp.ControlPacket.CodeReject;
import net.l2sec.dataplane.ppp.cp.ControlPacket.ConfigureAck;
import net.l2sec.dataplane.ppp.cp.ControlPacket.ConfigureNak;
import net.l2sec.dataplane.ppp.cp.ControlPacket.ConfigureReject;
import net.l2sec.dataplane.ppp.cp.ControlPacket.ConfigureRequest;
import net.l2sec.dataplane.ppp.cp.ControlPacket.TerminateAck;
import net.l2sec.dataplane.ppp.cp.ControlPacket.TerminateRequest;
import net.l2sec.dataplane.ppp.cp.ControlPacket.UnknownCode;
import net.l2sec.spi.time.Scheduler;

/**
 * The option negotiation automaton of RFC 1661 section 4, one instance per control protocol (LCP, IPCP). Each
 * public event method is a column of the section 4.1 state transition table; each private action method is one
 * of the section 4.4 actions. The per-protocol option rules come from the {@link OptionPolicy}. Packets of codes
 * 8 and up (LCP's Echo, Discard and Protocol-Reject) are the caller's business (RXR / RXJ). Leaving Opened, the
 * automaton takes its next state before calling tld, so the layer can tell a renegotiation ({@code Req-Sent},
 * back to Link Establishment) from a termination ({@code Closing}, {@code Stopping}, {@code Starting}).
 *
 * <p>Confined to the session's event loop; the Restart timer runs on the injected {@link Scheduler}.
 */
public final class NegotiationAutomaton {
    /** Counters and the Restart timer value of RFC 1661 section 4.6. */
    public record Limits(Duration restartTimer, int maxConfigure, int maxTerminate, int maxFailure) {}

    private final OptionPolicy policy;
    private final LayerActions layer;
    private final Scheduler scheduler;
    private final Limits limits;

    private AutomatonState state = INITIAL;
    private int restartCount;
    private int failureCount;
    private int nextIdentifier;
    private int requestIdentifier = -1;
    /** The options of our last Configure-Request (to tell a retransmission from a new request). */
    private List<ConfigOption> requested = List.of();
    private Scheduler.Timeout restartTimer;

    public NegotiationAutomaton(OptionPolicy policy, LayerActions layer, Scheduler scheduler, Limits limits, int firstIdentifier) {
        this.policy = policy;
        this.layer = layer;
        this.scheduler = scheduler;
        this.limits = limits;
        this.nextIdentifier = firstIdentifier & 0xff;
    }

    public AutomatonState state() {
        return state;
    }

    public boolean isOpened() {
        return state == OPENED;
    }

    /** The next Identifier, for LCP packets the caller sends itself (Echo-Request, Protocol-Reject). */
    public int takeIdentifier() {
        int id = nextIdentifier;
        nextIdentifier = (nextIdentifier + 1) & 0xff;
        return id;
    }

    // ---- events (section 4.3) ----

    public void up() {
        switch (state) {
            case INITIAL -> to(CLOSED);
            case STARTING -> { irc(false); scr(); to(REQ_SENT); }
            default -> { }
        }
    }

    public void down() {
        switch (state) {
            case CLOSED, CLOSING -> to(INITIAL);
            case STOPPED -> { tls(); to(STARTING); }
            case STOPPING, REQ_SENT, ACK_RCVD, ACK_SENT -> to(STARTING);
            case OPENED -> { to(STARTING); tld(); }
            default -> { }
        }
    }

    public void open() {
        switch (state) {
            case INITIAL -> { tls(); to(STARTING); }
            case CLOSED -> { irc(false); scr(); to(REQ_SENT); }
            case CLOSING -> to(STOPPING);
            default -> { }
        }
    }

    public void close() {
        switch (state) {
            case STARTING -> { to(INITIAL); tlf(); }
            case STOPPED -> to(CLOSED);
            case STOPPING -> to(CLOSING);
            case REQ_SENT, ACK_RCVD, ACK_SENT -> { irc(true); str(); to(CLOSING); }
            case OPENED -> { to(CLOSING); tld(); irc(true); str(); }
            default -> { }
        }
    }

    /** Dispatches a received packet of codes 1 to 7 (or an unknown code) to its event. */
    public void receive(ControlPacket packet) {
        if (state == INITIAL || state == STARTING) return;     // no lower layer yet: RFC 1661 table "-"
        switch (packet) {
            case ConfigureRequest r -> receiveConfigureRequest(r);
            case ConfigureAck a -> {
                if (a.identifier() != requestIdentifier) return;           // section 5.2: invalid, discard
                policy.acknowledged(a.options());
                rca();
            }
            case ConfigureNak n -> {
                if (n.identifier() != requestIdentifier) return;
                policy.nakReceived(n.options());
                rcn();
            }
            case ConfigureReject j -> {
                if (j.identifier() != requestIdentifier) return;
                policy.rejectReceived(j.options());
                rcn();
            }
            case TerminateRequest t -> rtr(t.identifier());
            case TerminateAck t -> rta();
            case CodeReject c -> {
                int rejected = c.rejectedPacket().length > 0 ? c.rejectedPacket()[0] & 0xff : 0;
                // section 5.6: rejecting a code we need for negotiation or termination is catastrophic
                if (ControlCode.of(rejected).filter(ControlCode::common).isPresent()) rxjMinus(); else rxjPlus();
            }
            case UnknownCode u -> ruc(u);
            default -> { }   // codes 8..12 belong to the caller
        }
    }

    private void receiveConfigureRequest(ConfigureRequest r) {
        switch (state) {
            case CLOSED -> { sta(r.identifier()); return; }
            case STOPPED -> { irc(false); scr(); }
            case CLOSING, STOPPING -> { return; }
            case OPENED -> { to(REQ_SENT); tld(); scr(); }
            default -> { }
        }
        RequestVerdict verdict = policy.examine(r.options());
        if (verdict.kind() == RequestVerdict.Kind.ACK) {
            layer.send(new ConfigureAck(r.identifier(), r.options()));       // sca
            failureCount = 0;
            switch (state) {
                case ACK_RCVD -> { to(OPENED); tlu(); }
                default -> to(ACK_SENT);
            }
        } else {
            scn(r, verdict);
            if (state != ACK_RCVD) to(REQ_SENT);
        }
    }

    private void rca() {
        switch (state) {
            case CLOSED -> sta(takeIdentifier());
            case STOPPED -> sta(takeIdentifier());
            case REQ_SENT -> { irc(false); to(ACK_RCVD); }
            case ACK_RCVD -> { scr(); to(REQ_SENT); }
            case ACK_SENT -> { irc(false); to(OPENED); tlu(); }
            case OPENED -> { to(REQ_SENT); tld(); scr(); }
            default -> { }
        }
    }

    private void rcn() {
        switch (state) {
            case CLOSED, STOPPED -> sta(takeIdentifier());
            case REQ_SENT -> { irc(false); scr(); }
            case ACK_RCVD -> { scr(); to(REQ_SENT); }
            case ACK_SENT -> { irc(false); scr(); }
            case OPENED -> { to(REQ_SENT); tld(); scr(); }
            default -> { }
        }
    }

    private void rtr(int identifier) {
        switch (state) {
            case OPENED -> { to(STOPPING); tld(); zrc(); sta(identifier); }
            case ACK_RCVD, ACK_SENT -> { sta(identifier); to(REQ_SENT); }
            default -> sta(identifier);
        }
    }

    private void rta() {
        switch (state) {
            case CLOSING -> { to(CLOSED); tlf(); }
            case STOPPING -> { to(STOPPED); tlf(); }
            case ACK_RCVD -> to(REQ_SENT);
            case OPENED -> { to(REQ_SENT); tld(); scr(); }
            default -> { }
        }
    }

    private void ruc(UnknownCode u) {
        layer.send(new CodeReject(takeIdentifier(), u.packet()));          // scj
    }

    /** RXJ+: a permitted Code-Reject or Protocol-Reject. */
    public void rxjPlus() {
        if (state == ACK_RCVD) to(REQ_SENT);
    }

    /** RXJ-: a catastrophic Code-Reject or Protocol-Reject. */
    public void rxjMinus() {
        switch (state) {
            case CLOSING -> { to(CLOSED); tlf(); }
            case STOPPING, REQ_SENT, ACK_RCVD, ACK_SENT -> { to(STOPPED); tlf(); }
            case OPENED -> { to(STOPPING); tld(); irc(true); str(); }
            case CLOSED, STOPPED -> tlf();
            default -> { }
        }
    }

    private void timeout() {
        restartTimer = null;
        if (!state.timerRunning()) return;
        if (restartCount > 0) {                                              // TO+
            switch (state) {
                case CLOSING, STOPPING -> str();
                // REQ_SENT, ACK_SENT: no valid reply came for the request; ACK_RCVD: its Ack came (a new one)
                case REQ_SENT -> { scr(true); to(REQ_SENT); }
                case ACK_RCVD -> { scr(false); to(REQ_SENT); }
                case ACK_SENT -> scr(true);
                default -> { }
            }
        } else {                                                             // TO-
            switch (state) {
                case CLOSING -> { to(CLOSED); tlf(); }
                default -> { to(STOPPED); tlf(); }
            }
        }
    }

    /** Cancels the Restart timer for good (session teardown). */
    public void shutdown() {
        cancelTimer();
        state = INITIAL;
    }

    // ---- actions (section 4.4) ----

    private void tlu() { layer.thisLayerUp(); }

    private void tld() { layer.thisLayerDown(); }

    private void tls() {
        policy.restart();
        layer.thisLayerStarted();
    }

    private void tlf() { layer.thisLayerFinished(); }

    private void irc(boolean terminate) {
        restartCount = terminate ? limits.maxTerminate() : limits.maxConfigure();
        if (!terminate) failureCount = 0;
    }

    private void zrc() {
        restartCount = 0;
        startTimer();
    }

    private void scr() {
        scr(false);
    }

    /**
     * scr. Section 5.1: the Identifier MUST change when the options change or a valid reply came for the previous
     * request; a retransmission MAY keep it. We keep it, so that an Ack to the previous copy, late because the
     * peer or the path was slow (a connection storm), still counts instead of being discarded.
     */
    private void scr(boolean retransmission) {
        List<ConfigOption> options = policy.ourRequest();
        if (!retransmission || requestIdentifier < 0 || !options.equals(requested)) requestIdentifier = takeIdentifier();
        requested = options;
        restartCount--;
        layer.send(new ConfigureRequest(requestIdentifier, options));
        startTimer();
    }

    /** scn, with section 4.6 Max-Failure: after too many Naks, the options are rejected instead. */
    private void scn(ConfigureRequest request, RequestVerdict verdict) {
        if (verdict.kind() == RequestVerdict.Kind.REJECT) {
            layer.send(new ConfigureReject(request.identifier(), verdict.options()));
        } else if (failureCount >= limits.maxFailure()) {
            // a Reject carries the peer's options unchanged, so reject the requested ones we kept Nak-ing
            var types = verdict.options().stream().map(ConfigOption::type).collect(java.util.stream.Collectors.toSet());
            var rejected = request.options().stream().filter(o -> types.contains(o.type())).toList();
            layer.send(new ConfigureReject(request.identifier(), rejected.isEmpty() ? verdict.options() : rejected));
        } else {
            failureCount++;
            layer.send(new ConfigureNak(request.identifier(), verdict.options()));
        }
    }

    private void str() {
        restartCount--;
        layer.send(new TerminateRequest(takeIdentifier(), new byte[0]));
        startTimer();
    }

    private void sta(int identifier) {
        layer.send(new TerminateAck(identifier, new byte[0]));
    }

    private void to(AutomatonState next) {
        state = next;
        if (!next.timerRunning()) cancelTimer();
    }

    private void startTimer() {
        cancelTimer();
        restartTimer = scheduler.schedule(limits.restartTimer(), this::timeout);
    }

    private void cancelTimer() {
        if (restartTimer != null) {
            restartTimer.cancel();
            restartTimer = null;
        }
    }
}
