package net.l2sec.dataplane.ike;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.l2sec.dataplane.ike.keymat.Keymat;
import net.l2sec.dataplane.ike.keymat.Phase1Keying;
import net.l2sec.dataplane.ike.message.ExchangeType;
import net.l2sec.dataplane.ike.message.IkeDecodeException;
import net.l2sec.dataplane.ike.message.IkeDropReason;
import net.l2sec.dataplane.ike.message.IsakmpCodec;
import net.l2sec.dataplane.ike.message.IsakmpHeader;
import net.l2sec.dataplane.ike.message.Payload;
import net.l2sec.dataplane.ike.message.PayloadChain;
import net.l2sec.spi.time.Scheduler;

/**
 * The state of one ISAKMP SA, which the tasks read and update; its {@link State} changes through the event methods
 * only. Its child SAs are {@link ChildSas}'. Lives on the dataplane event loop.
 */
final class IkeSa {
    /**
     * The states of an ISAKMP SA as we answer its phase 1 (RFC 2409 sections 5 and 5.4). They change only through
     * the event methods of {@link IkeSa} ({@link #keying}, {@link #keSent}, {@link #aggressiveSent}, {@link
     * #authenticating}, {@link #establish}, {@link #delete}), which refuse a transition this table does not allow. In
     * the KEYING states a crypto worker computes the keys, in MM_AUTHENTICATING it checks the signatures ({@link
     * CryptoWorkers}); the peer's message again is then dropped (counted {@code keying_in_progress}), and a result for
     * an SA deleted meanwhile is wiped and forgotten.
     */
    enum State {
        /** Main Mode: our message 2 (SA) sent, message 3 (KE, Ni) awaited. */
        MM_SA_SENT,
        /** Main Mode: message 3 taken, our KE and g^xy being computed; message 4 goes out when they are. */
        MM_KEYING,
        /** Main Mode: our message 4 (KE, Nr) sent, message 5 (IDii and HASH_I or SIG_I) awaited. */
        MM_KE_SENT,
        /** Main Mode, signatures: message 5 taken, its certificate and SIG_I being checked and our SIG_R made. */
        MM_AUTHENTICATING,
        /** Aggressive Mode: message 1 taken, our KE and g^xy being computed; message 2 goes out when they are. */
        AM_KEYING,
        /** Aggressive Mode: our message 2 sent, message 3 (HASH_I) awaited. */
        AM_SENT,
        /** Phase 1 complete: Quick Mode and Informational exchanges may run. */
        ESTABLISHED,
        /** Gone: out of the SA table, keys wiped. */
        DELETED;

        boolean mayBecome(State next) {
            return switch (this) {
                case MM_SA_SENT -> next == MM_KEYING || next == DELETED;
                case MM_KEYING -> next == MM_KE_SENT || next == DELETED;
                case AM_KEYING -> next == AM_SENT || next == DELETED;
                case MM_KE_SENT -> next == MM_AUTHENTICATING || next == ESTABLISHED || next == DELETED;
                case MM_AUTHENTICATING, AM_SENT -> next == ESTABLISHED || next == DELETED;
                case ESTABLISHED -> next == DELETED;
                case DELETED -> false;
            };
        }
    }

    /** NAT-T flavour agreed through the vendor IDs (RFC 3947 or a draft). */
    enum NatT { NONE, DRAFT, RFC }

    final long initiatorCookie;
    final long responderCookie;
    final String tag;
    final int tagId;
    final long createdNanos;
    InetSocketAddress peer;
    InetSocketAddress local;
    private State state;

    Phase1Proposal proposal;
    byte[] saiB;
    NatT natT = NatT.NONE;
    boolean peerDpd;
    /** Phase 1 ran as Aggressive Mode (for logs; the SA is otherwise the same as after Main Mode). */
    final boolean aggressive;
    byte[] gxi, gxr, ni, nr;
    Keymat keymat;
    Payload.Id peerId;
    /** Aggressive Mode: the body of the peer's ID payload from message 1, for HASH_I in message 3. */
    byte[] idiiB;
    String peerIdText = "";
    /** The peer announced IKEv1 fragmentation and we echoed it: our large messages go fragmented. */
    boolean peerFragmentation;
    /** What the peer's message 1 announced, its vendor IDs packed ({@link IsakmpVendor.Announced#names}). */
    IsakmpVendor.Announced announced;
    int lastFragmentId;
    IsakmpFragmentation.Reassembly reassembly;

    // kept by the exchange layer (Exchanges) only
    /** The peer's Quick Modes in progress, by message id. */
    final Map<Integer, QuickMode> quickModes = new HashMap<>();
    /** Quick Modes we initiated to rekey a child SA, by message id. */
    final Map<Integer, QuickModeRekey> rekeys = new HashMap<>();
    /** The message IDs of the exchanges after phase 1, the peer's and ours: a used one is a replay. */
    final MessageIds messageIds = new MessageIds();
    /** Our last phase-1 message, resent while the peer's next one is awaited. */
    Retransmission retransmission;
    final ResponseCache responses = new ResponseCache();

    Scheduler.Timeout halfOpenTimer, lifetimeTimer, dpdTimer;
    long lastInboundNanos;
    /** DPD (RFC 3706): the sequence number of our last R-U-THERE, and how many went unanswered. */
    int dpdSequence = (int) (Math.random() * 0x7fff);
    int dpdUnanswered;

    /**
     * A new SA for the message 1 of a Main Mode, or of an Aggressive Mode (whose keys are computed at once: {@link
     * State#AM_KEYING}).
     */
    IkeSa(long initiatorCookie, long responderCookie, InetSocketAddress peer, InetSocketAddress local, long now,
          boolean aggressive) {
        this(initiatorCookie, responderCookie, (int) (responderCookie >>> 32), peer, local, now, aggressive);
    }

    /** @param tagId the SA's name in logs and to ESP ({@code ike=} and 8 hex digits), unique in the SA table */
    IkeSa(long initiatorCookie, long responderCookie, int tagId, InetSocketAddress peer, InetSocketAddress local,
          long now, boolean aggressive) {
        this.aggressive = aggressive;
        this.state = aggressive ? State.AM_KEYING : State.MM_SA_SENT;
        this.initiatorCookie = initiatorCookie;
        this.responderCookie = responderCookie;
        this.tagId = tagId;
        this.tag = "ike=" + String.format("%08x", tagId);
        this.peer = peer;
        this.local = local;
        this.createdNanos = now;
        this.lastInboundNanos = now;
    }

    /**
     * What a crypto worker needs for our DH half and the phase-1 keys (RFC 2409 section 5) from the peer's public
     * value and both nonces: nothing of the SA itself, which the worker must not touch.
     *
     * @param psk the pre-shared key, or null for signature authentication
     */
    Phase1Keying keying(byte[] peerKe, byte[] niB, byte[] nrB, byte[] psk) {
        return new Phase1Keying(proposal.group(), proposal.hash(), proposal.cipher(), proposal.keyBits(),
                initiatorCookie, responderCookie, peerKe, niB, nrB, psk);
    }

    /** The keys {@code keying} yielded, back on the event loop: the SA holds them from now on. */
    void keyed(Phase1Keying keying, Phase1Keying.Keys keys) {
        gxi = keying.gxi();
        gxr = keys.gxr();
        ni = keying.ni();
        nr = keying.nr();
        keymat = keys.keymat();
    }

    /** A nonce of acceptable length (RFC 2409 section 5: 8 to 256 octets). */
    static boolean nonceValid(Payload.Nonce n) {
        return n != null && n.data().length >= 8 && n.data().length <= 256;
    }

    /** The header of an unencrypted phase-1 message of ours (M-ID 0). */
    IsakmpHeader header(ExchangeType type) {
        return new IsakmpHeader(initiatorCookie, responderCookie, 0, IsakmpHeader.VERSION_1_0, type, 0, 0, 0);
    }

    /** An encrypted message: {@code payloads} under the keys and IV of exchange {@code messageId}. */
    byte[] protect(ExchangeType type, int messageId, List<Payload> payloads) {
        byte[] plain = IsakmpCodec.encodePayloads(payloads);
        byte[] ct = keymat.encrypt(messageId, plain);
        Arrays.fill(plain, (byte) 0);
        return IsakmpCodec.encodeMessage(new IsakmpHeader(initiatorCookie, responderCookie, payloads.get(0).type(),
                IsakmpHeader.VERSION_1_0, type, IsakmpHeader.ENCRYPTED, messageId, 0), ct);
    }

    /** HASH(1) over M-ID and {@code rest}, then {@code rest}, encrypted (RFC 2409 sections 5.5 and 5.7). */
    byte[] protectWithHash1(ExchangeType type, int messageId, List<Payload> rest) {
        byte[] hash = keymat.hash1(messageId, IsakmpCodec.encodePayloads(rest));
        List<Payload> all = new ArrayList<>();
        all.add(new Payload.Hash(hash));
        all.addAll(rest);
        return protect(type, messageId, all);
    }

    /**
     * Decrypts and decodes an encrypted message; anything else is a decode failure. The exchange's IV does not move
     * until the caller has verified the message's HASH (or signature) and calls {@link #authentic}.
     */
    PayloadChain unprotect(IsakmpHeader h, byte[] msg) throws IkeDecodeException {
        if (!h.encrypted()) throw new IkeDecodeException(IkeDropReason.UNEXPECTED_MESSAGE, "unencrypted " + h.exchangeType());
        byte[] plain;
        try {
            plain = keymat.decrypt(h.messageId(), Arrays.copyOfRange(msg, IsakmpHeader.LENGTH, msg.length));
        } catch (GeneralSecurityException e) {
            throw new IkeDecodeException(IkeDropReason.DECRYPT_FAILED, e.getMessage());
        }
        try {
            return IsakmpCodec.decodePayloads(h.nextPayload(), plain, 0, plain.length, true);
        } finally {
            Arrays.fill(plain, (byte) 0);
        }
    }

    /**
     * The encrypted message {@code msg}, decrypted by {@link #unprotect}, verified: its exchange continues from its
     * last ciphertext block (RFC 2409 Appendix B).
     */
    void authentic(IsakmpHeader h, byte[] msg) {
        keymat.authentic(h.messageId(), Arrays.copyOfRange(msg, IsakmpHeader.LENGTH, msg.length));
    }

    /** Verifies HASH(1) of an informational or Quick Mode message 1 in constant time. */
    boolean hash1Valid(int messageId, PayloadChain chain) {
        if (chain.payloads().isEmpty() || !(chain.payloads().get(0) instanceof Payload.Hash h)) return false;
        return MessageDigest.isEqual(h.data(), keymat.hash1(messageId, chain.afterFirst()));
    }

    State state() {
        return state;
    }

    boolean established() {
        return state == State.ESTABLISHED;
    }

    boolean deleted() {
        return state == State.DELETED;
    }

    /** Main Mode message 3 taken: its keys are being computed. */
    void keying() {
        become(State.MM_KEYING);
    }

    /** Main Mode message 4 sent. */
    void keSent() {
        become(State.MM_KE_SENT);
    }

    /** Main Mode message 5 taken (signatures): a worker checks it. */
    void authenticating() {
        become(State.MM_AUTHENTICATING);
    }

    /** Aggressive Mode message 2 sent. */
    void aggressiveSent() {
        become(State.AM_SENT);
    }

    /** A crypto worker has the SA's work: keys (Main Mode message 3, Aggressive Mode message 1) or signatures. */
    boolean keyingInProgress() {
        return state == State.MM_KEYING || state == State.AM_KEYING || state == State.MM_AUTHENTICATING;
    }

    /** Phase 1 completed: the peer authenticated. */
    void establish() {
        become(State.ESTABLISHED);
    }

    /** The SA ends; false when it had already. */
    boolean delete() {
        if (state == State.DELETED) return false;
        become(State.DELETED);
        return true;
    }

    /** The one place the state changes. */
    private void become(State next) {
        if (!state.mayBecome(next)) throw new IllegalStateException(tag + " " + state + " -> " + next);
        state = next;
    }

    String peerText() {
        return text(peer);
    }

    /** An address and port as logged. */
    static String text(InetSocketAddress a) {
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    byte[] cookies() {
        return ByteBuffer.allocate(16).putLong(initiatorCookie).putLong(responderCookie).array();
    }

    /** The SA's own timers: half-open, lifetime, DPD, and a reassembly in progress (exchanges: {@link Exchanges}). */
    void cancelTimers() {
        for (Scheduler.Timeout t : new Scheduler.Timeout[] {halfOpenTimer, lifetimeTimer, dpdTimer}) if (t != null) t.cancel();
        if (reassembly != null) reassembly.cancel();
    }

    /** Forgets every secret. */
    void wipe() {
        if (keymat != null) keymat.wipe();
        for (byte[] b : new byte[][] {ni, nr}) if (b != null) Arrays.fill(b, (byte) 0);
    }
}
