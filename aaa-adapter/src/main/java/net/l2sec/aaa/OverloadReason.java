package net.l2sec.aaa;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Locale;

/**
 * Why a backend turned a request away unexamined because it was saturated: the {@code reason} tag of
 * {@code l2sec.aaa.overload} and of the log line. Both bound what a flood of logins can cost.
 */
public enum OverloadReason {
    /**
     * Local users: every slot for a slow password verification (PBKDF2) was busy and the queue waiting for one was
     * full, or the wait was too long. The login is refused as {@code backend_timeout}.
     */
    BACKEND_BUSY,
    /**
     * RADIUS: every Identifier of every socket towards a server was held by an outstanding request (RFC 2865
     * section 3: 256 per socket) for a whole request timeout. The request goes to the next server, or fails as
     * {@code backend_timeout} when none is left.
     */
    IDENTIFIERS_EXHAUSTED;

    public String tag() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The counter of this reason for {@code backend} ({@code local} or {@code radius}). */
    public Counter counter(MeterRegistry registry, String backend) {
        return Counter.builder("l2sec.aaa.overload").tag("backend", backend).tag("reason", tag())
                .description("Requests a saturated backend turned away unexamined").register(registry);
    }
}
