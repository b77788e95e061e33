package net.l2sec.spi.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class EndCauseTest {
    @Test
    void tagsAreDistinctLowerCaseMetricLabels() {
        assertThat(Arrays.stream(EndCause.values()).map(EndCause::tag)).doesNotHaveDuplicates()
                .allMatch(t -> t.matches("[a-z][a-z_]*"));
        for (EndCause c : EndCause.values()) assertThat(c.tag()).isEqualTo(c.name().toLowerCase(java.util.Locale.ROOT));
    }

    /** The log word is the tag, except the lower layer's, which are written as L2TP logs them. */
    @Test
    void logWordIsTheTagOrTheLowerLayersWording() {
        for (EndCause c : EndCause.values()) {
            String expected = c.kind() == EndCause.Kind.LOWER_LAYER ? c.tag().replace('_', ' ') : c.tag();
            assertThat(c.text()).as(c.name()).isEqualTo(expected);
        }
    }

    @Test
    void onlyFailuresAreCountedAsFailures() {
        for (EndCause c : EndCause.values()) assertThat(c.isFailure()).isEqualTo(c.kind() == EndCause.Kind.FAILURE);
    }
}
