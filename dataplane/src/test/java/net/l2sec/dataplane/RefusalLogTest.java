package net.l2sec.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import net.l2sec.dataplane.time.ManualScheduler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class RefusalLogTest {
    enum Reason { FULL, THROTTLED }

    final ManualScheduler clock = new ManualScheduler();
    final Logger logger = (Logger) LoggerFactory.getLogger("test.refusals");
    final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    final RefusalLog log = new RefusalLog(logger, clock);

    {
        lines.start();
        logger.addAppender(lines);
    }

    @AfterEach
    void detach() {
        logger.detachAppender(lines);
    }

    @Test
    void theFirstRefusalOfEachReasonIsLoggedThenAtMostOnePerInterval() {
        for (int i = 0; i < 100; i++) log.refused(Reason.FULL, "peer={} refused reason=full", i);
        log.refused(Reason.THROTTLED, "user={} refused reason=throttled", "alice");
        assertThat(lines.list).extracting(ILoggingEvent::getFormattedMessage)
                .containsExactly("peer=0 refused reason=full", "user=alice refused reason=throttled");

        clock.advance(RefusalLog.INTERVAL.minusMillis(1));
        log.refused(Reason.FULL, "peer={} refused reason=full", 100);
        assertThat(lines.list).hasSize(2);

        clock.advance(Duration.ofMillis(1));
        log.refused(Reason.FULL, "peer={} refused reason=full", 101);
        assertThat(lines.list).hasSize(3);
        assertThat(lines.list.getLast().getFormattedMessage())
                .isEqualTo("peer=101 refused reason=full (100 more refused for this reason since the last line)");

        clock.advance(Duration.ofSeconds(TimeUnit.MINUTES.toSeconds(1)));
        log.refused(Reason.FULL, "peer={} refused reason=full", 102);
        assertThat(lines.list.getLast().getFormattedMessage()).isEqualTo("peer=102 refused reason=full");
    }
}
