package net.l2sec.dataplane.ike;

import io.micrometer.core.instrument.MeterRegistry;
import java.security.SecureRandom;
import java.util.concurrent.Executor;
import java.time.Clock;
import net.l2sec.dataplane.ike.auth.PeerValidation;
import net.l2sec.dataplane.ipsec.ChildSaTable;
import net.l2sec.dataplane.ipsec.DatagramSender;
import net.l2sec.spi.time.Scheduler;

/**
 * The parts of one IKEv1 responder as its tasks reach them (strongSwan's tasks reach theirs through the IKE SA
 * and the daemon): the settings in force, meters, rate-limited logs, time and randomness, the SA table, the
 * half-open Main Modes and the admission of new SAs with the under-attack state,
 * the child SAs, the exchange layer, the tasks and the end of an ISAKMP SA. Wiring only: no protocol logic. Built
 * by {@link IkeResponder}; event loop only.
 */
final class IkeContext {
    private IkeSettings settings;
    /** Validates peer certificates (at the wall-clock time of {@code clock}); null when certificates are off. */
    private PeerValidation peerValidation;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final Scheduler scheduler;
    private final CryptoWorkers crypto;
    /** Where the crypto workers' results continue: the event loop, or the {@link IkeBacklog} on it. */
    private Executor continuations;
    private final IkeSaTable sas;
    private final IkeMetrics metrics;
    private final IsakmpSender out;
    private final ThrottledLog throttled;
    private final UnderAttack underAttack;
    private final HalfOpenTable halfOpen;
    private final Admission admission;
    private final ChildSas childSas;
    private final Exchanges exchanges;
    private final IsakmpDelete deletion;
    private final Dpd dpd;
    private final Informational informational;
    private final MainMode mainMode;
    private final AggressiveMode aggressiveMode;

    IkeContext(IkeSettings settings, ChildSaTable esp, DatagramSender sender, Scheduler scheduler,
               MeterRegistry registry, Clock clock, CryptoWorkers crypto) {
        this.clock = clock;
        this.scheduler = scheduler;
        this.crypto = crypto;
        this.continuations = scheduler;
        update(settings);
        this.sas = new IkeSaTable(random);
        this.metrics = new IkeMetrics(registry, sas::established);
        this.out = new IsakmpSender(this::settings, sender);
        this.throttled = new ThrottledLog(scheduler, metrics);
        this.underAttack = new UnderAttack(this::settings, scheduler, metrics);
        this.halfOpen = new HalfOpenTable(this::settings, scheduler, random, sas, metrics, throttled, underAttack);
        metrics.crypto(crypto::inProgress);
        metrics.halfOpen(halfOpen::size, sas::halfOpen, halfOpen::bytes, halfOpen::oldestSeconds, underAttack::on);
        this.admission = new Admission(this);
        this.childSas = new ChildSas(this, esp);
        this.exchanges = new Exchanges(this);
        this.deletion = new IsakmpDelete(this);
        this.dpd = new Dpd(this);
        this.informational = new Informational(this);
        this.mainMode = new MainMode(this);
        this.aggressiveMode = new AggressiveMode(this);
    }

    /** Proposals, limits, PSK, certificates, DPD and Aggressive Mode for negotiations from now on. */
    void update(IkeSettings next) {
        this.settings = next;
        this.peerValidation = next.ikev1Certificates().map(c -> new PeerValidation(c, clock)).orElse(null);
    }

    IkeSettings settings() {
        return settings;
    }

    PeerValidation peerValidation() {
        return peerValidation;
    }

    Scheduler scheduler() {
        return scheduler;
    }

    /** Where Diffie-Hellman runs; its results come back on {@link #scheduler}'s event loop. */
    CryptoWorkers crypto() {
        return crypto;
    }

    /** Where a handshake continues on the event loop once the crypto workers are done with its part. */
    Executor continuations() {
        return continuations;
    }

    void continueOn(Executor next) {
        this.continuations = next;
    }

    IkeMetrics metrics() {
        return metrics;
    }

    IsakmpSender out() {
        return out;
    }

    IkeSaTable sas() {
        return sas;
    }

    Admission admission() {
        return admission;
    }

    /** Main Modes between message 1 and message 3. */
    HalfOpenTable halfOpen() {
        return halfOpen;
    }

    UnderAttack underAttack() {
        return underAttack;
    }

    /** Log lines about unauthenticated datagrams, rate-limited. */
    ThrottledLog throttled() {
        return throttled;
    }

    ChildSas childSas() {
        return childSas;
    }

    Exchanges exchanges() {
        return exchanges;
    }

    IsakmpDelete deletion() {
        return deletion;
    }

    Dpd dpd() {
        return dpd;
    }

    Informational informational() {
        return informational;
    }

    MainMode mainMode() {
        return mainMode;
    }

    AggressiveMode aggressiveMode() {
        return aggressiveMode;
    }

    SecureRandom random() {
        return random;
    }

    /** {@code n} random octets: nonces, and the stand-in for a missing PSK. */
    byte[] random(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    /** A random message ID for an exchange we start: never 0, which is phase 1's. */
    int newMessageId() {
        int m;
        do {
            m = random.nextInt();
        } while (m == 0);
        return m;
    }
}
