package net.l2sec.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's troubleshooting section against the code: every reason/cause label value the sources can count
 * is explained there, so an operator who sees a new word in a metric finds it. The reasons are read from the
 * sources that define them (enums, the PPP failure set, the Disconnect/CoA verdicts, the RADIUS response checks).
 */
class FailureReasonsDocumentedTest {
    private static final String DATAPLANE = "dataplane/src/main/java/net/l2sec/dataplane/";
    private static final String SPI = "spi/src/main/java/net/l2sec/spi/";
    private static final String RADIUS = "aaa-adapter/src/main/java/net/l2sec/aaa/radius/";
    /** Enum constants with an explicit tag: {@code NAME("tag")}. */
    private static final Pattern TAGGED_CONSTANT = Pattern.compile("(?m)^\\s+[A-Z][A-Z0-9_]*\\(\"([a-z0-9_]+)\"\\)[,;]");
    /** Enum constants whose tag is the lower-case name: {@code NAME,} or {@code NAME("description"[, X.Y]),}. */
    private static final Pattern NAMED_CONSTANT = Pattern.compile("(?m)^\\s+([A-Z][A-Z0-9_]*)(?:\\(\"[^\"]*\"(?:, [\\w.]+)?\\))?[,;]");

    private static String source(String path) throws IOException {
        return Files.readString(MetricsCatalogue.repoRoot().resolve(path));
    }

    private static Set<String> all(Pattern p, String text) {
        Set<String> out = new TreeSet<>();
        Matcher m = p.matcher(text);
        while (m.find()) out.add(m.group(1));
        return out;
    }

    private static Set<String> lowerCaseNames(String path) throws IOException {
        Set<String> out = new TreeSet<>();
        all(NAMED_CONSTANT, source(path)).forEach(n -> out.add(n.toLowerCase(Locale.ROOT)));
        return out;
    }

    static Set<String> reasonsInSources() throws IOException {
        Set<String> reasons = new TreeSet<>();
        reasons.addAll(all(TAGGED_CONSTANT, source(DATAPLANE + "ike/FailureReason.java")));
        reasons.addAll(all(TAGGED_CONSTANT, source(DATAPLANE + "ike/message/DropReason.java")));
        reasons.addAll(all(TAGGED_CONSTANT, source(SPI + "auth/RejectReason.java")));
        reasons.addAll(lowerCaseNames(DATAPLANE + "esp/EspDropReason.java"));
        reasons.addAll(lowerCaseNames(DATAPLANE + "l2tp/TeardownCause.java"));
        reasons.addAll(lowerCaseNames(DATAPLANE + "l2tp/L2tpDropReason.java"));
        reasons.addAll(all(Pattern.compile("(?m)^\\s+[A-Z_]+\\(\"([a-z_]+)\", TerminateCause\\.\\w+, Kind\\.FAILURE\\)"),
                source(SPI + "session/EndCause.java")));
        reasons.addAll(lowerCaseNames(DATAPLANE + "ppp/PppDropReason.java"));
        reasons.addAll(lowerCaseNames(DATAPLANE + "ppp/PppIpDropReason.java"));
        String dynauth = source(RADIUS + "DynamicAuthorizationServer.java");
        all(Pattern.compile("DiscardReason\\.([A-Z_]+)"), dynauth).forEach(n -> reasons.add(n.toLowerCase(Locale.ROOT)));
        all(Pattern.compile("Verdict\\.nak\\(NakReason\\.([A-Z_]+)\\)"), dynauth).forEach(n -> reasons.add(n.toLowerCase(Locale.ROOT)));
        reasons.addAll(all(Pattern.compile("\"(unsupported_attribute_)\""), dynauth));
        reasons.addAll(lowerCaseNames(RADIUS + "InvalidResponseReason.java"));
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
    void theSourcesYieldTheReasonFamilies() throws IOException {
        // guards the patterns: if one stopped matching, the check below would pass vacuously
        assertThat(reasonsInSources()).contains("no_proposal_chosen", "draining", "decrypt_failed", "fragment_timeout",
                "policy_denied", "replay", "not_l2tp", "hello_timeout", "admin_disconnect", "unknown_session",
                "pool_exhausted", "echo_timeout", "spoofed_source", "unknown_client", "session_not_found",
                "missing_message_authenticator");
    }

    @Test
    void everyReasonIsExplainedInTheTroubleshootingSection() throws IOException {
        String section = troubleshootingSection();
        Set<String> missing = new TreeSet<>();
        for (String reason : reasonsInSources()) {
            // a prefix ("malformed_" + protocol) is documented by its expansions, e.g. `malformed_lcp`
            String documented = reason.endsWith("_") ? "`" + reason : "`" + reason + "`";
            if (!section.contains(documented)) missing.add(reason);
        }
        assertThat(missing).as("reasons counted by the code but not explained in README \"Troubleshooting\"").isEmpty();
    }
}
