package net.l2sec.dataplane.ike;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import net.l2sec.dataplane.time.ManualScheduler;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Lines about unauthenticated datagrams: a few of each kind per window, the rest counted and summed up. */
class ThrottledLogTest {
    final ManualScheduler scheduler = new ManualScheduler();
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final ThrottledLog throttled = new ThrottledLog(scheduler, new IkeMetrics(registry, () -> 0));
    final Logger log = (Logger) LoggerFactory.getLogger("throttled-log-test");
    final ListAppender<ILoggingEvent> lines = new ListAppender<>();

    ThrottledLogTest() {
        lines.start();
        log.addAppender(lines);
        log.setLevel(Level.INFO);
    }

    double suppressed() {
        return registry.get("l2sec.ike.log.suppressed").counter().count();
    }

    @Test
    void aFloodOfOneKindWritesTenLinesAndOneSummaryPerWindow() {
        for (int i = 0; i < 1000; i++) throttled.warn(log, "phase1 failed reason=rate_limited", "peer=198.51.100.{} refused", i);
        assertThat(lines.list).hasSize(ThrottledLog.LINES);
        assertThat(suppressed()).isEqualTo(990);
        scheduler.advance(ThrottledLog.WINDOW);
        assertThat(lines.list).hasSize(ThrottledLog.LINES + 1);
        ILoggingEvent summary = lines.list.getLast();
        assertThat(summary.getLevel()).isEqualTo(Level.WARN);
        assertThat(summary.getFormattedMessage())
                .isEqualTo("990 more lines like \"phase1 failed reason=rate_limited\" suppressed in 10 s");
        // the next window writes again; no timer is left behind
        throttled.warn(log, "phase1 failed reason=rate_limited", "again");
        assertThat(lines.list.getLast().getFormattedMessage()).isEqualTo("again");
        assertThat(scheduler.activeTimers()).isZero();
    }

    @Test
    void kindsAreCountedApartAndAQuietOneIsNeverSummarized() {
        for (int i = 0; i < 15; i++) throttled.info(log, "unauthenticated notify", "notify {}", i);
        throttled.info(log, "phase1 refused reason=draining", "draining");
        assertThat(lines.list).extracting(ILoggingEvent::getFormattedMessage).contains("draining").hasSize(11);
        scheduler.advance(Duration.ofMinutes(1));
        assertThat(lines.list).hasSize(12);
        assertThat(lines.list.getLast().getFormattedMessage()).startsWith("5 more lines like \"unauthenticated notify\"");
    }

    @Test
    void linesOfALevelThatIsOffCostNothing() {
        for (int i = 0; i < 100; i++) throttled.debug(log, "phase1 started", "started {}", i);
        assertThat(lines.list).isEmpty();
        assertThat(suppressed()).isZero();
        assertThat(scheduler.activeTimers()).isZero();
    }
}
