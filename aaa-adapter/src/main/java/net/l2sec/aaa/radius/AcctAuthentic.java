package net.l2sec.aaa.radius;

import java.util.function.Function;
import net.l2sec.spi.session.ActiveSession;

/** RFC 2866 section 5.6 Acct-Authentic: who authenticated the user. */
public enum AcctAuthentic {
    RADIUS(1),
    LOCAL(2),
    REMOTE(3);

    private final int code;

    AcctAuthentic(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /**
     * The default decision: the local user file's accepts carry the rule {@code local} (see
     * {@code LocalUserAuthenticator.RULE}); everything else went through RADIUS. A deployment whose policy renames
     * rules passes its own function to {@link RadiusAccounting}.
     */
    public static final Function<ActiveSession, AcctAuthentic> BY_RULE =
            s -> "local".equals(s.authorization().rule()) ? LOCAL : RADIUS;
}
