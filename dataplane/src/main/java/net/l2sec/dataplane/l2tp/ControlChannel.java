package net.l2sec.dataplane.l2tp;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import net.l2sec.spi.time.Scheduler;

/**
 * Reliable delivery of control messages on one tunnel (RFC 2661 section 5.8 and Appendix A): Ns/Nr in 16-bit
 * arithmetic, a send window from the peer's Receive Window Size, retransmission with exponential backoff,
 * in-order delivery with a reorder buffer of our receive window, duplicates acknowledged and dropped, and a
 * delayed ZLB acknowledgement when no outgoing message carries the ack. Single-threaded; knows nothing of
 * message semantics.
 *
 * <p>Bounded whatever the peer does: the send window is the peer's Receive Window Size but never more than
 * {@code l2tp.max-send-window} (section 5.8: the window is the most the sender may have outstanding, and it may
 * send fewer), so one retransmission round resends at most that many messages; messages waiting for the window
 * are at most {@code l2tp.max-send-queue}, beyond which the channel takes no more and tells its tunnel once
 * ({@link Peer#sendQueueFull}); the reorder buffer holds at most our receive window.
 */
public final class ControlChannel {
    /** Time we wait for an outgoing message to carry an ack before sending a ZLB (RFC 2661 section 5.8). */
    static final Duration ACK_DELAY = Duration.ofMillis(150);

    /** What the channel needs from its tunnel. */
    public interface Peer {
        /** Puts one message (with final Ns and Nr) on the wire. */
        void transmit(ControlMessage message);

        /** One message, in sequence order, exactly once. */
        void deliver(ControlMessage message);

        /** {@code oldest} went unacknowledged through every retransmission: the tunnel is dead. */
        void retransmitLimit(ControlMessage oldest);

        /** One message was sent again. */
        default void retransmitted() {
        }

        /**
         * A message could not be queued: {@code l2tp.max-send-queue} wait already. Called once, from inside
         * {@link #send}; that message and every later one are dropped until the channel is stopped.
         */
        default void sendQueueFull() {
        }
    }

    /** What became of a received message. */
    public enum Receipt { DELIVERED, BUFFERED, DUPLICATE, OUT_OF_WINDOW, ACK }

    private final Scheduler scheduler;
    private final Peer peer;
    private final int receiveWindow;
    private final Duration retransmitInitial;
    private final Duration retransmitMax;
    private final int retransmitRetries;
    private final int peerTunnelId;
    private final int maxSendWindow;
    private final int maxSendQueue;

    private int sendWindow; // RFC 2661 section 4.4.3: 4 when the peer sends no Receive Window Size
    private int ns; // Ns of the next new message we send
    private int nr; // Ns we expect next from the peer
    private final ArrayDeque<ControlMessage> inFlight = new ArrayDeque<>();
    private final ArrayDeque<ControlMessage> waiting = new ArrayDeque<>();
    private final Map<Integer, ControlMessage> reorder = new HashMap<>();
    private Scheduler.Timeout retransmitTimer;
    private Duration timeout;
    private int retries;
    private Scheduler.Timeout ackTimer;
    private boolean ackPending;
    private boolean stopped;
    private boolean queueFull;

    public ControlChannel(Scheduler scheduler, L2tpSettings settings, int peerTunnelId, Peer peer) {
        this.scheduler = scheduler;
        this.peer = peer;
        this.receiveWindow = Math.max(1, settings.receiveWindow());
        this.retransmitInitial = settings.retransmitInitial();
        this.retransmitMax = settings.retransmitMax();
        this.retransmitRetries = settings.retransmitRetries();
        this.peerTunnelId = peerTunnelId;
        this.timeout = retransmitInitial;
        this.maxSendWindow = Math.max(1, settings.maxSendWindow());
        this.maxSendQueue = Math.max(1, settings.maxSendQueue());
        this.sendWindow = Math.min(4, maxSendWindow);
    }

    /**
     * The peer's Receive Window Size AVP: how many unacknowledged messages we may have outstanding, clamped to
     * {@code l2tp.max-send-window}.
     */
    public void peerReceiveWindow(int size) {
        sendWindow = Math.clamp(size, 1, maxSendWindow);
        pump();
    }

    /** How many unacknowledged messages we send at most. */
    public int sendWindow() {
        return sendWindow;
    }

    /**
     * Queues {@code message} (its Ns/Nr are assigned here) and sends it when the send window allows. When
     * {@code l2tp.max-send-queue} messages wait already, drops it and tells the peer object (once).
     */
    public void send(ControlMessage message) {
        if (stopped || queueFull) return;
        if (waiting.size() >= maxSendQueue) {
            queueFull = true;
            peer.sendQueueFull();
            return;
        }
        waiting.add(message);
        pump();
    }

    /**
     * Sends {@code message} once, now, with the next Ns, whatever the window, and stops the channel: the last word
     * on a tunnel that is abandoned (nothing will be retransmitted or acknowledged after it).
     */
    public void sendFinal(ControlMessage message) {
        if (stopped) return;
        ControlMessage m = message.withSequence(ns, nr);
        ns = (ns + 1) & 0xffff;
        transmit(m);
        stop();
    }

    /** Processes a message from the peer: its Nr acknowledges ours, its Ns is checked against ours. */
    public Receipt receive(ControlMessage message) {
        if (stopped) return Receipt.OUT_OF_WINDOW;
        acknowledged(message.nr());
        if (message.isZlb()) return Receipt.ACK; // a ZLB takes no sequence number (RFC 2661 section 5.8)
        int ahead = distance(nr, message.ns());
        if (ahead < 0) {
            // already delivered: the peer missed our ack, so ack again at once
            acknowledgeNow();
            return Receipt.DUPLICATE;
        }
        if (ahead >= receiveWindow) return Receipt.OUT_OF_WINDOW;
        if (ahead > 0) {
            reorder.putIfAbsent(message.ns(), message);
            return Receipt.BUFFERED;
        }
        ackPending = true;
        ControlMessage next = message;
        while (next != null && !stopped) {
            nr = (nr + 1) & 0xffff;
            peer.deliver(next);
            next = reorder.remove(nr);
        }
        if (ackPending && !stopped && ackTimer == null) ackTimer = scheduler.schedule(ACK_DELAY, this::delayedAck);
        return Receipt.DELIVERED;
    }

    /** Sends a ZLB now unless an outgoing message is about to carry the ack. */
    public void acknowledgeNow() {
        if (stopped) return;
        transmit(ControlMessage.zlb(peerTunnelId, ns, nr));
    }

    /** No message of ours awaits an acknowledgement. */
    public boolean idle() {
        return inFlight.isEmpty() && waiting.isEmpty();
    }

    /** Cancels every timer and forgets all queued messages. */
    public void stop() {
        stopped = true;
        cancelRetransmitTimer();
        cancelAckTimer();
        inFlight.clear();
        waiting.clear();
        reorder.clear();
    }

    int ns() {
        return ns;
    }

    int nr() {
        return nr;
    }

    /** Signed distance from {@code from} to {@code to} in 16-bit sequence space: positive when {@code to} is later. */
    static int distance(int from, int to) {
        return (short) (to - from);
    }

    private void acknowledged(int peerNr) {
        // Nr acknowledges every message with Ns < Nr; ignore an Nr beyond what we have sent
        if (inFlight.isEmpty() || distance(peerNr, ns) < 0) return;
        boolean progress = false;
        while (!inFlight.isEmpty() && distance(inFlight.peekFirst().ns(), peerNr) > 0) {
            inFlight.pollFirst();
            progress = true;
        }
        if (!progress) return;
        retries = 0;
        timeout = retransmitInitial;
        cancelRetransmitTimer();
        pump();
        if (!inFlight.isEmpty() && retransmitTimer == null) startRetransmitTimer();
    }

    private void pump() {
        while (!stopped && inFlight.size() < sendWindow && !waiting.isEmpty()) {
            ControlMessage m = waiting.pollFirst().withSequence(ns, nr);
            ns = (ns + 1) & 0xffff;
            inFlight.addLast(m);
            transmit(m);
            if (retransmitTimer == null) startRetransmitTimer();
        }
    }

    private void transmit(ControlMessage m) {
        ackPending = false;
        cancelAckTimer();
        // Nr is refreshed on every (re)transmission so each message carries the latest ack
        peer.transmit(m.withSequence(m.ns(), nr));
    }

    private void startRetransmitTimer() {
        retransmitTimer = scheduler.schedule(timeout, this::retransmit);
    }

    private void retransmit() {
        retransmitTimer = null;
        if (stopped || inFlight.isEmpty()) return;
        if (++retries > retransmitRetries) {
            ControlMessage oldest = inFlight.peekFirst();
            stop();
            peer.retransmitLimit(oldest);
            return;
        }
        for (ControlMessage m : inFlight) {
            peer.retransmitted();
            transmit(m);
        }
        Duration doubled = timeout.multipliedBy(2);
        timeout = doubled.compareTo(retransmitMax) > 0 ? retransmitMax : doubled;
        startRetransmitTimer();
    }

    private void delayedAck() {
        ackTimer = null;
        if (ackPending && !stopped) acknowledgeNow();
    }

    private void cancelRetransmitTimer() {
        if (retransmitTimer != null) retransmitTimer.cancel();
        retransmitTimer = null;
    }

    private void cancelAckTimer() {
        if (ackTimer != null) ackTimer.cancel();
        ackTimer = null;
    }
}
