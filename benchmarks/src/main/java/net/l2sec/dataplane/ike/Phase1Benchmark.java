package net.l2sec.dataplane.ike;

import java.util.concurrent.TimeUnit;
import net.l2sec.dataplane.ike.keymat.DhGroup;
import net.l2sec.dataplane.ike.keymat.DiffieHellman;
import net.l2sec.dataplane.ike.keymat.IkeCipher;
import net.l2sec.dataplane.ike.keymat.IkeHash;
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
 * between the production responder and the IKE tests' initiator, both in this thread, against the bare
 * Diffie-Hellman work the same exchange contains (two key pairs generated, two agreements), in the same run.
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
    @Param({"MODP2048", "ECP256"})
    public DhGroup group;

    private IkeHarness net;
    private int next;

    @Setup(Level.Iteration)
    public void freshResponder() {
        // no half-open or rate limit gets in the way of a benchmark that opens thousands of SAs
        net = new IkeHarness(IkeSettings.defaults().withPsk("secret".getBytes()).withLimits(10_000_000, 10_000_000));
        next = 0;
    }

    @Benchmark
    public void mainModePsk(Blackhole bh) throws Exception {
        int n = next++;
        String ip = "10." + ((n >>> 16) & 0xff) + "." + ((n >>> 8) & 0xff) + "." + (n & 0xff);
        TestInitiator i = new TestInitiator(net, ip, 500, 4500).suite(IkeCipher.AES_CBC, 256, IkeHash.SHA2_256, group);
        bh.consume(i.mainMode().cookies());
    }

    @Benchmark
    public void bareDh(Blackhole bh) throws Exception {
        DiffieHellman a = DiffieHellman.generate(group);
        DiffieHellman b = DiffieHellman.generate(group);
        bh.consume(a.sharedSecret(b.publicValue()));
        bh.consume(b.sharedSecret(a.publicValue()));
    }
}
