package net.l2sec.benchmarks;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.l2sec.dataplane.ike.IkeResponder;
import net.l2sec.dataplane.ike.IkeSettings;
import net.l2sec.dataplane.ike.keymat.DhGroup;
import net.l2sec.dataplane.ike.keymat.DiffieHellman;
import net.l2sec.dataplane.ike.keymat.IkeCipher;
import net.l2sec.dataplane.ike.keymat.IkeHash;
import net.l2sec.dataplane.ipsec.ChildSaSpec;
import net.l2sec.dataplane.ipsec.ChildSaTable;
import net.l2sec.dataplane.time.ManualScheduler;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Phase-1 setup cost: a complete Main Mode with pre-shared key (six messages, aes256-sha256, DH group 14 or 19)
 * between the production responder ({@link IkeResponder}, through its public API: datagrams in, datagrams out)
 * and a client's half ({@link MainModeInitiator}), both in this thread, against the bare Diffie-Hellman work the
 * same exchange contains (two key pairs generated, two agreements), in the same run.
 *
 * <p>Both sides run here, so {@code mainModePsk} ops/s are full exchanges per second per core for BOTH ends; the
 * responder's share is about half. {@code bareDh} does both ends' DH, so the ratio mainModePsk / bareDh is the
 * fraction of the setup time spent in DH (1.0 would mean everything else is free).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Dio.netty.leakDetection.level=DISABLED"})
public class Phase1Benchmark {
    private static final InetSocketAddress LOCAL_500 = new InetSocketAddress("192.0.2.1", 500);
    private static final InetSocketAddress LOCAL_4500 = new InetSocketAddress("192.0.2.1", 4500);
    private static final byte[] PSK = "secret".getBytes();

    @Param({"MODP2048", "ECP256"})
    public DhGroup group;

    private ManualScheduler scheduler;
    private IkeResponder responder;
    /** What the responder sent, UDP/4500's non-ESP marker removed. */
    private final List<byte[]> sent = new ArrayList<>();
    private int next;

    /** ESP's SA table: a Main Mode installs nothing. */
    private static final class NoChildSas implements ChildSaTable {
        @Override
        public void install(ChildSaSpec spec) {
        }

        @Override
        public void remove(int inboundSpi, String cause) {
        }

        @Override
        public void removeAll(String ikeSaTag, String cause) {
        }

        @Override
        public boolean inboundSince(int inboundSpi, long sinceNanos) {
            return false;
        }
    }

    @Setup(Level.Iteration)
    public void freshResponder() {
        scheduler = new ManualScheduler();
        // no half-open or rate limit gets in the way of a benchmark that opens thousands of SAs
        IkeSettings settings = IkeSettings.defaults().withPsk(PSK).withLimits(10_000_000, 10_000_000);
        responder = new IkeResponder(settings, new NoChildSas(), (local, peer, payload) -> {
            try {
                byte[] b = ByteBufUtil.getBytes(payload);
                sent.add(local.getPort() == 4500 ? Arrays.copyOfRange(b, 4, b.length) : b);
            } finally {
                payload.release();
            }
        }, scheduler, new SimpleMeterRegistry());
        next = 0;
    }

    @Benchmark
    public void mainModePsk(Blackhole bh) throws Exception {
        int n = next++;
        String ip = "10." + ((n >>> 16) & 0xff) + "." + ((n >>> 8) & 0xff) + "." + (n & 0xff);
        MainModeInitiator i = new MainModeInitiator(new InetSocketAddress(ip, 500), new InetSocketAddress(ip, 4500),
                IkeCipher.AES_CBC, 256, IkeHash.SHA2_256, group, PSK);
        i.message2(exchange(i.addr500(), LOCAL_500, i.message1()));
        i.message4(exchange(i.addr500(), LOCAL_500, i.message3()));
        i.message6(exchange(i.addr4500(), LOCAL_4500, i.message5()));
        bh.consume(i.cookies());
    }

    @Benchmark
    public void bareDh(Blackhole bh) throws Exception {
        DiffieHellman a = DiffieHellman.generate(group);
        DiffieHellman b = DiffieHellman.generate(group);
        bh.consume(a.sharedSecret(b.publicValue()));
        bh.consume(b.sharedSecret(a.publicValue()));
    }

    /** Delivers {@code msg} as a datagram from {@code peer} to {@code local}; the one datagram it answers with. */
    private byte[] exchange(InetSocketAddress peer, InetSocketAddress local, byte[] msg) {
        sent.clear();
        ByteBuf b = Unpooled.buffer(msg.length);
        b.writeBytes(msg);
        responder.receive(peer, local, b);
        scheduler.runPending();
        if (sent.size() != 1) throw new IllegalStateException("expected one response, got " + sent.size());
        return sent.get(0);
    }
}
