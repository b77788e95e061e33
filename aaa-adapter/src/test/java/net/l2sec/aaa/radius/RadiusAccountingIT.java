package net.l2sec.aaa.radius;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import net.l2sec.spi.session.ActiveSession;
import net.l2sec.spi.session.SessionCounters;
import net.l2sec.spi.session.TerminateCause;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Accounting into two real FreeRADIUS servers (127.0.0.1:18140/18141 and 18142/18143): the records arrive in the
 * detail file with the right attributes, and survive both servers being down and a concentrator restart, each
 * delivered exactly once.
 */
class RadiusAccountingIT {
    private static final String SECRET = "acct-it-secret";
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final long GIB = 1L << 32;
    private static FreeRadiusServer rad1;
    private static FreeRadiusServer rad2;

    @TempDir
    Path spoolDir;

    @BeforeAll
    static void start() throws Exception {
        FreeRadiusServer.assumeInstalled();
        rad1 = FreeRadiusServer.builder().authPort(18140).acctPort(18141).secret(SECRET).build().start();
        rad2 = FreeRadiusServer.builder().authPort(18142).acctPort(18143).secret(SECRET).build().start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (rad1 != null) rad1.close();
        if (rad2 != null) rad2.close();
    }

    private static RadiusServer server(String name, FreeRadiusServer fr) {
        return new RadiusServer(name, new InetSocketAddress("127.0.0.1", fr.authPort()),
                Optional.of(new InetSocketAddress("127.0.0.1", fr.acctPort())), SECRET.getBytes(StandardCharsets.UTF_8));
    }

    private RadiusAccounting accounting(Duration interim, SimpleMeterRegistry registry) {
        RadiusClientSettings client = new RadiusClientSettings(List.of(server("rad1", rad1), server("rad2", rad2)),
                Duration.ofMillis(500), 1, Duration.ofSeconds(2), "l2sec-it", Optional.empty(), List.of("Filter-Id"));
        AccountingSettings settings = AccountingSettings.of(spoolDir, "l2sec-it", Optional.of(FakeSessionControl.v4("127.0.0.1")))
                .withInterimInterval(interim).withBackoff(Duration.ofMillis(200), Duration.ofSeconds(1))
                .withCloseDrain(Duration.ofSeconds(5));
        return new RadiusAccounting(settings, RadiusTransport.accounting(client, registry), RadiusDictionary.get(), registry,
                AcctAuthentic.BY_RULE, Clock.systemUTC());
    }

    /** Every record both servers wrote. */
    private static List<Map<String, String>> detail() throws Exception {
        List<Map<String, String>> all = new ArrayList<>(rad1.detailRecords());
        all.addAll(rad2.detailRecords());
        return all;
    }

    private static List<Map<String, String>> detail(String session, String status) throws Exception {
        return detail().stream().filter(r -> session.equals(r.get("Acct-Session-Id")) && status.equals(r.get("Acct-Status-Type"))).toList();
    }

    private static void await(Predicate<Void> condition, String what) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.test(null)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what + "\nrad1:\n" + tail(rad1) + "\nrad2:\n" + tail(rad2));
            }
            Thread.sleep(100);
        }
    }

    private static String tail(FreeRadiusServer fr) {
        String log = fr.log();
        return log.substring(Math.max(0, log.length() - 3000));
    }

    private static boolean has(String session, String status) {
        try {
            return !detail(session, status).isEmpty();
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    void startInterimAndStopArriveWithCountersGigawordsClassAndCause() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        FakeSessionControl control = new FakeSessionControl();
        byte[] klass = "gold-plan\u0001".getBytes(StandardCharsets.UTF_8);
        ActiveSession s = FakeSessionControl.session("IT-" + System.nanoTime(), "alice", "10.8.0.5", Duration.ofSeconds(30), List.of(klass))
                .withIpv6(new net.l2sec.spi.auth.Ipv6Framing(
                        java.util.Optional.of(new net.l2sec.spi.auth.Ipv6Framing.Prefix(
                                (java.net.Inet6Address) java.net.InetAddress.getByName("2001:db8:99:1::"), 64)),
                        java.util.OptionalLong.empty(),
                        java.util.Optional.of(new net.l2sec.spi.auth.Ipv6Framing.Prefix(
                                (java.net.Inet6Address) java.net.InetAddress.getByName("2001:db8:aa00::"), 56))));
        control.add(s);
        control.counters.put(s.acctSessionId(), new SessionCounters(4 * GIB + 100, 200, 10, 20));
        try (RadiusAccounting acct = accounting(Duration.ofSeconds(1), registry)) {
            acct.sessionControl(control);
            acct.started(s);
            await(v -> has(s.acctSessionId(), "Interim-Update"), "the Interim-Update in the detail file");
            acct.stopped(s, new SessionCounters(6 * GIB + 7, 3 * GIB + 9, 123_456, 654_321), TerminateCause.IDLE_TIMEOUT);
            await(v -> has(s.acctSessionId(), "Stop"), "the Stop in the detail file");
        }
        Map<String, String> start = detail(s.acctSessionId(), "Start").getFirst();
        Map<String, String> interim = detail(s.acctSessionId(), "Interim-Update").getFirst();
        Map<String, String> stop = detail(s.acctSessionId(), "Stop").getFirst();
        String classHex = "0x" + HexFormat.of().formatHex(klass);
        for (Map<String, String> r : List.of(start, interim, stop)) {
            assertThat(r).containsEntry("User-Name", "alice").containsEntry("NAS-Identifier", "l2sec-it")
                    .containsEntry("Framed-IP-Address", "10.8.0.5").containsEntry("Calling-Station-Id", "127.0.0.9")
                    .containsEntry("NAS-Port", "65538").containsEntry("NAS-Port-Type", "Virtual")
                    .containsEntry("Service-Type", "Framed-User").containsEntry("Framed-Protocol", "PPP")
                    .containsEntry("Acct-Authentic", "RADIUS").containsEntry("Class", classHex)
                    .containsKey("Event-Timestamp").containsKey("Acct-Delay-Time");
            // RFC 3162 / RFC 4818, as FreeRADIUS decodes them
            assertThat(r).containsEntry("Framed-IPv6-Prefix", "2001:db8:99:1::/64").containsEntry("Delegated-IPv6-Prefix", "2001:db8:aa00::/56");
            assertThat(r.get("Tunnel-Type:1")).as(r.toString()).isEqualTo("L2TP");
            assertThat(r.get("Tunnel-Client-Endpoint:1")).as(r.toString()).isEqualTo("127.0.0.9");
        }
        assertThat(start).doesNotContainKeys("Acct-Input-Octets", "Acct-Terminate-Cause");
        assertThat(interim).containsEntry("Acct-Input-Octets", "100").containsEntry("Acct-Input-Gigawords", "4")
                .containsEntry("Acct-Output-Octets", "200").containsEntry("Acct-Input-Packets", "10")
                .doesNotContainKey("Acct-Terminate-Cause");
        assertThat(stop).containsEntry("Acct-Input-Octets", "7").containsEntry("Acct-Input-Gigawords", "6")
                .containsEntry("Acct-Output-Octets", "9").containsEntry("Acct-Output-Gigawords", "3")
                .containsEntry("Acct-Input-Packets", "123456").containsEntry("Acct-Output-Packets", "654321")
                .containsEntry("Acct-Terminate-Cause", "Idle-Timeout");
        assertThat(Long.parseLong(stop.get("Acct-Session-Time"))).isBetween(30L, 120L);
        assertThat(registry.get("l2sec.acct.records").tag("type", "stop").tag("result", "sent").counter().count()).isEqualTo(1);
    }

    @Test
    void anIkev2SessionReachesFreeRadiusAsAnEspTunnelWithoutPpp() throws Exception {
        ActiveSession s = FakeSessionControl.session("IT2-" + System.nanoTime(), "carol", "10.8.0.7", Duration.ofSeconds(5),
                List.of()).withProtocol(net.l2sec.spi.session.SessionProtocol.IKEV2);
        try (RadiusAccounting acct = accounting(Duration.ZERO, new SimpleMeterRegistry())) {
            acct.started(s);
            acct.stopped(s, new SessionCounters(10, 20, 1, 2), TerminateCause.USER_REQUEST);
            await(v -> has(s.acctSessionId(), "Stop"), "the Stop in the detail file");
        }
        for (Map<String, String> r : List.of(detail(s.acctSessionId(), "Start").getFirst(), detail(s.acctSessionId(), "Stop").getFirst())) {
            assertThat(r).containsEntry("User-Name", "carol").containsEntry("NAS-Port-Type", "Virtual")
                    .containsEntry("Service-Type", "Framed-User").doesNotContainKey("Framed-Protocol");
            // RFC 2868 section 3.1: Tunnel-Type 9, as FreeRADIUS's dictionary names it
            assertThat(r.get("Tunnel-Type:1")).as(r.toString()).isEqualTo("ESP");
            assertThat(r.get("Tunnel-Client-Endpoint:1")).as(r.toString()).isEqualTo("127.0.0.9");
        }
    }

    @Test
    void recordsSpooledWhileBothServersAreDownAreDeliveredOnceAfterARestart() throws Exception {
        long onBefore = detail().stream().filter(r -> "Accounting-On".equals(r.get("Acct-Status-Type"))).count();
        rad1.stop();
        rad2.stop();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        List<String> sessions = new ArrayList<>();
        RadiusAccounting first = accounting(Duration.ZERO, registry);
        try {
            for (int i = 0; i < 3; i++) {
                ActiveSession s = FakeSessionControl.session("OUT-" + i + "-" + System.nanoTime(), "user" + i, "10.8.1." + (i + 1),
                        Duration.ofSeconds(5), List.of(("c" + i).getBytes(StandardCharsets.UTF_8)));
                sessions.add(s.acctSessionId());
                first.started(s);
                first.stopped(s, new SessionCounters(GIB * i + i, i, i, i), TerminateCause.USER_REQUEST);
            }
            await(v -> first.spool().size() == 7, "On + 3 Start + 3 Stop spooled");
            await(v -> registry.find("l2sec.acct.records").tag("result", "failed").counter() != null, "a failed attempt");
            assertThat(registry.get("l2sec.acct.spool.records").gauge().value()).isEqualTo(7);
            assertThat(registry.get("l2sec.acct.spool.oldest.age.seconds").gauge().value()).isGreaterThanOrEqualTo(0);
        } finally {
            first.close(); // spools Accounting-Off; nothing answers, so everything stays on disk
        }
        try (var files = Files.list(spoolDir)) {
            assertThat(files.filter(p -> p.toString().endsWith(".acct")).count()).isEqualTo(8);
        }
        // the concentrator restarts before the servers come back
        SimpleMeterRegistry registry2 = new SimpleMeterRegistry();
        try (RadiusAccounting second = accounting(Duration.ZERO, registry2)) {
            Thread.sleep(500);
            assertThat(registry2.get("l2sec.acct.spool.records").gauge().value()).isGreaterThanOrEqualTo(8);
            rad1.start();
            rad2.start();
            await(v -> second.spool().size() == 0, "the spool to drain");
            assertThat(registry2.get("l2sec.acct.spool.records").gauge().value()).isZero();
        }
        for (String id : sessions) {
            assertThat(detail(id, "Start")).as("Start of " + id).hasSize(1);
            assertThat(detail(id, "Stop")).as("Stop of " + id).hasSize(1);
        }
        // order: in each detail file a session's Start comes before its Stop
        for (FreeRadiusServer fr : List.of(rad1, rad2)) {
            List<Map<String, String>> records = fr.detailRecords();
            for (String id : sessions) {
                int start = indexOf(records, id, "Start");
                int stop = indexOf(records, id, "Stop");
                if (stop >= 0) assertThat(start).as("Start before Stop of " + id).isBetween(0, stop - 1);
            }
        }
        long on = detail().stream().filter(r -> "Accounting-On".equals(r.get("Acct-Status-Type"))).count();
        assertThat(on - onBefore).isEqualTo(2); // one per run
        try (var files = Files.list(spoolDir)) {
            assertThat(files.filter(p -> p.toString().endsWith(".acct")).toList()).isEmpty();
        }
    }

    private static int indexOf(List<Map<String, String>> records, String session, String status) {
        for (int i = 0; i < records.size(); i++) {
            if (session.equals(records.get(i).get("Acct-Session-Id")) && status.equals(records.get(i).get("Acct-Status-Type"))) return i;
        }
        return -1;
    }
}
