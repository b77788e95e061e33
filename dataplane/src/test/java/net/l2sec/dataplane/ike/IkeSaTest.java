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
    void mainModeRunsFromSaSentThroughKeyingAndKeSentToEstablished() {
        IkeSa ike = sa(false);
        assertThat(ike.state()).isEqualTo(IkeSa.State.MM_SA_SENT);
        assertThatThrownBy(ike::keSent).as("not before its keys").isInstanceOf(IllegalStateException.class);
        ike.keying();
        assertThat(ike.keyingInProgress()).isTrue();
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
    void aggressiveModeWaitsForItsKeysThenForMessage3Only() {
        IkeSa ike = sa(true);
        assertThat(ike.state()).isEqualTo(IkeSa.State.AM_KEYING);
        assertThat(ike.keyingInProgress()).isTrue();
        assertThatThrownBy(ike::establish).as("not before message 2 went out").isInstanceOf(IllegalStateException.class);
        ike.aggressiveSent();
        assertThat(ike.state()).isEqualTo(IkeSa.State.AM_SENT);
        assertThatThrownBy(ike::keSent).isInstanceOf(IllegalStateException.class);
        ike.establish();
        assertThat(ike.established()).isTrue();
    }

    @Test
    void everyStateBeforeEstablishedMayEndInDeletion() {
        IkeSa fresh = sa(false);
        assertThat(fresh.delete()).isTrue();
        IkeSa keying = sa(false);
        keying.keying();
        assertThat(keying.delete()).isTrue();
        IkeSa keSent = sa(false);
        keSent.keying();
        keSent.keSent();
        assertThat(keSent.delete()).isTrue();
        assertThat(sa(true).delete()).isTrue();
    }

    @Test
    void illegalTransitionsAreRefusedAndLeaveTheStateAsItWas() {
        IkeSa ike = sa(false);
        assertThatThrownBy(ike::establish).as("phase 1 without message 5").isInstanceOf(IllegalStateException.class);
        assertThat(ike.state()).isEqualTo(IkeSa.State.MM_SA_SENT);
        ike.keying();
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
