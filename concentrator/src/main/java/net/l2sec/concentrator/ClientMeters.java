package net.l2sec.concentrator;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import net.l2sec.spi.session.ActiveSession;
import net.l2sec.spi.session.ClientKind;
import net.l2sec.spi.session.SessionCounters;
import net.l2sec.spi.session.SessionObserver;
import net.l2sec.spi.session.TerminateCause;

/**
 * Which clients call ({@link ClientKind}) and with which phase 1 Diffie-Hellman group: every established session
 * counts once in {@code l2sec_client_setups_total{kind,ike_group}}, and {@code l2sec_client_sessions{kind}} holds how
 * many are up now. Both label sets are bounded: five kinds, and the groups the responder can agree (the
 * {@code DhGroup} names) or {@code none} for plain L2TP. So a team sees whether anyone still negotiates
 * {@code modp1024} before it turns {@code ipsec.legacy.modp1024} off, and which kind of client that is. Runs on the
 * worker event loops like every {@link SessionObserver}; the counts are atomics.
 */
final class ClientMeters implements SessionObserver {
    private final MeterRegistry registry;
    private final Map<ClientKind, AtomicInteger> established = new EnumMap<>(ClientKind.class);

    ClientMeters(MeterRegistry registry) {
        this.registry = registry;
        for (ClientKind k : ClientKind.values()) {
            AtomicInteger n = new AtomicInteger();
            established.put(k, n);
            Gauge.builder("l2sec.client.sessions", n, AtomicInteger::get).tag("kind", k.label())
                    .description("Sessions established now, by client kind (windows, macos_ios, android, linux_strongswan, other)")
                    .strongReference(true).register(registry);
        }
    }

    @Override
    public void started(ActiveSession session) {
        ClientKind kind = session.client().kind();
        established.get(kind).incrementAndGet();
        Counter.builder("l2sec.client.setups").tag("kind", kind.label()).tag("ike_group", session.client().ikeGroupLabel())
                .description("Sessions established, by client kind and the phase 1 Diffie-Hellman group it negotiated (none without IPsec)")
                .register(registry).increment();
    }

    @Override
    public void stopped(ActiveSession session, SessionCounters counters, TerminateCause cause) {
        established.get(session.client().kind()).decrementAndGet();
    }
}
