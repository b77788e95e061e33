package net.l2sec.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import net.l2sec.aaa.OverloadReason;
import net.l2sec.aaa.radius.DynamicAuthorizationDiscardReason;
import net.l2sec.aaa.radius.DynamicAuthorizationNakReason;
import net.l2sec.aaa.radius.InvalidResponseReason;
import net.l2sec.dataplane.dhcp.DhcpDropReason;
import net.l2sec.dataplane.esp.EspDropReason;
import net.l2sec.dataplane.ike.FailureReason;
import net.l2sec.dataplane.ike.message.IkeDropReason;
import net.l2sec.dataplane.l2tp.L2tpDropReason;
import net.l2sec.dataplane.l2tp.TeardownCause;
import net.l2sec.dataplane.ppp.PppDropReason;
import net.l2sec.dataplane.ppp.PppIpDropReason;
import net.l2sec.dataplane.session.RemoteAccessDropReason;
import net.l2sec.spi.auth.RejectReason;
import net.l2sec.spi.session.EndCause;
import org.junit.jupiter.api.Test;

/**
 * The README's troubleshooting section against the code: every reason/cause label value the code can count is
 * explained there, so an operator who sees a new word in a metric finds it. The reasons are the tags of the enums
 * that define them, read from the enums themselves ({@code values()}, {@code tag()}): the IKE negotiation failures
 * and datagram drops, the backends' reject reasons, ESP drops, L2TP teardown causes and drops, the PPP session
 * failures ({@link EndCause#isFailure()}), PPP frame and IP drops, the Disconnect/CoA drops and NAKs, the RADIUS
 * response checks and the AAA overload refusals. A tag ending in {@code _} is a family ({@code unsupported_attribute_} + the attribute type),
 * documented by its expansions.
 */
class FailureReasonsDocumentedTest {
    private static <E> Set<String> tags(E[] values, Function<E, String> tag) {
        Set<String> out = new TreeSet<>();
        for (E e : values) out.add(tag.apply(e));
        return out;
    }

    static Set<String> reasonsInCode() {
        Set<String> reasons = new TreeSet<>();
        reasons.addAll(tags(FailureReason.values(), FailureReason::tag));
        reasons.addAll(tags(IkeDropReason.values(), IkeDropReason::tag));
        reasons.addAll(tags(RejectReason.values(), RejectReason::label));
        reasons.addAll(tags(EspDropReason.values(), EspDropReason::tag));
        reasons.addAll(tags(TeardownCause.values(), TeardownCause::tag));
        reasons.addAll(tags(L2tpDropReason.values(), L2tpDropReason::tag));
        reasons.addAll(tags(Arrays.stream(EndCause.values()).filter(EndCause::isFailure).toArray(EndCause[]::new), EndCause::tag));
        reasons.addAll(tags(PppDropReason.values(), PppDropReason::tag));
        reasons.addAll(tags(PppIpDropReason.values(), PppIpDropReason::tag));
        reasons.addAll(tags(RemoteAccessDropReason.values(), RemoteAccessDropReason::tag));
        reasons.addAll(tags(DhcpDropReason.values(), DhcpDropReason::tag));
        reasons.addAll(tags(DynamicAuthorizationDiscardReason.values(), DynamicAuthorizationDiscardReason::tag));
        reasons.addAll(tags(DynamicAuthorizationNakReason.values(), DynamicAuthorizationNakReason::tag));
        reasons.addAll(tags(InvalidResponseReason.values(), InvalidResponseReason::tag));
        reasons.addAll(tags(OverloadReason.values(), OverloadReason::tag));
        return reasons;
    }

    private static String troubleshootingSection() throws IOException {
        String readme = Files.readString(MetricsCatalogue.repoRoot().resolve("README.md"));
        int start = readme.indexOf("\n## Troubleshooting");
        assertThat(start).as("README has a Troubleshooting section").isPositive();
        int end = readme.indexOf("\n## ", start + 1);
        return readme.substring(start, end < 0 ? readme.length() : end);
    }

    @Test
    void theEnumsYieldTheReasonFamilies() {
        // guards the collection: if a family went missing, the check below would pass vacuously for it
        assertThat(reasonsInCode()).contains("no_proposal_chosen", "draining", "decrypt_failed", "fragment_timeout",
                "policy_denied", "replay", "not_l2tp", "hello_timeout", "admin_disconnect", "unknown_session",
                "pool_exhausted", "echo_timeout", "malformed_eap", "spoofed_source", "unknown_client", "session_not_found",
                "unsupported_attribute_", "missing_message_authenticator", "late", "backend_busy");
        assertThat(reasonsInCode()).allMatch(r -> r.equals(r.toLowerCase(Locale.ROOT)) && !r.contains(" "));
    }

    @Test
    void everyReasonIsExplainedInTheTroubleshootingSection() throws IOException {
        String section = troubleshootingSection();
        Set<String> missing = new TreeSet<>();
        for (String reason : reasonsInCode()) {
            // a family ("unsupported_attribute_" + type) is documented by its expansions, e.g. `unsupported_attribute_N`
            String documented = reason.endsWith("_") ? "`" + reason : "`" + reason + "`";
            if (!section.contains(documented)) missing.add(reason);
        }
        assertThat(missing).as("reasons counted by the code but not explained in README \"Troubleshooting\"").isEmpty();
    }
}
