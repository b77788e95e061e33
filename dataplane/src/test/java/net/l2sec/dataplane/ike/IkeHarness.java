package net.l2sec.dataplane.ike;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.l2sec.dataplane.ipsec.ChildSaSpec;
import net.l2sec.dataplane.ipsec.ChildSaTable;
import net.l2sec.dataplane.time.ManualScheduler;

/** A responder wired to a capturing sender, a fake child SA table, virtual time and a simple registry. */
final class IkeHarness {
    static final InetSocketAddress LOCAL_500 = new InetSocketAddress("192.0.2.1", 500);
    static final InetSocketAddress LOCAL_4500 = new InetSocketAddress("192.0.2.1", 4500);

    record Sent(InetSocketAddress local, InetSocketAddress peer, byte[] message) {
    }

    static final class FakeChildSas implements ChildSaTable {
        final List<ChildSaSpec> installed = new ArrayList<>();
        final List<Integer> removed = new ArrayList<>();
        final List<String> removedAll = new ArrayList<>();
        boolean traffic;

        @Override
        public void install(ChildSaSpec spec) {
            installed.add(spec);
        }

        @Override
        public void remove(int inboundSpi, String cause) {
            removed.add(inboundSpi);
        }

        @Override
        public void removeAll(String ikeSaTag, String cause) {
            removedAll.add(ikeSaTag);
        }

        @Override
        public boolean inboundSince(int inboundSpi, long sinceNanos) {
            return traffic;
        }
    }

    final ManualScheduler scheduler = new ManualScheduler();
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final FakeChildSas childSas = new FakeChildSas();
    final List<Sent> sent = new ArrayList<>();
    final IkeResponder responder;

    IkeHarness(IkeSettings settings) {
        this(settings, java.time.Clock.systemUTC());
    }

    IkeHarness(IkeSettings settings, java.time.Clock clock) {
        this(settings, clock, CryptoWorkers.inline());
    }

    /** Diffie-Hellman on {@code crypto} (e.g. {@link ManualCryptoExecutor}'s, run by hand). */
    IkeHarness(IkeSettings settings, CryptoWorkers crypto) {
        this(settings, java.time.Clock.systemUTC(), crypto);
    }

    IkeHarness(IkeSettings settings, java.time.Clock clock, CryptoWorkers crypto) {
        responder = new IkeResponder(settings, childSas, (local, peer, payload) -> {
            try {
                byte[] b = ByteBufUtil.getBytes(payload);
                if (local.getPort() == 4500) {
                    if (b[0] != 0 || b[1] != 0 || b[2] != 0 || b[3] != 0) throw new AssertionError("no non-ESP marker");
                    b = Arrays.copyOfRange(b, 4, b.length);
                }
                sent.add(new Sent(local, peer, b));
            } finally {
                payload.release();
            }
        }, scheduler, registry, clock, crypto);
    }

    /** Delivers {@code msg} and returns what the responder sent in reaction. */
    List<Sent> deliver(InetSocketAddress peer, InetSocketAddress local, byte[] msg) {
        int before = sent.size();
        ByteBuf b = Unpooled.buffer(msg.length);
        b.writeBytes(msg);
        responder.receive(peer, local, b);
        scheduler.runPending();
        return new ArrayList<>(sent.subList(before, sent.size()));
    }

    /** What the responder sent while {@code action} ran (a call from outside, e.g. an ESP event). */
    List<Sent> during(Runnable action) {
        int before = sent.size();
        action.run();
        scheduler.runPending();
        return new ArrayList<>(sent.subList(before, sent.size()));
    }

    /** The one message sent in reaction to {@code msg}. */
    byte[] exchange(InetSocketAddress peer, InetSocketAddress local, byte[] msg) {
        List<Sent> out = deliver(peer, local, msg);
        if (out.size() != 1) throw new AssertionError("expected one response, got " + out.size());
        return out.get(0).message();
    }

    double count(String name, String... tags) {
        Counter c = registry.find(name).tags(tags).counter();
        return c == null ? 0 : c.count();
    }

    double dropped(String reason) {
        return count("l2sec.ike.packets.dropped", "reason", reason);
    }

    double gauge(String name, String... tags) {
        return registry.get(name).tags(tags).gauge().value();
    }
}
