package net.l2sec.dataplane.ike;

import static net.l2sec.dataplane.ike.ResponderBehaviourTest.capture;
import static net.l2sec.dataplane.ike.ResponderBehaviourTest.client;
import static net.l2sec.dataplane.ike.ResponderBehaviourTest.settings;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import net.l2sec.dataplane.ike.keymat.DhGroup;
import net.l2sec.dataplane.ike.keymat.IkeCipher;
import net.l2sec.dataplane.ike.keymat.IkeHash;
import org.junit.jupiter.api.Test;

/**
 * Main Mode message 1 from forged source addresses (100.64.0.0/10, random ports and cookies, a Windows-like offer
 * of four transforms) far beyond what the half-open bounds hold, at 20,000 per second of virtual time: the memory
 * stays within its bound, the oldest unanswered Main Modes make room, the responder goes under attack and back, and a
 * client whose message 3 comes while its entry is still held completes its phase 1 in the middle of it.
 */
class HalfOpenFloodTest {
    static final long MIB = IkeSettings.HalfOpen.MIB;
    /** 20,000 message 1 per second. */
    static final Duration GAP = Duration.ofNanos(50_000);
    final Random random = new Random(14);
    final byte[] template;

    HalfOpenFloodTest() {
        TestInitiator windowsLike = new TestInitiator(null, "100.64.0.1", 500, 4500);
        template = windowsLike.mm1(List.of(TestInitiator.p1(1, IkeCipher.AES_CBC, 256, IkeHash.SHA1, DhGroup.ECP384),
                TestInitiator.p1(2, IkeCipher.AES_CBC, 128, IkeHash.SHA1, DhGroup.ECP256),
                TestInitiator.p1(3, IkeCipher.AES_CBC, 256, IkeHash.SHA1, DhGroup.MODP2048),
                TestInitiator.p1(4, IkeCipher.AES_CBC, 256, IkeHash.SHA1, DhGroup.MODP1024)));
    }

    /** {@code n} forged message 1, each from another address of 100.64.0.0/10 with its own cookie, 50 µs apart. */
    void flood(IkeHarness net, int n) throws Exception {
        HalfOpenTable table = net.responder.context().halfOpen();
        long bound = net.responder.context().settings().halfOpen().maxBytes();
        for (int k = 0; k < n; k++) {
            byte[] m = template.clone();
            long cookie = random.nextLong() | 1;
            for (int b = 0; b < 8; b++) m[b] = (byte) (cookie >>> 56 - 8 * b);
            int a = 0x64400000 | random.nextInt(1 << 22);
            InetSocketAddress source = new InetSocketAddress(InetAddress.getByAddress(new byte[] {(byte) (a >>> 24),
                    (byte) (a >>> 16), (byte) (a >>> 8), (byte) a}), 1024 + random.nextInt(64000));
            net.deliver(source, IkeHarness.LOCAL_500, m);
            net.scheduler.advance(GAP);
            assertThat(table.bytes()).as("half-open memory after %d forged message 1", k + 1).isLessThanOrEqualTo(bound);
        }
        net.sent.clear(); // our message 2 to forged addresses: nobody reads them
    }

    @Test
    void aFloodFarBeyondTheBoundStaysWithinItAndTheNewestClientStillCompletes() throws Exception {
        IkeHarness net = new IkeHarness(settings().withHalfOpen(new IkeSettings.HalfOpen(MIB, 64)));
        HalfOpenTable table = net.responder.context().halfOpen();
        ListAppender<ILoggingEvent> attackLog = capture(UnderAttack.class);
        ListAppender<ILoggingEvent> tableLog = capture(HalfOpenTable.class);

        flood(net, 1);
        long entrySize = table.bytes();
        int capacity = (int) (MIB / entrySize);
        // the accounted size is the measured heap size and more (HalfOpenTable.ENTRY_OVERHEAD): about 560 octets
        // for this offer, so 1 MiB holds some 1,900 Main Modes: 94 ms of a 20,000/s flood
        assertThat(entrySize).isBetween((long) HalfOpenTable.ENTRY_OVERHEAD, 1024L);
        flood(net, 20_000 - 1);
        assertThat(table.size()).isEqualTo(capacity);
        assertThat(net.count("l2sec.ike.half_open.evictions", "reason", "oldest")).isEqualTo(20_000 - capacity);
        assertThat(net.count("l2sec.ike.phase1", "result", "failed", "reason", "evicted")).isEqualTo(20_000 - capacity);
        assertThat(net.count("l2sec.ike.phase1", "result", "started")).isEqualTo(20_000);
        assertThat(net.gauge("l2sec.ike.under_attack")).isEqualTo(1);
        assertThat(net.count("l2sec.ike.under_attack.entered")).isEqualTo(1);
        assertThat(net.gauge("l2sec.ike.half_open.oldest")).isLessThan(capacity * GAP.toNanos() / 1e9 + 0.001);
        assertThat(attackLog.list).singleElement().satisfies(e -> {
            assertThat(e.getLevel()).isEqualTo(Level.WARN);
            assertThat(e.getFormattedMessage()).contains("ike under attack", "reason=oldest");
        });
        // one line per eviction would be 18,000 lines: at most ThrottledLog.LINES per 10 s and a summary
        assertThat(tableLog.list).hasSizeLessThanOrEqualTo(2 * ThrottledLog.LINES + 1);
        assertThat(net.count("l2sec.ike.log.suppressed")).isGreaterThan(15_000);

        // a client in the middle of the flood: its message 3 comes while half the table's room is still ahead of it
        TestInitiator c = client(net, 500, 4500);
        c.mm2(net.exchange(c.addr500, IkeHarness.LOCAL_500, c.mm1()));
        flood(net, capacity / 2);
        c.mm4(net.exchange(c.addr500, IkeHarness.LOCAL_500, c.mm3()));
        flood(net, capacity / 2);
        c.mm6(TestInitiator.whole(net.deliver(c.addr4500, IkeHarness.LOCAL_4500, c.mm5(false))));
        assertThat(net.gauge("l2sec.ike.sas.active")).isEqualTo(1);

        // one whose message 3 comes after the table turned over once: its entry was evicted (the bound is real)
        TestInitiator late = new TestInitiator(net, "198.51.100.20", 500, 4500).suite(IkeCipher.AES_CBC, 256,
                IkeHash.SHA2_256, DhGroup.MODP2048);
        late.mm2(net.exchange(late.addr500, IkeHarness.LOCAL_500, late.mm1()));
        flood(net, capacity + 1);
        assertThat(net.deliver(late.addr500, IkeHarness.LOCAL_500, late.mm3())).isEmpty();
        assertThat(net.dropped("unknown_sa")).isEqualTo(1);

        // the flood stops: the entries time out 30 s after they came, and a whole half-open timeout without an
        // eviction ends the attack
        net.scheduler.advance(Duration.ofSeconds(29));
        assertThat(table.size()).isEqualTo(capacity);
        assertThat(net.gauge("l2sec.ike.under_attack")).isEqualTo(1);
        net.scheduler.advance(Duration.ofSeconds(2));
        assertThat(table.size()).isZero();
        assertThat(table.bytes()).isZero();
        assertThat(net.gauge("l2sec.ike.half_open.sas", "stage", "message_1")).isZero();
        assertThat(net.gauge("l2sec.ike.under_attack")).isZero();
        assertThat(attackLog.list).hasSize(2);
        assertThat(attackLog.list.get(1).getFormattedMessage()).contains("ike attack over");
        assertThat(net.count("l2sec.ike.phase1", "result", "failed", "reason", "timeout")).isEqualTo(capacity);
        // the suppressed lines were summed up at the end of their windows; no timer is left
        assertThat(tableLog.list).anyMatch(e -> e.getFormattedMessage().matches("\\d+ more lines like .*suppressed in 10 s"));
        net.scheduler.advance(Duration.ofSeconds(30));
        assertThat(net.scheduler.activeTimers()).as("the established SA's lifetime and DPD only").isEqualTo(2);
    }

    @Test
    void oneSourceHoldsAtMostItsShareAndOthersKeepTheirs() throws Exception {
        IkeHarness net = new IkeHarness(settings().withHalfOpen(new IkeSettings.HalfOpen(MIB, 8)).withLimits(1024, 1000));
        HalfOpenTable table = net.responder.context().halfOpen();
        TestInitiator neighbour = new TestInitiator(net, "198.51.100.9", 500, 4500).suite(IkeCipher.AES_CBC, 256,
                IkeHash.SHA2_256, DhGroup.MODP2048);
        neighbour.mm2(net.exchange(neighbour.addr500, IkeHarness.LOCAL_500, neighbour.mm1()));
        // one address, fifty Main Modes on fifty ports (within its rate): it keeps its newest eight
        TestInitiator last = null;
        for (int k = 0; k < 50; k++) {
            last = client(net, 20000 + k, 4500);
            last.mm2(net.exchange(last.addr500, IkeHarness.LOCAL_500, last.mm1()));
        }
        assertThat(table.size()).isEqualTo(1 + 8);
        assertThat(net.count("l2sec.ike.half_open.evictions", "reason", "source_share")).isEqualTo(42);
        assertThat(net.count("l2sec.ike.half_open.evictions", "reason", "oldest")).isZero();
        assertThat(net.gauge("l2sec.ike.under_attack")).as("one noisy source is no attack on everyone").isZero();
        // the neighbour's and that address's newest exchange go on
        neighbour.mm4(net.exchange(neighbour.addr500, IkeHarness.LOCAL_500, neighbour.mm3()));
        last.mm4(net.exchange(last.addr500, IkeHarness.LOCAL_500, last.mm3()));
        assertThat(net.gauge("l2sec.ike.half_open.sas", "stage", "keyed")).isEqualTo(2);
    }

    @Test
    void keyedPhase1sAreBoundedByEvictingTheOldestAndAggressiveModeNeverEvictsAMainMode() throws Exception {
        IkeHarness net = new IkeHarness(settings().withLimits(2, 100).withAggressiveMode(true));
        TestInitiator a = client(net, 40001, 4500);
        TestInitiator b = client(net, 40002, 4500);
        TestInitiator c = client(net, 40003, 4500);
        for (TestInitiator i : List.of(a, b, c)) {
            i.mm2(net.exchange(i.addr500, IkeHarness.LOCAL_500, i.mm1()));
            net.scheduler.advance(Duration.ofMillis(10));
            i.mm4(net.exchange(i.addr500, IkeHarness.LOCAL_500, i.mm3()));
        }
        // c's message 3 made room: a, the oldest, went
        assertThat(net.count("l2sec.ike.half_open.evictions", "reason", "keyed_limit")).isEqualTo(1);
        assertThat(net.count("l2sec.ike.phase1", "result", "failed", "reason", "evicted")).isEqualTo(1);
        assertThat(net.gauge("l2sec.ike.under_attack")).isEqualTo(1);
        assertThat(net.deliver(a.addr4500, IkeHarness.LOCAL_4500, a.mm5(false))).isEmpty();
        assertThat(net.dropped("unknown_sa")).isEqualTo(1);

        // an Aggressive Mode, whose peer proved nothing, does not evict the Main Modes: refused
        TestInitiator am = new TestInitiator(net, "198.51.100.30", 500, 4500).suite(IkeCipher.AES_CBC, 256,
                IkeHash.SHA2_256, DhGroup.MODP2048);
        assertThat(net.deliver(am.addr500, IkeHarness.LOCAL_500, am.am1())).isEmpty();
        assertThat(net.count("l2sec.ike.phase1", "result", "failed", "reason", "half_open_limit")).isEqualTo(1);

        // b completes; now an Aggressive Mode gets room, and the next Main Mode evicts it rather than c
        b.mm6(TestInitiator.whole(net.deliver(b.addr4500, IkeHarness.LOCAL_4500, b.mm5(false))));
        TestInitiator am2 = new TestInitiator(net, "198.51.100.31", 500, 4500).suite(IkeCipher.AES_CBC, 256,
                IkeHash.SHA2_256, DhGroup.MODP2048);
        assertThat(net.deliver(am2.addr500, IkeHarness.LOCAL_500, am2.am1())).as("message 2, in fragments").isNotEmpty();
        TestInitiator d = client(net, 40004, 4500);
        d.mm2(net.exchange(d.addr500, IkeHarness.LOCAL_500, d.mm1()));
        d.mm4(net.exchange(d.addr500, IkeHarness.LOCAL_500, d.mm3()));
        assertThat(net.count("l2sec.ike.half_open.evictions", "reason", "keyed_limit")).isEqualTo(2);
        c.mm6(TestInitiator.whole(net.deliver(c.addr4500, IkeHarness.LOCAL_4500, c.mm5(false))));
        d.mm6(TestInitiator.whole(net.deliver(d.addr4500, IkeHarness.LOCAL_4500, d.mm5(false))));
        assertThat(net.gauge("l2sec.ike.sas.active")).isEqualTo(3);
    }
}
