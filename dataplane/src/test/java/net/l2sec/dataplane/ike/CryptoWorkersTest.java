package net.l2sec.dataplane.ike;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import net.l2sec.dataplane.ike.keymat.DhGroup;
import net.l2sec.dataplane.ike.keymat.DiffieHellman;
import net.l2sec.dataplane.ike.keymat.IkeCipher;
import net.l2sec.dataplane.ike.keymat.IkeHash;
import net.l2sec.dataplane.ike.keymat.Phase1Keying;
import net.l2sec.dataplane.ike.message.Payload;
import net.l2sec.dataplane.ike.message.PayloadChain;
import net.l2sec.dataplane.ipsec.EspCipher;
import net.l2sec.dataplane.ipsec.EspIntegrity;
import org.junit.jupiter.api.Test;

/**
 * Diffie-Hellman off the event loop: the worker's part run by hand ({@link ManualCryptoExecutor}), the event loop's
 * by {@link net.l2sec.dataplane.time.ManualScheduler#runPending}; and the real pool with its bound.
 */
class CryptoWorkersTest {
    private static IkeSettings settings() {
        return MainModeQuickModeTest.settings(false).withAggressiveMode(true);
    }

    private static TestInitiator client(IkeHarness net, String ip) {
        return new TestInitiator(net, ip, 50123, 50124).suite(IkeCipher.AES_CBC, 128, IkeHash.SHA2_256, DhGroup.ECP256);
    }

    private static IkeSa only(IkeHarness net) {
        List<IkeSa> all = net.responder.context().sas().all();
        assertThat(all).hasSize(1);
        return all.get(0);
    }

    /** Delivers without running the event loop's queue: what a worker posts there stays until {@link #loop}. */
    private static List<IkeHarness.Sent> arrive(IkeHarness net, java.net.InetSocketAddress peer, byte[] msg) {
        int before = net.sent.size();
        io.netty.buffer.ByteBuf b = io.netty.buffer.Unpooled.wrappedBuffer(msg);
        net.responder.receive(peer, IkeHarness.LOCAL_500, b);
        return new ArrayList<>(net.sent.subList(before, net.sent.size()));
    }

    private static List<IkeHarness.Sent> loop(IkeHarness net) {
        int before = net.sent.size();
        net.scheduler.runPending();
        return new ArrayList<>(net.sent.subList(before, net.sent.size()));
    }

    @Test
    void message3IsComputedByAWorkerAndMessage4GoesOutOnTheLoop() throws Exception {
        ManualCryptoExecutor crypto = new ManualCryptoExecutor(4);
        IkeHarness net = new IkeHarness(settings(), crypto.workers());
        TestInitiator i = client(net, "203.0.113.5");
        i.mm2(net.exchange(i.addr500, IkeHarness.LOCAL_500, i.mm1()));
        assertThat(crypto.waiting()).as("message 1 computes nothing").isZero();

        assertThat(arrive(net, i.addr500, i.mm3())).as("nothing before the keys").isEmpty();
        IkeSa ike = only(net);
        assertThat(ike.state()).isEqualTo(IkeSa.State.MM_KEYING);
        assertThat(crypto.waiting()).isEqualTo(1);
        assertThat(net.gauge("l2sec.ike.crypto.in_progress")).isEqualTo(1);

        crypto.runNext();
        assertThat(net.gauge("l2sec.ike.crypto.in_progress")).isZero();
        assertThat(ike.keymat).as("the worker does not touch the SA").isNull();
        assertThat(ike.state()).isEqualTo(IkeSa.State.MM_KEYING);

        List<IkeHarness.Sent> out = loop(net);
        assertThat(out).hasSize(1);
        PayloadChain mm4 = i.mm4(out.get(0).message());
        assertThat(mm4.first(Payload.Ke.class).data()).hasSize(64);
        assertThat(ike.state()).isEqualTo(IkeSa.State.MM_KE_SENT);

        List<IkeHarness.Sent> out6 = net.deliver(i.addr4500, IkeHarness.LOCAL_4500, i.mm5(false));
        assertThat(out6).hasSize(1);
        i.mm6(out6.get(0).message());
        assertThat(ike.established()).isTrue();
        assertThat(crypto.executed).isEqualTo(1);
    }

    @Test
    void message3AgainWhileItsKeysAreComputedIsDroppedNotComputedTwice() throws Exception {
        ManualCryptoExecutor crypto = new ManualCryptoExecutor(4);
        IkeHarness net = new IkeHarness(settings(), crypto.workers());
        TestInitiator i = client(net, "203.0.113.5");
        i.mm2(net.exchange(i.addr500, IkeHarness.LOCAL_500, i.mm1()));
        byte[] mm3 = i.mm3();
        assertThat(net.deliver(i.addr500, IkeHarness.LOCAL_500, mm3)).isEmpty();
        assertThat(net.deliver(i.addr500, IkeHarness.LOCAL_500, mm3)).as("retransmission").isEmpty();
        assertThat(crypto.waiting()).as("one computation").isEqualTo(1);
        assertThat(net.dropped("keying_in_progress")).isEqualTo(1);

        crypto.runNext();
        List<IkeHarness.Sent> out = loop(net);
        assertThat(out).hasSize(1);
        // once message 4 is out, message 3 again gets message 4 again (the response cache), still no computation
        assertThat(net.deliver(i.addr500, IkeHarness.LOCAL_500, mm3)).extracting(IkeHarness.Sent::message)
                .containsExactly(out.get(0).message());
        assertThat(crypto.waiting()).isZero();
        assertThat(crypto.executed).isEqualTo(1);
        i.mm4(out.get(0).message());
        assertThat(net.deliver(i.addr4500, IkeHarness.LOCAL_4500, i.mm5(false))).hasSize(1);
    }

    @Test
    void keysForAnSaThatIsGoneMeanwhileAreWipedAndNothingIsSent() throws Exception {
        ManualCryptoExecutor crypto = new ManualCryptoExecutor(4);
        IkeHarness net = new IkeHarness(settings(), crypto.workers());
        TestInitiator i = client(net, "203.0.113.5");
        i.mm2(net.exchange(i.addr500, IkeHarness.LOCAL_500, i.mm1()));
        assertThat(net.deliver(i.addr500, IkeHarness.LOCAL_500, i.mm3())).isEmpty();
        IkeSa ike = only(net);
        // the half-open timeout runs out while the worker is (very) slow: the SA is deleted
        net.scheduler.advance(net.responder.context().settings().halfOpenTimeout().plus(Duration.ofSeconds(1)));
        assertThat(ike.deleted()).isTrue();
        assertThat(net.count("l2sec.ike.phase1", "result", "failed", "reason", "timeout")).isEqualTo(1);

        crypto.runNext();
        assertThat(loop(net)).as("no message 4 for a deleted SA").isEmpty();
        assertThat(ike.state()).isEqualTo(IkeSa.State.DELETED);
        assertThat(ike.keymat).isNull();
        assertThat(net.dropped("internal_error")).isZero();
        assertThat(net.responder.context().sas().all()).isEmpty();
    }

    @Test
    void aFullQueueDropsTheNewMessage3CountedAndTheRetransmissionIsServedLater() throws Exception {
        ManualCryptoExecutor crypto = new ManualCryptoExecutor(1);
        IkeHarness net = new IkeHarness(settings(), crypto.workers());
        TestInitiator a = client(net, "203.0.113.5");
        TestInitiator b = client(net, "203.0.113.6");
        a.mm2(net.exchange(a.addr500, IkeHarness.LOCAL_500, a.mm1()));
        b.mm2(net.exchange(b.addr500, IkeHarness.LOCAL_500, b.mm1()));
        assertThat(net.deliver(a.addr500, IkeHarness.LOCAL_500, a.mm3())).isEmpty();
        byte[] bMm3 = b.mm3();
        assertThat(net.deliver(b.addr500, IkeHarness.LOCAL_500, bMm3)).isEmpty();
        assertThat(net.dropped("crypto_busy")).isEqualTo(1);
        assertThat(crypto.waiting()).isEqualTo(1);
        IkeSa bSa = net.responder.context().sas().all().stream().filter(s -> s.peer.equals(b.addr500)).findFirst().orElseThrow();
        assertThat(bSa.state()).as("unchanged, waiting for the retransmission").isEqualTo(IkeSa.State.MM_SA_SENT);

        crypto.runNext();
        assertThat(loop(net)).hasSize(1);
        // b's client resends message 3: now there is room
        assertThat(net.deliver(b.addr500, IkeHarness.LOCAL_500, bMm3)).isEmpty();
        crypto.runNext();
        List<IkeHarness.Sent> out = loop(net);
        assertThat(out).hasSize(1);
        b.mm4(out.get(0).message());
        assertThat(net.deliver(b.addr4500, IkeHarness.LOCAL_4500, b.mm5(false))).hasSize(1);
        assertThat(bSa.established()).isTrue();
        assertThat(net.dropped("crypto_busy")).isEqualTo(1);
    }

    @Test
    void aggressiveModeWaitsForItsKeysToo() throws Exception {
        ManualCryptoExecutor crypto = new ManualCryptoExecutor(1);
        IkeHarness net = new IkeHarness(settings(), crypto.workers());
        TestInitiator a = client(net, "203.0.113.5");
        TestInitiator b = client(net, "203.0.113.6");
        byte[] am1 = a.am1();
        assertThat(net.deliver(a.addr500, IkeHarness.LOCAL_500, am1)).isEmpty();
        assertThat(only(net).state()).isEqualTo(IkeSa.State.AM_KEYING);
        assertThat(net.deliver(a.addr500, IkeHarness.LOCAL_500, am1)).as("message 1 again").isEmpty();
        assertThat(net.dropped("keying_in_progress")).isEqualTo(1);
        byte[] bAm1 = b.am1();
        assertThat(net.deliver(b.addr500, IkeHarness.LOCAL_500, bAm1)).as("queue full").isEmpty();
        assertThat(net.dropped("crypto_busy")).isEqualTo(1);
        assertThat(net.responder.context().sas().all()).as("b's SA gone: as if its message 1 never came").hasSize(1);

        crypto.runNext();
        List<IkeHarness.Sent> out = loop(net);
        assertThat(out).hasSize(1);
        assertThat(a.hashRValid(a.am2(out.get(0).message()))).isTrue();
        assertThat(net.deliver(a.addr500, IkeHarness.LOCAL_500, a.am3(false))).isEmpty();
        assertThat(only(net).established()).isTrue();

        assertThat(net.deliver(b.addr500, IkeHarness.LOCAL_500, bAm1)).isEmpty();
        crypto.runNext();
        assertThat(loop(net)).hasSize(1);
    }

    @Test
    void aBadKeIsFoundByTheWorkerAndFailsPhase1OnTheLoop() throws Exception {
        ManualCryptoExecutor crypto = new ManualCryptoExecutor(4);
        IkeHarness net = new IkeHarness(settings(), crypto.workers());
        TestInitiator i = client(net, "203.0.113.5");
        i.mm2(net.exchange(i.addr500, IkeHarness.LOCAL_500, i.mm1()));
        byte[] mm3 = i.mm3();
        // the KE's point: x || y with y changed, off the curve
        int ke = indexOf(mm3, i.gxi);
        mm3[ke + 63] ^= 1;
        assertThat(net.deliver(i.addr500, IkeHarness.LOCAL_500, mm3)).isEmpty();
        crypto.runNext();
        assertThat(loop(net)).isEmpty();
        assertThat(net.count("l2sec.ike.phase1", "result", "failed", "reason", "invalid_ke")).isEqualTo(1);
        assertThat(net.responder.context().sas().all()).isEmpty();
    }

    @Test
    void certificateAndSignaturesOfMessage5AreCheckedByAWorkerAndMessage6GoesOutOnTheLoop() throws Exception {
        ManualCryptoExecutor crypto = new ManualCryptoExecutor(4);
        IkeHarness net = new IkeHarness(CertificateAuthTest.settings(), CertificateAuthTest.clock(), crypto.workers());
        TestInitiator i = CertificateAuthTest.client(net, "client.crt.pem", "client.key.pem");
        i.mm2(net.exchange(i.addr500, IkeHarness.LOCAL_500, i.mm1()));
        assertThat(net.deliver(i.addr500, IkeHarness.LOCAL_500, i.mm3())).isEmpty();
        crypto.runNext();
        i.mm4(loop(net).get(0).message());
        IkeSa ike = only(net);

        byte[] mm5 = i.mm5(false);
        assertThat(net.deliver(i.addr4500, IkeHarness.LOCAL_4500, mm5)).as("nothing before the signatures").isEmpty();
        assertThat(ike.state()).isEqualTo(IkeSa.State.MM_AUTHENTICATING);
        assertThat(net.deliver(i.addr4500, IkeHarness.LOCAL_4500, mm5)).as("message 5 again").isEmpty();
        assertThat(net.dropped("keying_in_progress")).isEqualTo(1);
        assertThat(crypto.waiting()).as("one check").isEqualTo(1);

        crypto.runNext();
        List<IkeHarness.Sent> out = loop(net);
        PayloadChain mm6 = i.mm6(TestInitiator.whole(out));
        assertThat(mm6.first(Payload.Sig.class)).isNotNull();
        assertThat(ike.established()).isTrue();
        assertThat(out.get(0).peer()).as("floated").isEqualTo(i.addr4500);
    }

    @Test
    void aRefusedCertificateFoundByTheWorkerFailsPhase1OnTheLoop() throws Exception {
        ManualCryptoExecutor crypto = new ManualCryptoExecutor(4);
        IkeHarness net = new IkeHarness(CertificateAuthTest.settings(), CertificateAuthTest.clock(), crypto.workers());
        TestInitiator i = CertificateAuthTest.client(net, "rogue.crt.pem", "rogue.key.pem");
        i.mm2(net.exchange(i.addr500, IkeHarness.LOCAL_500, i.mm1()));
        net.deliver(i.addr500, IkeHarness.LOCAL_500, i.mm3());
        crypto.runNext();
        i.mm4(loop(net).get(0).message());
        assertThat(net.deliver(i.addr4500, IkeHarness.LOCAL_4500, i.mm5(false))).isEmpty();
        crypto.runNext();
        List<IkeHarness.Sent> out = loop(net);
        assertThat(out).as("the unprotected notify").hasSize(1);
        assertThat(net.count("l2sec.ike.phase1", "result", "failed", "reason", "cert_invalid")).isEqualTo(1);
        assertThat(net.responder.context().sas().all()).isEmpty();
    }

    @Test
    void aFullQueueDropsMessage5AndItsRetransmissionIsServedLater() throws Exception {
        ManualCryptoExecutor crypto = new ManualCryptoExecutor(1);
        IkeHarness net = new IkeHarness(CertificateAuthTest.settings(), CertificateAuthTest.clock(), crypto.workers());
        TestInitiator i = CertificateAuthTest.client(net, "client.crt.pem", "client.key.pem");
        TestInitiator other = new TestInitiator(net, "203.0.113.9", 500, 4500).suite(IkeCipher.AES_CBC, 256,
                IkeHash.SHA2_256, DhGroup.MODP2048).signWith(CertificateAuthTest.key("client.key.pem"),
                CertificateAuthTest.certs("client.crt.pem"));
        i.mm2(net.exchange(i.addr500, IkeHarness.LOCAL_500, i.mm1()));
        other.mm2(net.exchange(other.addr500, IkeHarness.LOCAL_500, other.mm1()));
        net.deliver(i.addr500, IkeHarness.LOCAL_500, i.mm3());
        crypto.runNext();
        i.mm4(loop(net).get(0).message());
        assertThat(net.deliver(other.addr500, IkeHarness.LOCAL_500, other.mm3())).isEmpty();
        byte[] mm5 = i.mm5(false);
        assertThat(net.deliver(i.addr4500, IkeHarness.LOCAL_4500, mm5)).as("the queue holds other's DH").isEmpty();
        assertThat(net.dropped("crypto_busy")).isEqualTo(1);
        crypto.runNext();
        loop(net);
        assertThat(net.deliver(i.addr4500, IkeHarness.LOCAL_4500, mm5)).as("resent").isEmpty();
        crypto.runNext();
        i.mm6(TestInitiator.whole(loop(net)));
        assertThat(net.count("l2sec.ike.phase1", "result", "completed")).isEqualTo(1);
    }

    /** Main Mode through message 6 with the worker's part run by hand. */
    private static TestInitiator established(IkeHarness net, ManualCryptoExecutor crypto) throws Exception {
        TestInitiator i = client(net, "203.0.113.5");
        i.mm2(net.exchange(i.addr500, IkeHarness.LOCAL_500, i.mm1()));
        net.deliver(i.addr500, IkeHarness.LOCAL_500, i.mm3());
        crypto.runNext();
        i.mm4(loop(net).get(0).message());
        i.mm6(net.exchange(i.addr4500, IkeHarness.LOCAL_4500, i.mm5(false)));
        return i;
    }

    @Test
    void quickModePfsIsComputedByAWorkerAndItsMessage1AgainIsDropped() throws Exception {
        ManualCryptoExecutor crypto = new ManualCryptoExecutor(4);
        IkeHarness net = new IkeHarness(settings(), crypto.workers());
        TestInitiator i = established(net, crypto);
        TestInitiator.Qm qm = i.new Qm(DhGroup.ECP256);
        byte[] m1 = qm.message1(List.of(TestInitiator.esp(1, EspCipher.AES_CBC, 256,
                EspIntegrity.HMAC_SHA1_96, DhGroup.ECP256)));
        assertThat(net.deliver(i.addr4500, IkeHarness.LOCAL_4500, m1)).as("nothing before g^qm xy").isEmpty();
        assertThat(net.deliver(i.addr4500, IkeHarness.LOCAL_4500, m1)).as("message 1 again").isEmpty();
        assertThat(net.dropped("keying_in_progress")).isEqualTo(1);
        assertThat(crypto.waiting()).isEqualTo(1);
        crypto.runNext();
        List<IkeHarness.Sent> out = loop(net);
        assertThat(out).hasSize(1);
        qm.message2(out.get(0).message());
        assertThat(qm.gqmxy).isNotNull();
        net.deliver(i.addr4500, IkeHarness.LOCAL_4500, qm.message3());
        assertThat(net.childSas.installed).hasSize(1);
        assertThat(net.childSas.installed.get(0).inboundKeymat()).isEqualTo(qm.responderInbound(52));
    }

    @Test
    void quickModePfsWithTheQueueFullFailsPhase2CountedAndAnSaGoneMeanwhileDiscardsTheResult() throws Exception {
        ManualCryptoExecutor crypto = new ManualCryptoExecutor(1);
        IkeHarness net = new IkeHarness(settings(), crypto.workers());
        TestInitiator i = established(net, crypto);
        List<Payload.Transform> pfs = List.of(TestInitiator.esp(1, EspCipher.AES_CBC, 256,
                EspIntegrity.HMAC_SHA1_96, DhGroup.ECP256));
        TestInitiator.Qm first = i.new Qm(DhGroup.ECP256);
        assertThat(net.deliver(i.addr4500, IkeHarness.LOCAL_4500, first.message1(pfs))).isEmpty();
        TestInitiator.Qm second = i.new Qm(DhGroup.ECP256);
        assertThat(net.deliver(i.addr4500, IkeHarness.LOCAL_4500, second.message1(pfs))).isEmpty();
        assertThat(net.dropped("crypto_busy")).isEqualTo(1);
        assertThat(net.count("l2sec.ike.phase2", "result", "failed", "reason", "crypto_busy")).isEqualTo(1);

        IkeSa ike = only(net);
        net.responder.context().deletion().delete(ike, "test", false, false);
        crypto.runNext();
        assertThat(loop(net)).as("no message 2 for a deleted SA").isEmpty();
        assertThat(net.dropped("internal_error")).isZero();
        assertThat(net.childSas.installed).isEmpty();
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
            return i;
        }
        throw new AssertionError("not found");
    }

    // ---- the real pool

    @Test
    void theRealPoolComputesOnItsThreadsAndHandsTheResultToTheLoop() throws Exception {
        ExecutorService loop = Executors.newSingleThreadExecutor(r -> new Thread(r, "test-loop"));
        try (CryptoWorkers pool = CryptoWorkers.pool(2)) {
            byte[] peer = DiffieHellman.generate(DhGroup.ECP256).publicValue();
            Phase1Keying keying = new Phase1Keying(DhGroup.ECP256, IkeHash.SHA2_256, IkeCipher.AES_CBC, 128, 1, 2, peer,
                    new byte[16], new byte[16], "psk".getBytes());
            AtomicReference<String> worker = new AtomicReference<>();
            BlockingQueue<Object> done = new ArrayBlockingQueue<>(1);
            assertThat(pool.submit(() -> {
                worker.set(Thread.currentThread().getName());
                return keying.compute();
            }, loop, o -> done.add(List.of(Thread.currentThread().getName(), o)))).isTrue();
            List<?> result = (List<?>) done.poll(10, TimeUnit.SECONDS);
            assertThat(worker.get()).startsWith("l2sec-crypto-");
            assertThat(result.get(0)).isEqualTo("test-loop");
            CryptoWorkers.Outcome<?> outcome = (CryptoWorkers.Outcome<?>) result.get(1);
            assertThat(outcome.failure()).isNull();
            assertThat(((Phase1Keying.Keys) outcome.value()).gxr()).hasSize(64);
            assertThat(keying.toString()).as("no secret in a log line").doesNotContain("psk").doesNotContain("[B@");
        } finally {
            loop.shutdownNow();
        }
    }

    @Test
    void theRealPoolTakesWorkersPlusItsQueueThenRefuses() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        try (CryptoWorkers pool = CryptoWorkers.pool(1)) {
            int accepted = 0;
            for (int n = 0; n < CryptoWorkers.QUEUED_PER_WORKER + 10; n++) {
                boolean ok = pool.submit(() -> {
                    started.countDown();
                    release.await();
                    return null;
                }, Runnable::run, o -> {
                });
                if (ok) accepted++;
                if (n == 0) assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
            }
            assertThat(accepted).as("one running, QUEUED_PER_WORKER waiting").isEqualTo(1 + CryptoWorkers.QUEUED_PER_WORKER);
            assertThat(pool.inProgress()).isEqualTo(accepted);
            release.countDown();
        }
    }
}
