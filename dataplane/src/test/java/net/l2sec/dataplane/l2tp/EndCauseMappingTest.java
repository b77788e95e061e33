package net.l2sec.dataplane.l2tp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import net.l2sec.spi.session.EndCause;
import net.l2sec.spi.session.TerminateCause;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every {@link EndCause} against what each layer makes of it: the metric tag and log word, the RADIUS
 * Acct-Terminate-Cause, whether PPP counts it as a failure, and the CDN the LNS sends when PPP closes a call for it.
 * The values are the ones the code produced when causes were still strings (TerminateCause.ofEndCause, the CDN of
 * Session.close, PppSession.FAILURES); a change here changes what operators and RADIUS servers see.
 */
class EndCauseMappingTest {
    record Expected(String tag, String text, TerminateCause acct, boolean failure, CdnResult cdn, ErrorCode error,
                    Optional<TeardownCause> clearsIdleTunnel) {}

    static final Map<EndCause, Expected> TABLE = new EnumMap<>(EndCause.class);

    static void row(EndCause c, String tag, String text, TerminateCause acct, boolean failure) {
        TABLE.put(c, new Expected(tag, text, acct, failure, CdnResult.ADMINISTRATIVE, ErrorCode.NO_ERROR,
                c == EndCause.ADMIN_DISCONNECT ? Optional.of(TeardownCause.ADMIN_DISCONNECT) : Optional.empty()));
    }

    static {
        row(EndCause.NO_COMMON_AUTH_METHOD, "no_common_auth_method", "no_common_auth_method", TerminateCause.NAS_REQUEST, true);
        row(EndCause.AUTH_FAILED, "auth_failed", "auth_failed", TerminateCause.NAS_REQUEST, true);
        row(EndCause.AUTH_TIMEOUT, "auth_timeout", "auth_timeout", TerminateCause.NAS_REQUEST, true);
        row(EndCause.NO_POOL, "no_pool", "no_pool", TerminateCause.SERVICE_UNAVAILABLE, true);
        row(EndCause.POOL_EXHAUSTED, "pool_exhausted", "pool_exhausted", TerminateCause.SERVICE_UNAVAILABLE, true);
        row(EndCause.ADDRESS_IN_USE, "address_in_use", "address_in_use", TerminateCause.SERVICE_UNAVAILABLE, true);
        row(EndCause.LCP_TIMEOUT, "lcp_timeout", "lcp_timeout", TerminateCause.PORT_ERROR, true);
        row(EndCause.IPCP_TIMEOUT, "ipcp_timeout", "ipcp_timeout", TerminateCause.PORT_ERROR, true);
        row(EndCause.IPCP_CLOSED, "ipcp_closed", "ipcp_closed", TerminateCause.PORT_ERROR, true);
        row(EndCause.ECHO_TIMEOUT, "echo_timeout", "echo_timeout", TerminateCause.LOST_CARRIER, true);
        row(EndCause.SESSION_LIMIT, "session_limit", "session_limit", TerminateCause.NAS_REQUEST, true);
        row(EndCause.RULE_SESSION_LIMIT, "rule_session_limit", "rule_session_limit", TerminateCause.NAS_REQUEST, true);
        row(EndCause.PEER_TERMINATE, "peer_terminate", "peer_terminate", TerminateCause.USER_REQUEST, false);
        row(EndCause.IDLE_TIMEOUT, "idle_timeout", "idle_timeout", TerminateCause.IDLE_TIMEOUT, false);
        row(EndCause.SESSION_TIMEOUT, "session_timeout", "session_timeout", TerminateCause.SESSION_TIMEOUT, false);
        row(EndCause.ADMIN_DISCONNECT, "admin_disconnect", "admin_disconnect", TerminateCause.ADMIN_RESET, false);
        row(EndCause.REPLACED, "replaced", "replaced", TerminateCause.LOST_CARRIER, false);
        row(EndCause.PEER_REQUEST, "peer_request", "peer request", TerminateCause.USER_REQUEST, false);
        row(EndCause.RETRANSMIT_LIMIT, "retransmit_limit", "retransmit limit", TerminateCause.LOST_CARRIER, false);
        row(EndCause.HELLO_TIMEOUT, "hello_timeout", "hello timeout", TerminateCause.LOST_CARRIER, false);
        row(EndCause.PROTOCOL_ERROR, "protocol_error", "protocol error", TerminateCause.PORT_ERROR, false);
        row(EndCause.UNKNOWN_MANDATORY_AVP, "unknown_mandatory_avp", "unknown mandatory avp", TerminateCause.PORT_ERROR, false);
        row(EndCause.TUNNEL_DOWN, "tunnel_down", "tunnel down", TerminateCause.LOST_CARRIER, false);
        row(EndCause.TRANSPORT_DOWN, "transport_down", "transport down", TerminateCause.LOST_CARRIER, false);
        row(EndCause.SHUTDOWN, "shutdown", "shutdown", TerminateCause.ADMIN_REBOOT, false);
    }

    @Test
    void theTableCoversEveryConstant() {
        assertThat(TABLE.keySet()).isEqualTo(EnumSet.allOf(EndCause.class));
    }

    @ParameterizedTest
    @EnumSource(EndCause.class)
    void eachCauseMapsToItsTagAccountingCauseAndCdn(EndCause cause) {
        Expected e = TABLE.get(cause);
        assertThat(cause.tag()).isEqualTo(e.tag());
        assertThat(cause.text()).isEqualTo(e.text());
        assertThat(cause.terminateCause()).isEqualTo(e.acct());
        assertThat(cause.isFailure()).isEqualTo(e.failure());
        CallDisconnect cdn = CallDisconnect.of(cause);
        assertThat(cdn.result()).isEqualTo(e.cdn());
        assertThat(cdn.error()).isEqualTo(e.error());
        assertThat(cdn.clearsIdleTunnel()).isEqualTo(e.clearsIdleTunnel());
    }

    /** The L2TP causes that can end an established call reach PPP as the same word the L2TP log line shows. */
    @ParameterizedTest
    @EnumSource(value = TeardownCause.class, names = {"PEER_REQUEST", "RETRANSMIT_LIMIT", "HELLO_TIMEOUT",
            "PROTOCOL_ERROR", "UNKNOWN_MANDATORY_AVP", "TUNNEL_DOWN", "TRANSPORT_DOWN", "SHUTDOWN"})
    void l2tpTeardownReachesPppAsTheSameWord(TeardownCause cause) {
        assertThat(cause.endCause().name()).isEqualTo(cause.name());
        assertThat(cause.endCause().text()).isEqualTo(cause.text());
        assertThat(cause.endCause().tag()).isEqualTo(cause.tag());
    }

    /** The rest never end an established call (refusals, PPP's own close, a tunnel not yet up). */
    @Test
    void teardownCausesWithoutACallOfTheirOwn() {
        assertThat(TeardownCause.ADMIN_DISCONNECT.endCause()).isEqualTo(EndCause.ADMIN_DISCONNECT);
        for (TeardownCause c : EnumSet.of(TeardownCause.AUTH_FAILED, TeardownCause.NO_RESOURCES, TeardownCause.REFUSED,
                TeardownCause.PPP_CLOSED, TeardownCause.DRAINING)) {
            assertThat(c.endCause()).as(c.name()).isEqualTo(EndCause.TUNNEL_DOWN);
        }
    }
}
