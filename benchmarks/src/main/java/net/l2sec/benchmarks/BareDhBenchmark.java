package net.l2sec.benchmarks;

import java.security.GeneralSecurityException;
import java.util.concurrent.TimeUnit;
import net.l2sec.dataplane.ike.keymat.DhGroup;
import net.l2sec.dataplane.ike.keymat.DiffieHellman;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The Diffie-Hellman work a responder does per Main Mode, and nothing else: a fresh key pair in the group
 * ({@code DiffieHellman.generate}) and the shared secret with the initiator's public value ({@code sharedSecret}),
 * as {@code Phase1Keying.compute} does them. The initiator's public value is one valid value of the group made
 * before the measurement (the JCE checks it on every agreement, as it does in the server). With one benchmark
 * thread the score is responder DH operations per second per core: the ceiling a setup rate per concentrator
 * CPU-second can be compared with ({@code benchmarks/setups.sh}). {@link Phase1Benchmark#bareDh} does both ends'
 * DH instead (two pairs, two agreements).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
public class BareDhBenchmark {
    @Param({"MODP2048", "ECP256"})
    public DhGroup group;

    private byte[] peerPublic;

    @Setup
    public void peer() {
        peerPublic = DiffieHellman.generate(group).publicValue();
    }

    @Benchmark
    public void responderDh(Blackhole bh) throws GeneralSecurityException {
        DiffieHellman ours = DiffieHellman.generate(group);
        bh.consume(ours.publicValue());
        bh.consume(ours.sharedSecret(peerPublic));
    }
}
