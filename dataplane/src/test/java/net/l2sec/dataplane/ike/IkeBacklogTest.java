package net.l2sec.dataplane.ike;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import net.l2sec.dataplane.ike.IkeBacklog.Budget;
import net.l2sec.dataplane.ike.keymat.DhGroup;
import net.l2sec.dataplane.ike.keymat.IkeCipher;
import net.l2sec.dataplane.ike.keymat.IkeHash;
import org.junit.jupiter.api.Test;

/**
 * IKE work waits its turn behind established clients' packets: turns after the loop's iteration, a budget per turn,
 * continuations first, a bounded queue that drops the oldest, one peer's ESP kept behind its IKE message; and on a real
 * Netty event loop, a turn after the iteration's ordinary tasks.
 */
class IkeBacklogTest {
    private static final Budget ROOMY = new Budget(1_000, Long.MAX_VALUE);

    /** An event loop by hand: {@link #iterate} runs the ordinary tasks, then the turns asked for after them. */
    static final class ManualTurns implements IkeBacklog.Turns {
        final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
        final ArrayDeque<Runnable> afterIteration = new ArrayDeque<>();

        @Override
        public void afterIteration(Runnable turn) {
            afterIteration.add(turn);
        }

        @Override
        public void execute(Runnable task) {
            tasks.add(task);
        }

        /** One iteration's tasks and turns (what those ask for runs in a later iteration, as Netty's loop does). */
        void iterate() {
            for (int n = tasks.size(); n > 0; n--) tasks.poll().run();
            for (int n = afterIteration.size(); n > 0; n--) afterIteration.poll().run();
        }
    }

    private static IkeSettings settings() {
        return MainModeQuickModeTest.settings(false);
    }

    private static TestInitiator client(IkeHarness net, String ip) {
        return new TestInitiator(net, ip, 50123, 50124).suite(IkeCipher.AES_CBC, 128, IkeHash.SHA2_256, DhGroup.ECP256);
    }

    private static ByteBuf buf(byte[] octets) {
        return Unpooled.copiedBuffer(octets);
    }

    @Test
    void aMessageWaitsForTheTurnAfterTheIterationAndItsBufferIsReleasedOnArrival() throws Exception {
        IkeHarness net = new IkeHarness(settings());
        ManualTurns turns = new ManualTurns();
        IkeBacklog backlog = net.responder.yielding(turns, ROOMY, 16, System::nanoTime);
        TestInitiator a = client(net, "203.0.113.5");
        ByteBuf mm1 = buf(a.mm1());

        backlog.receive(a.addr500, IkeHarness.LOCAL_500, mm1);

        assertThat(mm1.refCnt()).as("copied and released at once").isZero();
        assertThat(net.sent).as("nothing before the turn").isEmpty();
        assertThat(backlog.waiting()).isEqualTo(1);
        assertThat(net.gauge("l2sec.ike.backlog")).isEqualTo(1);
        turns.iterate();
        assertThat(net.sent).hasSize(1);
        a.mm2(net.sent.get(0).message());
        assertThat(backlog.waiting()).isZero();
        assertThat(turns.tasks).as("nothing left: no further turn asked for").isEmpty();
        assertThat(turns.afterIteration).isEmpty();
    }

    @Test
    void aTurnDoesItsBudgetOfMessagesAndTheRestWaitsForTheNextIterations() throws Exception {
        IkeHarness net = new IkeHarness(settings());
        ManualTurns turns = new ManualTurns();
        IkeBacklog backlog = net.responder.yielding(turns, new Budget(2, Long.MAX_VALUE), 16, System::nanoTime);
        for (int i = 1; i <= 5; i++) {
            TestInitiator c = client(net, "203.0.113." + i);
            backlog.receive(c.addr500, IkeHarness.LOCAL_500, buf(c.mm1()));
        }
        assertThat(turns.afterIteration).as("one turn asked for, not one per message").hasSize(1);

        turns.iterate();
        assertThat(net.sent).hasSize(2);
        assertThat(turns.afterIteration).as("the next turn is not in this iteration").isEmpty();
        assertThat(turns.tasks).as("but asked for by an ordinary task").hasSize(1);
        turns.iterate();
        assertThat(net.sent).hasSize(4);
        turns.iterate();
        assertThat(net.sent).hasSize(5);
        assertThat(net.sent).extracting(s -> s.peer().getAddress().getHostAddress())
                .containsExactly("203.0.113.1", "203.0.113.2", "203.0.113.3", "203.0.113.4", "203.0.113.5");
        assertThat(turns.tasks).isEmpty();
        assertThat(turns.afterIteration).isEmpty();
    }

    @Test
    void aTurnBeginsNoNewMessageOnceItsTimeIsUp() throws Exception {
        IkeHarness net = new IkeHarness(settings());
        ManualTurns turns = new ManualTurns();
        AtomicLong now = new AtomicLong();
        // every reading of the clock is 300 µs later: after two messages 600 µs have passed, over the 500 µs budget
        IkeBacklog backlog = net.responder.yielding(turns, new Budget(16, 500_000), 16, () -> now.getAndAdd(300_000));
        for (int i = 1; i <= 5; i++) {
            TestInitiator c = client(net, "203.0.113." + i);
            backlog.receive(c.addr500, IkeHarness.LOCAL_500, buf(c.mm1()));
        }
        turns.iterate();
        assertThat(net.sent).hasSize(2);
        assertThat(backlog.waiting()).isEqualTo(3);
    }

    @Test
    void aContinuationGoesBeforeNewMessages() throws Exception {
        ManualCryptoExecutor crypto = new ManualCryptoExecutor(4);
        IkeHarness net = new IkeHarness(settings(), crypto.workers());
        ManualTurns turns = new ManualTurns();
        IkeBacklog backlog = net.responder.yielding(turns, new Budget(1, Long.MAX_VALUE), 16, System::nanoTime);
        TestInitiator a = client(net, "203.0.113.5");
        backlog.receive(a.addr500, IkeHarness.LOCAL_500, buf(a.mm1()));
        turns.iterate();
        a.mm2(net.sent.get(0).message());
        backlog.receive(a.addr500, IkeHarness.LOCAL_500, buf(a.mm3()));
        turns.iterate();
        assertThat(crypto.waiting()).as("message 3's Diffie-Hellman handed to a worker").isEqualTo(1);
        for (int i = 1; i <= 3; i++) {
            TestInitiator c = client(net, "198.51.100." + i);
            backlog.receive(c.addr500, IkeHarness.LOCAL_500, buf(c.mm1()));
        }
        crypto.runNext(); // the worker's result comes back to the backlog, not the loop's task queue
        net.scheduler.runPending();
        assertThat(net.sent).as("nothing from the loop's own queue").hasSize(1);
        assertThat(backlog.waiting()).isEqualTo(4);

        turns.iterate();
        assertThat(net.sent).hasSize(2);
        assertThat(net.sent.get(1).peer()).as("message 4 first").isEqualTo(a.addr500);
        a.mm4(net.sent.get(1).message());
        turns.iterate();
        assertThat(net.sent.get(2).peer().getAddress().getHostAddress()).isEqualTo("198.51.100.1");
    }

    @Test
    void whenFullTheOldestWaitingMessageIsDroppedAndCounted() throws Exception {
        IkeHarness net = new IkeHarness(settings());
        ManualTurns turns = new ManualTurns();
        IkeBacklog backlog = net.responder.yielding(turns, ROOMY, 3, System::nanoTime);
        for (int i = 1; i <= 4; i++) {
            TestInitiator c = client(net, "203.0.113." + i);
            backlog.receive(c.addr500, IkeHarness.LOCAL_500, buf(c.mm1()));
        }
        assertThat(backlog.waiting()).isEqualTo(3);
        assertThat(net.dropped("backlog_full")).isEqualTo(1);
        turns.iterate();
        assertThat(net.sent).extracting(s -> s.peer().getAddress().getHostAddress())
                .containsExactly("203.0.113.2", "203.0.113.3", "203.0.113.4");
    }

    @Test
    void aPeersEspWaitsBehindItsWaitingIkeMessageOtherPeersEspGoesAtOnce() throws Exception {
        IkeHarness net = new IkeHarness(settings());
        ManualTurns turns = new ManualTurns();
        IkeBacklog backlog = net.responder.yielding(turns, ROOMY, 16, System::nanoTime);
        List<String> events = new ArrayList<>();
        var esp = backlog.behind((peer, local, packet) -> {
            events.add("esp " + peer.getAddress().getHostAddress() + " " + packet.readInt());
            packet.release();
        });
        TestInitiator a = client(net, "203.0.113.5");
        InetSocketAddress other = new InetSocketAddress("198.51.100.9", 4500);

        backlog.receive(a.addr4500, IkeHarness.LOCAL_4500, buf(a.mm1()));
        ByteBuf behind = buf(new byte[] {0, 0, 0, 1, 0, 0, 0, 1});
        esp.receive(a.addr4500, IkeHarness.LOCAL_4500, behind);
        esp.receive(other, IkeHarness.LOCAL_4500, buf(new byte[] {0, 0, 0, 2, 0, 0, 0, 1}));

        assertThat(behind.refCnt()).as("copied while it waits").isZero();
        assertThat(events).as("the other peer's at once").containsExactly("esp 198.51.100.9 2");
        assertThat(backlog.waiting()).isEqualTo(2);
        turns.iterate();
        assertThat(net.sent).hasSize(1);
        assertThat(events).containsExactly("esp 198.51.100.9 2", "esp 203.0.113.5 1");
        esp.receive(a.addr4500, IkeHarness.LOCAL_4500, buf(new byte[] {0, 0, 0, 3, 0, 0, 0, 2}));
        assertThat(events).as("nothing waits any more: at once").endsWith("esp 203.0.113.5 3");
    }

    @Test
    void onARealEventLoopTurnsFollowTheIterationsTasksGoOnUntilAllIsDoneAndAWorkersContinuationRuns() throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            EventLoop loop = group.next();
            IkeHarness net = new IkeHarness(settings());
            IkeBacklog backlog = net.responder.yielding(IkeBacklog.Turns.of(loop), new Budget(16, Long.MAX_VALUE), 1024,
                    System::nanoTime);
            AtomicInteger waitingWhenTheTaskRan = new AtomicInteger(-1);
            CountDownLatch taskRan = new CountDownLatch(1);
            CompletableFuture<Void> queued = CompletableFuture.runAsync(() -> {
                // 200 truncated messages (each dropped and counted when its turn comes), then an ordinary task
                for (int i = 0; i < 200; i++) {
                    backlog.receive(new InetSocketAddress("203.0.113." + (1 + i % 200), 500), IkeHarness.LOCAL_500,
                            buf(new byte[] {1, 2, 3}));
                }
                loop.execute(() -> {
                    waitingWhenTheTaskRan.set(backlog.waiting());
                    taskRan.countDown();
                });
            }, loop);
            queued.get(5, TimeUnit.SECONDS);
            assertThat(taskRan.await(5, TimeUnit.SECONDS)).isTrue();
            CountDownLatch continued = new CountDownLatch(1);
            backlog.execute(continued::countDown); // from this thread, as a crypto worker
            assertThat(continued.await(5, TimeUnit.SECONDS)).isTrue();
            CompletableFuture.runAsync(() -> { }, loop).get(5, TimeUnit.SECONDS);
            for (int i = 0; i < 100 && backlog.waiting() > 0; i++) Thread.sleep(20);

            assertThat(waitingWhenTheTaskRan.get()).as("an ordinary task queued with them runs before their turn")
                    .isEqualTo(200);
            assertThat(backlog.waiting()).isZero();
            assertThat(net.dropped("truncated")).isEqualTo(200);
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
        }
    }
}
