package net.l2sec.dataplane.ike;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** The state machine of an ISAKMP SA: the transitions of RFC 2409's phase 1 as we answer it, and no other. */
class IkeSaTest {
    static IkeSa sa(boolean aggressive) {
        return new IkeSa(1, 0x1234_5678_0000_0001L, new InetSocketAddress("203.0.113.5", 500),
                new InetSocketAddress("192.0.2.1", 500), 0, aggressive);
    }

    @Test
    void mainModeRunsFromSaSentThroughKeSentToEstablished() {
        IkeSa ike = sa(false);
        assertThat(ike.state()).isEqualTo(IkeSa.State.MM_SA_SENT);
        ike.keSent();
        assertThat(ike.state()).isEqualTo(IkeSa.State.MM_KE_SENT);
        assertThat(ike.established()).isFalse();
        ike.establish();
        assertThat(ike.established()).isTrue();
        assertThat(ike.delete()).isTrue();
        assertThat(ike.deleted()).isTrue();
        assertThat(ike.delete()).as("deleting twice is no transition").isFalse();
        assertThat(ike.state()).isEqualTo(IkeSa.State.DELETED);
    }

    @Test
    void aggressiveModeWaitsForMessage3Only() {
        IkeSa ike = sa(true);
        assertThat(ike.state()).isEqualTo(IkeSa.State.AM_SENT);
        assertThatThrownBy(ike::keSent).isInstanceOf(IllegalStateException.class);
        ike.establish();
        assertThat(ike.established()).isTrue();
    }

    @Test
    void everyStateBeforeEstablishedMayEndInDeletion() {
        IkeSa fresh = sa(false);
        assertThat(fresh.delete()).isTrue();
        IkeSa keSent = sa(false);
        keSent.keSent();
        assertThat(keSent.delete()).isTrue();
        assertThat(sa(true).delete()).isTrue();
    }

    @Test
    void illegalTransitionsAreRefusedAndLeaveTheStateAsItWas() {
        IkeSa ike = sa(false);
        assertThatThrownBy(ike::establish).as("phase 1 without message 5").isInstanceOf(IllegalStateException.class);
        assertThat(ike.state()).isEqualTo(IkeSa.State.MM_SA_SENT);
        ike.keSent();
        assertThatThrownBy(ike::keSent).isInstanceOf(IllegalStateException.class);
        ike.establish();
        assertThatThrownBy(ike::establish).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(ike::keSent).isInstanceOf(IllegalStateException.class);
        ike.delete();
        assertThatThrownBy(ike::establish).as("nothing after deletion").isInstanceOf(IllegalStateException.class);
        assertThat(ike.state()).isEqualTo(IkeSa.State.DELETED);
        for (IkeSa.State s : IkeSa.State.values()) assertThat(IkeSa.State.DELETED.mayBecome(s)).isFalse();
    }
}
