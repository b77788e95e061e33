package net.l2sec.dataplane.ppp.auth;

import java.util.HexFormat;
import net.l2sec.spi.auth.MsChapV2;
import net.l2sec.spi.auth.RejectReason;

/** The text of MS-CHAPv2 Success and Failure packets (RFC 2759 sections 5 and 6). */
final class MsChapV2Messages {
    /** RFC 2759 section 6: ERROR_AUTHENTICATION_FAILURE. */
    static final int ERROR_AUTHENTICATION_FAILURE = 691;
    /** RFC 2759 section 6: ERROR_NO_DIALIN_PERMISSION (646 is ERROR_RESTRICTED_LOGON_HOURS), for every account or policy restriction. */
    static final int ERROR_NO_DIALIN_PERMISSION = 649;
    static final int VALUE_SIZE = 49;

    private MsChapV2Messages() {}

    /** {@code S=<auth_string> M=<message>} (section 5). */
    static String success(byte[] authenticatorResponse) {
        return MsChapV2.authenticatorResponseString(authenticatorResponse) + " M=Access granted";
    }

    /** {@code E=eeeeeeeeee R=r C=cccc... V=vvvvvvvvvv M=<msg>} (section 6); we never offer a retry. */
    static String failure(RejectReason reason, byte[] newChallenge) {
        int error = switch (reason) {
            case ACCOUNT_DISABLED, POLICY_DENIED, SESSION_LIMIT, RULE_SESSION_LIMIT -> ERROR_NO_DIALIN_PERMISSION;
            default -> ERROR_AUTHENTICATION_FAILURE;
        };
        return "E=" + error + " R=0 C=" + HexFormat.of().withUpperCase().formatHex(newChallenge) + " V=3 M=Access denied";
    }
}
