package net.l2sec.aaa.radius;

import static net.l2sec.aaa.radius.FakeAccountingSender.await;
import static net.l2sec.aaa.radius.FakeAccountingSender.integer;
import static net.l2sec.aaa.radius.FakeAccountingSender.string;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
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
}
