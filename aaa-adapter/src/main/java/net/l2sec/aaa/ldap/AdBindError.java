package net.l2sec.aaa.ldap;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.l2sec.spi.auth.AuthResult;
import net.l2sec.spi.auth.RejectReason;

/**
 * The sub-status an Active Directory DC puts in the diagnostic message of a failed bind
 * ({@code 80090308: LdapErr: DSID-..., comment: AcceptSecurityContext error, data 52e, v...}). The values are
 * Windows error codes (hex): they say why a bind with resultCode invalidCredentials (49) failed.
 */
public enum AdBindError {
    NO_SUCH_USER("525", RejectReason.UNKNOWN_USER, "unknown user"),
    WRONG_PASSWORD("52e", RejectReason.BAD_CREDENTIALS, "wrong password"),
    LOGON_HOURS("530", RejectReason.POLICY_DENIED, "logon not permitted at this time (logon hours)"),
    WORKSTATION("531", RejectReason.POLICY_DENIED, "logon not permitted from this workstation"),
    PASSWORD_EXPIRED("532", RejectReason.ACCOUNT_DISABLED, "password expired"),
    ACCOUNT_DISABLED("533", RejectReason.ACCOUNT_DISABLED, "account disabled"),
    ACCOUNT_EXPIRED("701", RejectReason.ACCOUNT_DISABLED, "account expired"),
    MUST_CHANGE_PASSWORD("773", RejectReason.ACCOUNT_DISABLED, "password must be changed"),
    LOCKED_OUT("775", RejectReason.ACCOUNT_DISABLED, "locked out");

    private static final Pattern DATA = Pattern.compile("\\bdata ([0-9a-fA-F]{3,8})\\b");

    private final String code;
    private final RejectReason reason;
    private final String detail;

    AdBindError(String code, RejectReason reason, String detail) {
        this.code = code;
        this.reason = reason;
        this.detail = detail;
    }

    /** The hex code as AD writes it after {@code data}. */
    public String code() {
        return code;
    }

    public AuthResult.Reject reject() {
        return new AuthResult.Reject(reason, detail);
    }

    /** The code in an AD bind diagnostic message; empty for other directories or codes not listed here. */
    public static Optional<AdBindError> parse(String diagnosticMessage) {
        if (diagnosticMessage == null) return Optional.empty();
        Matcher m = DATA.matcher(diagnosticMessage);
        if (!m.find()) return Optional.empty();
        String found = m.group(1).toLowerCase(java.util.Locale.ROOT);
        for (AdBindError e : values()) {
            if (e.code.equals(found)) return Optional.of(e);
        }
        return Optional.empty();
    }
}
