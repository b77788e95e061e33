package net.l2sec.aaa.radius;

import static net.l2sec.aaa.radius.FakeAccountingSender.await;
import static net.l2sec.aaa.radius.FakeAccountingSender.integer;
import static net.l2sec.aaa.radius.FakeAccountingSender.string;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tinyradius.core.packet.request.RadiusRequest;

class AccountingSpoolTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final FakeAccountingSender sender = new FakeAccountingSender();

    private AccountingSpool spool(int max) {
        return new AccountingSpool(dir, sender, RadiusDictionary.get(), max, Duration.ofMillis(10), Duration.ofMillis(40), registry);
    }

    static AccountingRecord record(AcctStatusType type, String session) {
        return new AccountingRecord(type, Instant.now(), session, "alice", List.of(
                WireAttribute.integer(WireAttribute.ACCT_STATUS_TYPE, type.code()),
                WireAttribute.string(WireAttribute.USER_NAME, "alice"),
                WireAttribute.string(WireAttribute.ACCT_SESSION_ID, session)));
    }

    private List<Path> files(String suffix) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList();
        }
    }

    private double gauge() {
        return registry.get("l2sec.acct.spool.records").gauge().value();
    }

    @Test
    void recordsAreOnDiskBeforeDeliveryAndDeliveredInOrderOnceAServerAnswers() throws Exception {
        sender.up = false;
        try (AccountingSpool spool = spool(100)) {
            spool.append(record(AcctStatusType.START, "S1"));
            spool.append(record(AcctStatusType.INTERIM, "S1"));
            spool.append(record(AcctStatusType.STOP, "S1"));
            assertThat(files(".acct")).hasSize(3);
            assertThat(gauge()).isEqualTo(3);
            assertThat(AccountingSpool.parse(Files.readString(files(".acct").getFirst())).type()).isEqualTo(AcctStatusType.START);
            await(() -> sender.attempts.size() >= 3, WAIT, "retries while down");
            // every attempt so far was the oldest record: order is kept while failing
            assertThat(sender.attempts).allMatch(r -> integer(r, WireAttribute.ACCT_STATUS_TYPE) == 1);
            assertThat(registry.get("l2sec.acct.records").tag("type", "start").tag("result", "failed").counter().count()).isGreaterThanOrEqualTo(3);
            sender.up = true;
            await(() -> spool.size() == 0, WAIT, "delivery");
        }
        assertThat(FakeAccountingSender.statusTypes(sender.delivered)).containsExactly(1L, 3L, 2L);
        assertThat(files(".acct")).isEmpty();
        assertThat(gauge()).isZero();
        assertThat(registry.get("l2sec.acct.records").tag("type", "stop").tag("result", "sent").counter().count()).isEqualTo(1);
    }

    @Test
    void aNewSpoolOnTheSameDirectorySendsWhatThePreviousRunLeftInOrderAndKeepsNumberingUpward() throws Exception {
        sender.up = false;
        try (AccountingSpool first = spool(100)) {
            first.append(record(AcctStatusType.START, "A"));
            first.append(record(AcctStatusType.STOP, "A"));
        }
        List<Path> left = files(".acct");
        assertThat(left).hasSize(2);
        FakeAccountingSender second = new FakeAccountingSender();
        second.up = false;
        try (AccountingSpool spool = new AccountingSpool(dir, second, RadiusDictionary.get(), 100, Duration.ofMillis(10),
                Duration.ofMillis(40), new SimpleMeterRegistry())) {
            assertThat(spool.size()).isEqualTo(2);
            spool.append(record(AcctStatusType.START, "B"));
            List<Path> now = files(".acct");
            assertThat(now).hasSize(3);
            assertThat(now.getLast().getFileName().toString()).isGreaterThan(left.getLast().getFileName().toString());
            second.up = true;
            await(() -> spool.size() == 0, WAIT, "delivery after restart");
        }
        assertThat(second.delivered).extracting(r -> string(r, WireAttribute.ACCT_SESSION_ID) + "/" + integer(r, WireAttribute.ACCT_STATUS_TYPE))
                .containsExactly("A/1", "A/2", "B/1");
    }

    @Test
    void corruptFilesAreMovedAsideAndDoNotBlockTheQueue() throws Exception {
        Files.writeString(dir.resolve("00000000000000000001.acct"), "garbage\n");
        Files.writeString(dir.resolve("00000000000000000002.acct"),
                AccountingSpool.serialize(record(AcctStatusType.START, "OK")));
        String full = AccountingSpool.serialize(record(AcctStatusType.STOP, "TRUNC"));
        Files.writeString(dir.resolve("00000000000000000003.acct"), full.substring(0, full.indexOf("end")));
        Files.writeString(dir.resolve(".00000000000000000004.acct.tmp"), "half a write");
        try (AccountingSpool spool = spool(100)) {
            await(() -> spool.size() == 0, WAIT, "delivery");
            assertThat(spool.corruptCount()).isEqualTo(2);
        }
        assertThat(sender.delivered).extracting(r -> string(r, WireAttribute.ACCT_SESSION_ID)).containsExactly("OK");
        assertThat(files(".bad")).extracting(p -> p.getFileName().toString())
                .containsExactly("00000000000000000001.acct.bad", "00000000000000000003.acct.bad");
        assertThat(files(".tmp")).isEmpty();
        assertThat(registry.get("l2sec.acct.records").tag("result", "corrupt").counter().count()).isEqualTo(2);
    }

    @Test
    void aFileCorruptedWhileQueuedIsSetAsideToo() throws Exception {
        sender.up = false;
        try (AccountingSpool spool = spool(100)) {
            spool.append(record(AcctStatusType.START, "X"));
            spool.append(record(AcctStatusType.START, "Y"));
            // X is queued and being retried: its next read finds the file damaged. The server stays down until
            // then, so no attempt that read X before the damage can succeed.
            await(() -> !sender.attempts.isEmpty(), WAIT, "a first failed attempt of X");
            Files.writeString(files(".acct").getFirst(), "l2sec-accounting-record 1\ntype=start\n");
            await(() -> spool.corruptCount() == 1, WAIT, "X set aside");
            sender.up = true;
            await(() -> spool.size() == 0, WAIT, "delivery");
            assertThat(spool.corruptCount()).isEqualTo(1);
        }
        assertThat(sender.delivered).extracting(r -> string(r, WireAttribute.ACCT_SESSION_ID)).containsExactly("Y");
    }

    @Test
    void acctDelayTimeIsComputedAtSendFromTheRecordsCreation() throws Exception {
        try (AccountingSpool spool = spool(100)) {
            AccountingRecord old = new AccountingRecord(AcctStatusType.STOP, Instant.parse("2026-01-01T00:00:00Z"), "S", "u",
                    record(AcctStatusType.STOP, "S").attributes());
            RadiusRequest request = spool.toRequest(old, Instant.parse("2026-01-01T00:01:30Z"));
            assertThat(integer(request, WireAttribute.ACCT_DELAY_TIME)).isEqualTo(90);
            assertThat(request.getType()).isEqualTo((byte) 4);
        }
    }

    @Test
    void pastTheBoundInterimUpdatesAreRefusedAndCountedButStartAndStopAreKept() throws Exception {
        sender.up = false;
        try (AccountingSpool spool = spool(2)) {
            assertThat(spool.append(record(AcctStatusType.START, "A"))).isTrue();
            assertThat(spool.append(record(AcctStatusType.START, "B"))).isTrue();
            assertThat(spool.append(record(AcctStatusType.INTERIM, "A"))).isFalse();
            assertThat(spool.append(record(AcctStatusType.STOP, "A"))).isTrue();
            assertThat(spool.size()).isEqualTo(3);
            assertThat(registry.get("l2sec.acct.records").tag("type", "interim").tag("result", "dropped").counter().count()).isEqualTo(1);
        }
    }

    @Test
    void theOldestAgeGaugeFollowsTheOldestWaitingRecord() throws Exception {
        sender.up = false;
        try (AccountingSpool spool = spool(100)) {
            assertThat(registry.get("l2sec.acct.spool.oldest.age.seconds").gauge().value()).isZero();
            spool.append(new AccountingRecord(AcctStatusType.START, Instant.now().minusSeconds(120), "S", "u",
                    record(AcctStatusType.START, "S").attributes()));
            assertThat(registry.get("l2sec.acct.spool.oldest.age.seconds").gauge().value()).isBetween(119.0, 200.0);
        }
    }

    /** Names as the dataplane makes them from octets: decoded as UTF-8 (octets that are not UTF-8 become U+FFFD). */
    static String fromOctets(byte... octets) {
        return new String(octets, StandardCharsets.UTF_8);
    }

    /** The names the spool must carry unchanged: line breaks, NUL, other control octets, non-UTF-8 octets, 300 octets. */
    static final List<String> HOSTILE_NAMES = List.of(
            "line\nfeed", "carriage\rreturn", "nul\0inside", "\u0001\u0007\u001b[2J\u007f\u0085 controls",
            fromOctets((byte) 0xff, (byte) 0xfe, (byte) 'a', (byte) 0xc3, (byte) 0x28, (byte) 0xed, (byte) 0xa0, (byte) 0x80),
            "x".repeat(300), "é".repeat(150), "alice\nattr=44 41\nend\nuser=mallory",
            "%41 percent and = equals", "", "\u2028\u202e\ud83d\ude00");

    private static AccountingRecord hostile(String name, List<WireAttribute> attributes) {
        return new AccountingRecord(AcctStatusType.STOP, Instant.parse("2026-11-24T16:00:00.123Z"), name + "-session", name,
                attributes);
    }

    @Test
    void everyNameAndEveryAttributeValueComesBackExactlyAndStaysOnItsLines() {
        byte[] everyOctet = new byte[253];
        for (int i = 0; i < everyOctet.length; i++) everyOctet[i] = (byte) i;
        for (String name : HOSTILE_NAMES) {
            AccountingRecord r = hostile(name, List.of(WireAttribute.integer(WireAttribute.ACCT_STATUS_TYPE, 2),
                    new WireAttribute(WireAttribute.USER_NAME, WireAttribute.truncatedText(name.isEmpty() ? "-" : name)),
                    new WireAttribute(WireAttribute.CLASS, everyOctet), new WireAttribute(WireAttribute.CLASS, new byte[] {'\n'})));
            String text = AccountingSpool.serialize(r);
            assertThat(text).as("ASCII only").matches("[\\x20-\\x7e\\n]*");
            assertThat(text.lines()).as(name).hasSize(5 + 4 + 1)
                    .allMatch(l -> l.matches("(l2sec-accounting-record 2|type=stop|created=\\S+|session=[A-Za-z0-9._~%-]*"
                            + "|user=[A-Za-z0-9._~%-]*|attr=\\d+ [0-9a-f]*|end)"));
            assertThat(AccountingSpool.parse(text)).as(name).isEqualTo(r);
        }
    }

    @Test
    void randomOctetsRoundTrip() {
        Random random = new Random(20261124);
        for (int n = 0; n < 500; n++) {
            byte[] name = new byte[random.nextInt(400)];
            random.nextBytes(name);
            List<WireAttribute> attributes = new ArrayList<>();
            attributes.add(WireAttribute.integer(WireAttribute.ACCT_STATUS_TYPE, 1));
            for (int k = random.nextInt(5); k > 0; k--) {
                byte[] value = new byte[random.nextInt(254)];
                random.nextBytes(value);
                attributes.add(new WireAttribute(1 + random.nextInt(255), value));
            }
            AccountingRecord r = new AccountingRecord(AcctStatusType.START, Instant.ofEpochMilli(random.nextLong(0, 1L << 45)),
                    fromOctets(name), fromOctets(name), attributes);
            assertThat(AccountingSpool.parse(AccountingSpool.serialize(r))).isEqualTo(r);
        }
    }

    @Test
    void hostileNamesGoThroughTheSpoolToTheServerAndNothingIsSetAside() throws Exception {
        try (AccountingSpool spool = spool(100)) {
            for (String name : HOSTILE_NAMES) {
                spool.append(hostile(name, List.of(WireAttribute.integer(WireAttribute.ACCT_STATUS_TYPE, 2),
                        new WireAttribute(WireAttribute.USER_NAME, WireAttribute.truncatedText(name.isEmpty() ? "-" : name)),
                        WireAttribute.string(WireAttribute.ACCT_SESSION_ID, "S-" + HOSTILE_NAMES.indexOf(name)))));
            }
            await(() -> spool.size() == 0, WAIT, "delivery");
            assertThat(spool.corruptCount()).isZero();
        }
        assertThat(files(".bad")).isEmpty();
        assertThat(sender.delivered).hasSize(HOSTILE_NAMES.size());
        for (int i = 0; i < HOSTILE_NAMES.size(); i++) {
            String name = HOSTILE_NAMES.get(i);
            byte[] sent = FakeAccountingSender.attributes(sender.delivered.get(i)).get(WireAttribute.USER_NAME).getFirst();
            assertThat(sent).as(name).isEqualTo(WireAttribute.truncatedText(name.isEmpty() ? "-" : name));
        }
    }

    /** A record exactly as the format-1 serializer wrote it (session and user as text, control characters as '?'). */
    private static String format1(AcctStatusType type, String session, String user, List<WireAttribute> attributes) {
        StringBuilder b = new StringBuilder("l2sec-accounting-record 1\n").append("type=").append(type.label()).append('\n')
                .append("created=2026-01-02T03:04:05Z\n").append("session=").append(session).append('\n')
                .append("user=").append(user).append('\n');
        for (WireAttribute a : attributes) b.append("attr=").append(a.type()).append(' ').append(HexFormat.of().formatHex(a.value())).append('\n');
        return b.append("end\n").toString();
    }

    @Test
    void recordsSpooledInFormat1AreReadRewrittenInFormat2AndDelivered() throws Exception {
        List<WireAttribute> attributes = List.of(WireAttribute.integer(WireAttribute.ACCT_STATUS_TYPE, 1),
                WireAttribute.string(WireAttribute.USER_NAME, "jürgen"), WireAttribute.string(WireAttribute.ACCT_SESSION_ID, "OLD-1"));
        Path old = dir.resolve("00000000000000000007.acct");
        Files.writeString(old, format1(AcctStatusType.START, "OLD-1", "jürgen?tab", attributes), StandardCharsets.UTF_8);
        sender.up = false;
        try (AccountingSpool spool = spool(100)) {
            assertThat(spool.size()).isEqualTo(1);
            String now = Files.readString(old, StandardCharsets.US_ASCII);
            assertThat(now).startsWith("l2sec-accounting-record 2\n").contains("\nuser=j%C3%BCrgen%3Ftab\n");
            AccountingRecord r = AccountingSpool.parse(now);
            assertThat(r.user()).isEqualTo("jürgen?tab");
            assertThat(r.acctSessionId()).isEqualTo("OLD-1");
            assertThat(r.created()).isEqualTo(Instant.parse("2026-01-02T03:04:05Z"));
            assertThat(r.attributes()).isEqualTo(attributes);
            sender.up = true;
            await(() -> spool.size() == 0, WAIT, "delivery");
        }
        assertThat(files(".bad")).isEmpty();
        assertThat(string(sender.delivered.getFirst(), WireAttribute.USER_NAME)).isEqualTo("jürgen");
    }

    @Test
    void aNameWrittenRawIntoAFormat2RecordIsRefusedAsCorrupt() {
        String good = AccountingSpool.serialize(record(AcctStatusType.START, "S"));
        for (String bad : List.of(good.replace("user=alice", "user=al ice"), good.replace("user=alice", "user=alice%4"),
                good.replace("user=alice", "user=alice%zz"), good.replace("session=S", "session=S\r"))) {
            assertThatThrownBy(() -> AccountingSpool.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(AccountingSpool.percentDecode("j%C3%BCrgen")).isEqualTo("jürgen");
        assertThat(AccountingSpool.percentEncode("a b\n")).isEqualTo("a%20b%0A");
    }
}
