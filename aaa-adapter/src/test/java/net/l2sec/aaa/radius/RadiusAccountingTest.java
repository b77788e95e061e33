package net.l2sec.aaa.radius;

import static net.l2sec.aaa.radius.FakeAccountingSender.await;
import static net.l2sec.aaa.radius.FakeAccountingSender.integer;
import static net.l2sec.aaa.radius.FakeAccountingSender.string;
import static net.l2sec.aaa.radius.WireAttribute.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import net.l2sec.spi.session.ActiveSession;
import net.l2sec.spi.session.ClientIdentity;
import net.l2sec.spi.session.SessionCounters;
import net.l2sec.spi.session.TerminateCause;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tinyradius.core.packet.request.RadiusRequest;

class RadiusAccountingTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final long GIB = 1L << 32;

    @TempDir
    Path dir;
    final FakeAccountingSender sender = new FakeAccountingSender();
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private RadiusAccounting accounting(Duration interim) {
        AccountingSettings settings = AccountingSettings.of(dir, "l2sec-test", Optional.of(FakeSessionControl.v4("192.0.2.1")))
                .withInterimInterval(interim).withBackoff(Duration.ofMillis(10), Duration.ofMillis(50));
        return new RadiusAccounting(settings, sender, RadiusDictionary.get(), registry, AcctAuthentic.BY_RULE, Clock.systemUTC());
    }

    private static RadiusRequest ofType(List<RadiusRequest> requests, int statusType) {
        return requests.stream().filter(r -> integer(r, ACCT_STATUS_TYPE) == statusType).findFirst()
                .orElseThrow(() -> new AssertionError("no record of status type " + statusType));
    }

    @Test
    void startAndStopCarryTheSessionTheCountersSplitIntoGigawordsTheClassesAndTheCause() throws Exception {
        byte[] gold = "gold".getBytes(StandardCharsets.US_ASCII);
        byte[] binary = {0, 1, (byte) 0xff, 0x7f};
        ActiveSession s = FakeSessionControl.session("6743A0C1-00010002", "alice", "10.8.0.5", Duration.ofSeconds(75),
                List.of(gold, binary));
        long in = 5 * GIB + 1234;   // more than 4 GiB: needs Gigawords
        long out = 3 * GIB - 1;
        try (RadiusAccounting acct = accounting(Duration.ZERO)) {
            acct.started(s);
            acct.stopped(s, new SessionCounters(in, out, 7_000_001, 6_000_002), TerminateCause.SESSION_TIMEOUT);
            await(() -> sender.delivered.size() >= 3, WAIT, "On, Start, Stop");
        }
        assertThat(FakeAccountingSender.statusTypes(sender.delivered)).containsExactly(7L, 1L, 2L, 8L);
        RadiusRequest start = ofType(sender.delivered, 1);
        RadiusRequest stop = ofType(sender.delivered, 2);
        for (RadiusRequest r : List.of(start, stop)) {
            assertThat(string(r, USER_NAME)).isEqualTo("alice");
            assertThat(string(r, ACCT_SESSION_ID)).isEqualTo("6743A0C1-00010002");
            assertThat(string(r, NAS_IDENTIFIER)).isEqualTo("l2sec-test");
            assertThat(FakeAccountingSender.attributes(r).get(NAS_IP_ADDRESS).getFirst()).containsExactly(192, 0, 2, 1);
            assertThat(integer(r, NAS_PORT)).isEqualTo(65538);
            assertThat(integer(r, NAS_PORT_TYPE)).isEqualTo(5);
            assertThat(integer(r, SERVICE_TYPE)).isEqualTo(2);
            assertThat(integer(r, FRAMED_PROTOCOL)).isEqualTo(1);
            assertThat(FakeAccountingSender.attributes(r).get(FRAMED_IP_ADDRESS).getFirst()).containsExactly(10, 8, 0, 5);
            assertThat(string(r, CALLING_STATION_ID)).isEqualTo("127.0.0.9");
            assertThat(wire(r, TUNNEL_CLIENT_ENDPOINT)).isEqualTo("\u0001127.0.0.9".getBytes(StandardCharsets.US_ASCII));
            assertThat(wire(r, TUNNEL_TYPE)).containsExactly(1, 0, 0, 3);
            assertThat(wire(r, TUNNEL_MEDIUM_TYPE)).containsExactly(1, 0, 0, 1);
            assertThat(FakeAccountingSender.attributes(r).get(CLASS)).containsExactly(gold, binary);
            assertThat(integer(r, ACCT_AUTHENTIC)).isEqualTo(1);
            assertThat(integer(r, EVENT_TIMESTAMP)).isCloseTo(System.currentTimeMillis() / 1000, org.assertj.core.data.Offset.offset(60L));
            assertThat(integer(r, ACCT_DELAY_TIME)).isBetween(0L, 60L);
        }
        assertThat(FakeAccountingSender.attributes(start)).doesNotContainKeys(ACCT_INPUT_OCTETS, ACCT_TERMINATE_CAUSE, ACCT_SESSION_TIME);
        assertThat(integer(stop, ACCT_INPUT_OCTETS)).isEqualTo(1234);
        assertThat(integer(stop, ACCT_INPUT_GIGAWORDS)).isEqualTo(5);
        assertThat(integer(stop, ACCT_OUTPUT_OCTETS)).isEqualTo(GIB - 1);
        assertThat(integer(stop, ACCT_OUTPUT_GIGAWORDS)).isEqualTo(2);
        assertThat(integer(stop, ACCT_INPUT_PACKETS)).isEqualTo(7_000_001);
        assertThat(integer(stop, ACCT_OUTPUT_PACKETS)).isEqualTo(6_000_002);
        assertThat(integer(stop, ACCT_SESSION_TIME)).isBetween(75L, 120L);
        assertThat(integer(stop, ACCT_TERMINATE_CAUSE)).isEqualTo(5);
        RadiusRequest on = ofType(sender.delivered, 7);
        assertThat(FakeAccountingSender.attributes(on)).containsKeys(ACCT_SESSION_ID, NAS_IDENTIFIER, EVENT_TIMESTAMP)
                .doesNotContainKeys(USER_NAME, CLASS);
        assertThat(registry.get("l2sec.acct.records").tag("type", "stop").tag("result", "sent").counter().count()).isEqualTo(1);
    }

    @Test
    void anIkev2SessionIsAnEspTunnelWithoutPpp() throws Exception {
        ActiveSession s = FakeSessionControl.session("6743A0C1-00000007", "carol", "10.8.0.7", Duration.ofSeconds(5),
                List.of()).withProtocol(net.l2sec.spi.session.SessionProtocol.IKEV2);
        try (RadiusAccounting acct = accounting(Duration.ZERO)) {
            acct.started(s);
            await(() -> sender.delivered.size() >= 2, WAIT, "On, Start");
        }
        RadiusRequest start = ofType(sender.delivered, 1);
        assertThat(integer(start, NAS_PORT_TYPE)).as("Virtual").isEqualTo(5);
        assertThat(wire(start, TUNNEL_TYPE)).as("RFC 2868 Tunnel-Type ESP, tag 1").containsExactly(1, 0, 0, 9);
        assertThat(wire(start, TUNNEL_MEDIUM_TYPE)).containsExactly(1, 0, 0, 1);
        assertThat(FakeAccountingSender.attributes(start)).as("no PPP").doesNotContainKey(FRAMED_PROTOCOL);
        assertThat(integer(start, SERVICE_TYPE)).isEqualTo(2);
    }

    @Test
    void interimUpdatesReadLiveCountersAndStopAtTheStop() throws Exception {
        FakeSessionControl control = new FakeSessionControl();
        ActiveSession s = FakeSessionControl.session("S-INTERIM", "bob", "10.8.0.6", Duration.ZERO, List.of());
        control.add(s);
        control.counters.put(s.acctSessionId(), new SessionCounters(GIB + 5, 10, 3, 4));
        try (RadiusAccounting acct = accounting(Duration.ofSeconds(1))) {
            acct.sessionControl(control);
            acct.started(s);
            await(() -> sender.delivered.stream().anyMatch(r -> integer(r, ACCT_STATUS_TYPE) == 3), WAIT, "an Interim-Update");
            acct.stopped(s, new SessionCounters(GIB + 6, 11, 4, 5), TerminateCause.USER_REQUEST);
            await(() -> sender.delivered.stream().anyMatch(r -> integer(r, ACCT_STATUS_TYPE) == 2), WAIT, "the Stop");
            Thread.sleep(1500); // a further tick would have produced another Interim-Update
        }
        RadiusRequest interim = ofType(sender.delivered, 3);
        assertThat(integer(interim, ACCT_INPUT_OCTETS)).isEqualTo(5);
        assertThat(integer(interim, ACCT_INPUT_GIGAWORDS)).isEqualTo(1);
        assertThat(FakeAccountingSender.attributes(interim)).doesNotContainKey(ACCT_TERMINATE_CAUSE);
        List<Long> types = FakeAccountingSender.statusTypes(sender.delivered);
        assertThat(types.subList(types.indexOf(2L), types.size())).containsExactly(2L, 8L);
        assertThat(integer(ofType(sender.delivered, 2), ACCT_TERMINATE_CAUSE)).isEqualTo(1);
    }

    @Test
    void interimUpdatesAfterAMoveCarryTheClientsNewAddress() throws Exception {
        FakeSessionControl control = new FakeSessionControl();
        ActiveSession s = FakeSessionControl.session("S-MOVED", "carol", "10.8.0.7", Duration.ZERO, List.of());
        control.add(s);
        control.counters.put(s.acctSessionId(), new SessionCounters(1, 2, 3, 4));
        ActiveSession moved = s.withPeer(new java.net.InetSocketAddress("198.51.100.20", 4500));
        try (RadiusAccounting acct = accounting(Duration.ofSeconds(1))) {
            acct.sessionControl(control);
            acct.started(s);
            acct.peerMoved(moved, s.peer());
            await(() -> sender.delivered.stream().anyMatch(r -> integer(r, ACCT_STATUS_TYPE) == 3), WAIT, "an Interim-Update");
            acct.stopped(moved, new SessionCounters(1, 2, 3, 4), TerminateCause.USER_REQUEST);
            await(() -> sender.delivered.stream().anyMatch(r -> integer(r, ACCT_STATUS_TYPE) == 2), WAIT, "the Stop");
        }
        assertThat(string(ofType(sender.delivered, 1), CALLING_STATION_ID)).isEqualTo("127.0.0.9");
        assertThat(string(ofType(sender.delivered, 3), CALLING_STATION_ID)).isEqualTo("198.51.100.20");
        assertThat(string(ofType(sender.delivered, 2), CALLING_STATION_ID)).isEqualTo("198.51.100.20");
    }

    /** The attribute's value as on the wire (tag included). */
    private static byte[] wire(RadiusRequest r, int type) {
        byte[] tlv = r.getAttributes().stream().filter(a -> a.getType() == type).findFirst().orElseThrow().toByteArray();
        return java.util.Arrays.copyOfRange(tlv, 2, tlv.length);
    }

    @Test
    void acctAuthenticIsLocalForTheLocalRule() {
        ActiveSession s = FakeSessionControl.session("S", "carol", "10.8.0.7", Duration.ZERO, List.of());
        ActiveSession local = new ActiveSession(s.acctSessionId(), s.tag(), s.user(), s.method(), s.peer(), s.address(),
                s.nasPort(), s.authorized(), s.authorization().withRule("local"));
        assertThat(AcctAuthentic.BY_RULE.apply(local)).isEqualTo(AcctAuthentic.LOCAL);
        assertThat(AcctAuthentic.BY_RULE.apply(s)).isEqualTo(AcctAuthentic.RADIUS);
    }

    /**
     * RFC 2865 section 5.1 allows 253 octets of User-Name: a longer name is cut at a character boundary, counted and
     * logged, and the record is sent all the same (before, it was not recorded at all).
     */
    @Test
    void aUserNameOver253OctetsIsCutAtACharacterBoundaryCountedAndStillSent() throws Exception {
        String ascii = "x".repeat(300);
        String wide = "é".repeat(150); // 300 octets, two per character
        ActiveSession a = FakeSessionControl.session("S-ASCII", ascii, "10.8.0.8", Duration.ZERO, List.of());
        ActiveSession b = FakeSessionControl.session("S-WIDE", wide, "10.8.0.9", Duration.ZERO, List.of());
        try (RadiusAccounting acct = accounting(Duration.ZERO)) {
            assertThat(registry.get("l2sec.acct.user.name.truncated").counter().count()).as("exported at 0").isZero();
            acct.started(a);
            acct.started(b);
            acct.stopped(a, new SessionCounters(1, 2, 3, 4), TerminateCause.USER_REQUEST);
            await(() -> sender.delivered.size() >= 4, WAIT, "On, two Starts, a Stop");
        }
        byte[] sentA = userName(sender.delivered, "S-ASCII", 1);
        byte[] sentB = userName(sender.delivered, "S-WIDE", 1);
        assertThat(sentA).hasSize(253).isEqualTo("x".repeat(253).getBytes(StandardCharsets.US_ASCII));
        assertThat(userName(sender.delivered, "S-ASCII", 2)).isEqualTo(sentA);
        assertThat(sentB).hasSize(252);
        assertThat(new String(sentB, StandardCharsets.UTF_8)).isEqualTo("é".repeat(126));
        assertThat(registry.get("l2sec.acct.user.name.truncated").counter().count()).isEqualTo(3);
        try (RadiusAccounting acct = accounting(Duration.ZERO)) {
            assertThat(acct.sessionRecord(AcctStatusType.START, a, null, null).user()).as("the record keeps the whole name")
                    .isEqualTo(ascii);
        }
    }

    @Test
    void hostileNamesAreSentAsTheyAre() throws Exception {
        List<String> names = AccountingSpoolTest.HOSTILE_NAMES.stream().filter(n -> !n.isEmpty()).toList();
        try (RadiusAccounting acct = accounting(Duration.ZERO)) {
            for (int i = 0; i < names.size(); i++) {
                acct.started(FakeSessionControl.session("S-" + i, names.get(i), "10.8.1." + (i + 1), Duration.ZERO, List.of()));
            }
            await(() -> sender.delivered.size() >= names.size() + 1, WAIT, "On and every Start");
            assertThat(acct.spool().corruptCount()).isZero();
        }
        for (int i = 0; i < names.size(); i++) {
            assertThat(userName(sender.delivered, "S-" + i, 1)).as(names.get(i)).isEqualTo(WireAttribute.truncatedText(names.get(i)));
        }
    }

    /** RFC 2869 section 5.11 Connect-Info in Start and Stop: the client's kind, host, L2TP vendor and IKE group. */
    @Test
    void connectInfoNamesTheClient() throws Exception {
        ActiveSession s = FakeSessionControl.session("S-CI", "dave", "10.8.0.10", Duration.ZERO, List.of())
                .withClient(ClientIdentity.ofL2tp("DESKTOP-4F2KQ", "Microsoft")
                        .withLcpIdentification(List.of("MSRASV5.20", "MSRAS-0-DESKTOP-4F2KQ"))
                        .withIke(List.of("ms-nt5-isakmpoakley/v9", "rfc3947"), "ecp384"));
        try (RadiusAccounting acct = accounting(Duration.ZERO)) {
            acct.started(s);
            acct.stopped(s, new SessionCounters(1, 2, 3, 4), TerminateCause.USER_REQUEST);
            await(() -> sender.delivered.size() >= 3, WAIT, "On, Start, Stop");
        }
        for (int type : List.of(1, 2)) {
            assertThat(string(ofType(sender.delivered, type), CONNECT_INFO))
                    .isEqualTo("kind=windows host=DESKTOP-4F2KQ vendor=Microsoft ike=ecp384");
        }
        // plain L2TP from a client that named itself nothing
        assertThat(RadiusAccounting.connectInfo(ClientIdentity.NONE)).isEqualTo("kind=other host=- vendor=- ike=-");
    }

    /**
     * The host and vendor are the peer's text: whatever it sends, Connect-Info stays four space-separated fields of
     * printable characters, without a quote, backslash or a second {@code =} per field, at most 253 octets.
     */
    @Test
    void connectInfoMakesHostilePeerTextHarmless() {
        List<String> hostile = new java.util.ArrayList<>(AccountingSpoolTest.HOSTILE_NAMES);
        hostile.addAll(List.of("evil\n\tUser-Name = \"admin\"", "a b=c", "\u202eevil\u200b", "x".repeat(600),
                "\u00fc".repeat(300), "\ud800lone", "q\"uote\\back'"));
        for (String h : hostile) {
            String sent = RadiusAccounting.connectInfo(ClientIdentity.ofL2tp(h, h).withIke(List.of(), "modp2048"));
            assertThat(sent.getBytes(StandardCharsets.UTF_8).length).as(h).isLessThanOrEqualTo(253);
            assertThat(sent).as(h).matches("kind=other host=[^\\s=\"'\\\\]+ vendor=[^\\s=\"'\\\\]+ ike=modp2048");
            assertThat(sent.codePoints()).as(h).noneMatch(cp -> Character.isISOControl(cp) || Character.getType(cp) == Character.FORMAT
                    || Character.getType(cp) == Character.SURROGATE);
        }
    }

    private static byte[] userName(List<RadiusRequest> requests, String session, int statusType) {
        return requests.stream().filter(r -> session.equals(FakeAccountingSender.attributes(r).containsKey(ACCT_SESSION_ID)
                        ? string(r, ACCT_SESSION_ID) : null) && integer(r, ACCT_STATUS_TYPE) == statusType)
                .findFirst().map(r -> FakeAccountingSender.attributes(r).get(USER_NAME).getFirst())
                .orElseThrow(() -> new AssertionError("no record " + statusType + " of " + session));
    }
}
