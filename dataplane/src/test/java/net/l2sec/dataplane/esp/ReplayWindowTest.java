package net.l2sec.dataplane.esp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ReplayWindowTest {
    final ReplayWindow w = new ReplayWindow(128);

    boolean accept(long seq) {
        if (!w.check(seq)) return false;
        w.update(seq);
        return true;
    }

    @Test
    void sequenceZeroIsNeverValid() {
        assertThat(w.check(0)).isFalse();
    }

    @Test
    void duplicatesAreRejected() {
        assertThat(accept(1)).isTrue();
        assertThat(accept(1)).isFalse();
        assertThat(accept(2)).isTrue();
        assertThat(accept(1)).isFalse();
        assertThat(accept(2)).isFalse();
    }

    @Test
    void outOfOrderWithinTheWindowIsAcceptedOnce() {
        assertThat(accept(100)).isTrue();
        for (long s = 99; s >= 1; s -= 7) {
            assertThat(accept(s)).as("seq %d", s).isTrue();
            assertThat(accept(s)).as("seq %d again", s).isFalse();
        }
    }

    @Test
    void windowEdges() {
        assertThat(accept(1000)).isTrue();
        assertThat(w.check(1000 - 127)).as("oldest inside").isTrue();
        assertThat(w.check(1000 - 128)).as("just left of the window").isFalse();
        assertThat(accept(1000 - 127)).isTrue();
        assertThat(accept(1000 - 127)).isFalse();
    }

    @Test
    void checkAloneDoesNotRecord() {
        assertThat(w.check(5)).isTrue();
        assertThat(w.check(5)).as("only update() records: a forged packet must not burn the number").isTrue();
    }

    @Test
    void advancingClearsOldBitsAcrossBlocks() {
        for (long s = 1; s <= 200; s++) assertThat(accept(s)).isTrue();
        // every number in the window is taken; jump by 64-bit blocks and check old bits do not linger
        assertThat(accept(200 + 64)).isTrue();
        for (long s = 201; s < 264; s++) assertThat(accept(s)).as("seq %d", s).isTrue();
        assertThat(accept(264 + 1000)).isTrue();
        for (long s = 1264 - 127; s < 1264; s++) assertThat(w.check(s)).as("seq %d", s).isTrue();
        assertThat(w.check(1264 - 128)).isFalse();
    }

    @Test
    void hugeJumpClearsEverything() {
        for (long s = 1; s <= 128; s++) accept(s);
        assertThat(accept(0xffff_ffffL)).isTrue();
        assertThat(accept(0xffff_ffffL)).isFalse();
        assertThat(accept(0xffff_ffffL - 1)).isTrue();
        assertThat(w.check(0xffff_ffffL - 128)).isFalse();
        assertThat(w.check(1)).as("no wrap without ESN: 1 after 2^32-1 is just very old").isFalse();
        assertThat(w.check(0)).isFalse();
    }

    @Test
    void configurableSize() {
        ReplayWindow small = new ReplayWindow(32);
        small.update(100);
        assertThat(small.check(69)).isTrue();
        assertThat(small.check(68)).isFalse();
        ReplayWindow large = new ReplayWindow(1024);
        large.update(5000);
        assertThat(large.check(5000 - 1023)).isTrue();
        assertThat(large.check(5000 - 1024)).isFalse();
        assertThatThrownBy(() -> new ReplayWindow(16)).isInstanceOf(IllegalArgumentException.class);
    }
}
