package net.l2sec.aaa.radius;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** RFC 2865 section 3 Identifier bookkeeping of one socket: allocation, wrap, exhaustion, reuse, the previous holder. */
class IdentifierSpaceTest {
    /** A request as the space sees it: its Identifier and a name. */
    record Request(int id, String name) {}

    private static Request take(IdentifierSpace<Request> space, String name) {
        return space.<Request>take(id -> new Request(id, name)).orElseThrow();
    }

    @Test
    void handsOutEveryIdentifierOnceFromTheFirstAndWrapsAfter255() {
        IdentifierSpace<Request> space = new IdentifierSpace<>(250);
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < 256; i++) ids.add(take(space, "r" + i).id());
        assertThat(ids.subList(0, 8)).containsExactly(250, 251, 252, 253, 254, 255, 0, 1);
        assertThat(new HashSet<>(ids)).hasSize(256);
        assertThat(space.inUse()).isEqualTo(256);
        assertThat(space.<Request>take(id -> new Request(id, "257th"))).as("all 256 outstanding").isEmpty();
    }

    @Test
    void aReleasedIdentifierIsReusedOnlyAfterTheOthers() {
        IdentifierSpace<Request> space = new IdentifierSpace<>(0);
        Request a = take(space, "a");
        Request b = take(space, "b");
        assertThat(space.release(a.id(), a)).isTrue();
        // round robin: 2, 3, ... 255 come before 0 is handed out again; 1 (b) is still outstanding
        List<Integer> next = new ArrayList<>();
        for (int i = 0; i < 254; i++) next.add(take(space, "n" + i).id());
        assertThat(next.getFirst()).isEqualTo(2);
        assertThat(next.getLast()).isEqualTo(255);
        assertThat(take(space, "again").id()).isEqualTo(a.id());
        assertThat(space.<Request>take(id -> new Request(id, "full"))).isEmpty();
        assertThat(space.release(b.id(), b)).isTrue();
        assertThat(take(space, "after b").id()).isEqualTo(b.id());
    }

    @Test
    void theRequestThatHeldAnIdentifierIsRememberedAfterItsRelease() {
        IdentifierSpace<Request> space = new IdentifierSpace<>(9);
        Request a = take(space, "a");
        assertThat(space.outstanding(9)).contains(a);
        assertThat(space.previous(9)).isEmpty();
        space.release(9, a);
        assertThat(space.outstanding(9)).isEmpty();
        assertThat(space.previous(9)).contains(a);
        assertThat(space.inUse()).isZero();
    }

    @Test
    void onlyTheHolderReleases() {
        IdentifierSpace<Request> space = new IdentifierSpace<>(0);
        Request a = take(space, "a");
        assertThat(space.release(a.id(), new Request(a.id(), "impostor"))).isFalse();
        assertThat(space.outstanding(a.id())).contains(a);
        assertThat(space.release(a.id(), a)).isTrue();
        assertThat(space.release(a.id(), a)).as("twice").isFalse();
        assertThat(space.inUse()).isZero();
        assertThat(space.allOutstanding()).isEmpty();
        assertThat(space.previous(a.id())).isEqualTo(Optional.of(a));
    }
}
