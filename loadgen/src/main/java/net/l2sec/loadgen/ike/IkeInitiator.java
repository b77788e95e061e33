package net.l2sec.loadgen.ike;

import io.netty.buffer.ByteBufAllocator;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.random.RandomGenerator;
import net.l2sec.dataplane.esp.SecurityAssociation;
import net.l2sec.dataplane.ike.keymat.DiffieHellman;
import net.l2sec.dataplane.ike.message.Doi;
import net.l2sec.dataplane.ike.message.ExchangeType;
import net.l2sec.dataplane.ike.message.IkeDecodeException;
import net.l2sec.dataplane.ike.message.IsakmpCodec;
import net.l2sec.dataplane.ike.message.IsakmpHeader;
import net.l2sec.dataplane.ike.message.NotifyType;
import net.l2sec.dataplane.ike.message.Payload;
import net.l2sec.dataplane.ike.message.PayloadChain;
import net.l2sec.dataplane.ike.message.ProtocolId;
import net.l2sec.loadgen.Options;
import net.l2sec.loadgen.Stage;
import net.l2sec.spi.time.Scheduler;

/**
 * The IKEv1 side of one simulated client: runs {@link MainMode}, then one {@link QuickMode}, and afterwards answers
 * the server's Informationals (DPD R-U-THERE, RFC 3706; Deletes; error notifications). Confined to the client's
 * event loop; Diffie-Hellman runs on {@code dhPool} and comes back through {@code scheduler}.
 */
public final class IkeInitiator {
    /** What IKE needs of its client's socket. */
    public interface Wire {
        /** Sends to the server's IKE port, or with {@code natT} to its NAT-T port behind the non-ESP marker. */
        void sendIke(byte[] message, boolean natT);
    }

    /** What IKE tells its client. */
    public interface Events {
        void phase1Up();

        /** The ESP pair for L2TP: the client owns (and wipes) both. */
        void phase2Up(SecurityAssociation inbound, SecurityAssociation outbound);

        void failed(Stage stage, String reason);
    }

    /**
     * Parameters every client of a run shares.
     *
     * @param sharedKeyPair null: each client makes a key pair of its own; else the one every client uses (loadgen
     *                      {@code --dh-reuse}; each client still computes its own shared secret)
     */
    public record Settings(IkeProposal proposal, EspProposal esp, byte[] psk, boolean pretendNat, Executor dhPool,
                           ByteBufAllocator alloc, CompletableFuture<DiffieHellman> sharedKeyPair, Options.Setup setup) {}

    private final Settings settings;
    private final IkeSa sa;
    private final Scheduler scheduler;
    private final Wire wire;
    private final Events events;
    private final RandomGenerator random;
    private final MainMode mainMode;
    private final Retransmission retransmission;
    private final CompletableFuture<DiffieHellman> keyPair;
    private QuickMode quickMode;
    /** {@code --setup dh}: message 4 came, so the server did its Diffie-Hellman (counted once). */
    private boolean serverDhSeen;
    private boolean waitingForDh;
    private boolean childUp;
    private boolean closed;

    /**
     * @param local  our socket's address (NAT-D)
     * @param inner  the address the client believes it has (identity, IDci, NAT-OAi): a private one behind a NAT
     * @param server the server's IKE address
     */
    public IkeInitiator(Settings settings, InetSocketAddress local, java.net.InetAddress inner, InetSocketAddress server,
                        Scheduler scheduler, Wire wire, Events events, RandomGenerator random) {
        this.settings = settings;
        this.sa = new IkeSa(random, settings.proposal(), local, inner, server);
        this.scheduler = scheduler;
        this.wire = wire;
        this.events = events;
        this.random = random;
        this.mainMode = new MainMode(sa, settings.psk(), settings.pretendNat(), random);
        this.retransmission = new Retransmission(scheduler);
        this.keyPair = settings.sharedKeyPair() != null ? settings.sharedKeyPair()
                : CompletableFuture.supplyAsync(() -> DiffieHellman.generate(settings.proposal().group()), settings.dhPool());
    }

    /** Sends Main Mode message 1 (the key pair is being made meanwhile). */
    public void start() {
        byte[] m1 = mainMode.message1();
        retransmission.start(() -> wire.sendIke(m1, false), () -> fail(Stage.IKE, "timeout"));
    }

    /** Whether messages and ESP go to UDP/4500. */
    public boolean floated() {
        return sa.floated;
    }

    /** One ISAKMP message from the server (the non-ESP marker already removed). */
    public void receive(byte[] message) {
        if (closed) return;
        IsakmpHeader h;
        try {
            h = IsakmpCodec.decodeHeader(message);
        } catch (IkeDecodeException e) {
            return;
        }
        if (h.initiatorCookie() != sa.ckyI || (sa.ckyR != 0 && h.responderCookie() != sa.ckyR)) return;
        try {
            switch (h.exchangeType()) {
                case IDENTITY_PROTECTION -> mainMode(h, message);
                case QUICK_MODE -> quickMode(h, message);
                case INFORMATIONAL -> informational(h, message);
                case null, default -> { }
            }
        } catch (IkeFailure f) {
            fail(sa.established ? Stage.QUICK_MODE : Stage.IKE, f.getMessage());
        } catch (IkeDecodeException e) {
            // a malformed answer is dropped; the retransmission may bring a good one
        }
    }

    private void mainMode(IsakmpHeader h, byte[] msg) throws IkeFailure, IkeDecodeException {
        if (waitingForDh) return;
        switch (mainMode.state()) {
            case MESSAGE_1_SENT -> {
                if (h.encrypted() || h.responderCookie() == 0) return;
                retransmission.cancel();
                waitingForDh = true;
                keyPair.whenCompleteAsync((pair, e) -> {
                    waitingForDh = false;
                    if (closed) return;
                    if (e != null) {
                        fail(Stage.IKE, "dh_failed");
                        return;
                    }
                    mainMode.keyPair(pair);
                    try {
                        byte[] m3 = mainMode.message2(h, msg);
                        retransmission.start(() -> wire.sendIke(m3, false), () -> fail(Stage.IKE, "timeout"));
                    } catch (IkeFailure f) {
                        fail(Stage.IKE, f.getMessage());
                    } catch (IkeDecodeException x) {
                        fail(Stage.IKE, "malformed_message_2");
                    }
                }, scheduler);
            }
            case MESSAGE_3_SENT -> {
                if (h.encrypted()) return;
                MainMode.Message4 m4 = mainMode.message4(h, msg);
                if (m4 == null) return;                                   // a repeated message 2
                if (!sa.natT) throw new IkeFailure("no_nat_t");               // raw ESP is not for user space
                if (!m4.natDetected()) throw new IkeFailure("no_nat_detected");
                retransmission.cancel();
                if (settings.setup() == Options.Setup.DH) { // --setup dh: the server's DH is done; ours is not needed
                    if (!serverDhSeen) {                    // once: the server resends message 4 until it gives up
                        serverDhSeen = true;
                        events.phase1Up();
                    }
                    return;
                }
                waitingForDh = true;
                CompletableFuture.supplyAsync(() -> sharedSecret(m4.gxr()), settings.dhPool()).whenCompleteAsync((gxy, e) -> {
                    waitingForDh = false;
                    if (closed) return;
                    if (e != null) {
                        fail(Stage.IKE, "invalid_ke");
                        return;
                    }
                    byte[] m5 = mainMode.message5(m4, gxy);
                    retransmission.start(() -> wire.sendIke(m5, true), () -> fail(Stage.IKE, "timeout"));
                }, scheduler);
            }
            case MESSAGE_5_SENT -> {
                if (!h.encrypted()) return;
                retransmission.cancel();
                mainMode.message6(h, msg);
                events.phase1Up();
                if (settings.setup() == Options.Setup.FULL) startQuickMode();
            }
            case DONE -> { }
        }
    }

    private byte[] sharedSecret(byte[] gxr) {
        try {
            return keyPair.join().sharedSecret(gxr);
        } catch (GeneralSecurityException e) {
            throw new CompletionException(e);
        }
    }

    private void startQuickMode() {
        quickMode = new QuickMode(sa, settings.esp(), random);
        byte[] m1 = quickMode.message1();
        retransmission.start(() -> wire.sendIke(m1, true), () -> fail(Stage.QUICK_MODE, "timeout"));
    }

    private void quickMode(IsakmpHeader h, byte[] msg) throws IkeFailure {
        if (quickMode == null || h.messageId() != quickMode.messageId || !h.encrypted()) return; // a rekey by the server: not ours to answer
        if (childUp) {
            wire.sendIke(quickMode.message3(), true);   // message 2 again: our message 3 was lost
            return;
        }
        QuickMode.Keys k = quickMode.message2(h, msg);
        retransmission.cancel();
        wire.sendIke(quickMode.message3(), true);
        EspProposal p = settings.esp();
        SecurityAssociation in = new SecurityAssociation(SecurityAssociation.Direction.INBOUND, k.inboundSpi(), p.cipher(),
                p.keyBits(), p.integrity(), k.inbound(), 0, 64, settings.alloc());
        SecurityAssociation out = new SecurityAssociation(SecurityAssociation.Direction.OUTBOUND, k.outboundSpi(), p.cipher(),
                p.keyBits(), p.integrity(), k.outbound(), 0, 0, settings.alloc());
        Arrays.fill(k.inbound(), (byte) 0);
        Arrays.fill(k.outbound(), (byte) 0);
        childUp = true;
        events.phase2Up(in, out);
    }

    private void informational(IsakmpHeader h, byte[] msg) throws IkeFailure {
        if (!h.encrypted()) {
            // unauthenticated, but before phase 1 completes it is all a real client learns of why it was refused
            if (sa.established) return;
            try {
                for (Payload.Notify n : IsakmpCodec.decodePayloads(h, msg).all(Payload.Notify.class)) {
                    if (n.notifyType() < 8192) throw new IkeFailure(notifyName(n.notifyType()));
                }
            } catch (IkeDecodeException e) {
                return;
            }
            return;
        }
        if (!sa.established) return;
        byte[] body = IkeSa.body(h, msg);
        PayloadChain c;
        try {
            c = sa.decrypt(h, body);
        } catch (GeneralSecurityException | IkeDecodeException e) {
            return;
        }
        if (c.payloads().isEmpty() || !(c.payloads().get(0) instanceof Payload.Hash hash)
                || !MessageDigest.isEqual(hash.data(), sa.keymat.hash1(h.messageId(), c.afterFirst()))) {
            return;
        }
        sa.keymat.authentic(h.messageId(), body);
        sa.keymat.endExchange(h.messageId());
        for (Payload p : c.payloads()) {
            switch (p) {
                case Payload.Notify n when n.notifyType() == NotifyType.R_U_THERE.code() ->
                        sendInformational(List.of(new Payload.Notify(Doi.IPSEC.code(), ProtocolId.PROTO_ISAKMP.code(),
                                NotifyType.R_U_THERE_ACK.code(), sa.cookies(), n.data())));
                case Payload.Notify n when n.notifyType() < 8192 ->
                        fail(childUp ? Stage.SESSION : Stage.QUICK_MODE, notifyName(n.notifyType()));
                case Payload.Delete d when d.protocolId() == ProtocolId.PROTO_ISAKMP.code() ->
                        fail(childUp ? Stage.SESSION : Stage.QUICK_MODE, "ike_sa_deleted");
                case Payload.Delete d when d.protocolId() == ProtocolId.PROTO_IPSEC_ESP.code() && childUp ->
                        fail(Stage.SESSION, "esp_sa_deleted");
                default -> { }
            }
        }
    }

    private void sendInformational(List<Payload> payloads) {
        int mid;
        do mid = random.nextInt(); while (mid == 0);
        byte[] m = sa.protectWithHash1(ExchangeType.INFORMATIONAL, mid, payloads);
        sa.keymat.endExchange(mid);
        wire.sendIke(m, sa.floated);
    }

    private static String notifyName(int code) {
        NotifyType t = NotifyType.of(code);
        return t == null ? "notify_" + code : t.name().toLowerCase(Locale.ROOT);
    }

    private void fail(Stage stage, String reason) {
        if (closed) return;
        close(false);
        events.failed(stage, reason);
    }

    /**
     * Ends IKE: with {@code deletes}, tells the server (Delete of our ESP SA, then of the ISAKMP SA, RFC 2408
     * section 3.15) as a client that hangs up does; wipes the keys.
     */
    public void close(boolean deletes) {
        if (closed) return;
        closed = true;
        retransmission.cancel();
        if (deletes && sa.established) {
            List<Payload> p = new ArrayList<>();
            if (childUp) {
                p.add(new Payload.Delete(Doi.IPSEC.code(), ProtocolId.PROTO_IPSEC_ESP.code(), 4,
                        List.of(ByteBuffer.allocate(4).putInt(quickMode.inboundSpi()).array())));
                sendInformational(p);
            }
            sendInformational(List.of(new Payload.Delete(Doi.IPSEC.code(), ProtocolId.PROTO_ISAKMP.code(), 16,
                    List.of(sa.cookies()))));
        }
        sa.wipe();
    }
}
