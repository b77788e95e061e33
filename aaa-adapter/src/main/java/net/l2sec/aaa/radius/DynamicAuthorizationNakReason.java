package net.l2sec.aaa.radius;

import java.util.Locale;

/**
 * Why a request is answered with a NAK, and the Error-Cause the NAK carries (RFC 5176 section 3.6):
 * {@link #tag()} is the {@code reason} tag with {@code result="nak"}; {@link #UNSUPPORTED_ATTRIBUTE}'s is followed
 * by the attribute's type ({@code unsupported_attribute_26}).
 */
public enum DynamicAuthorizationNakReason {
    UNSUPPORTED_ATTRIBUTE(DynamicAuthorizationServer.UNSUPPORTED_ATTRIBUTE, "unsupported_attribute_"),
    /** A Session-Timeout or Idle-Timeout that is not a 4-octet integer. */
    INVALID_ATTRIBUTE_VALUE(DynamicAuthorizationServer.INVALID_ATTRIBUTE_VALUE),
    NO_SESSION_SELECTOR(DynamicAuthorizationServer.MISSING_ATTRIBUTE),
    NAS_MISMATCH(DynamicAuthorizationServer.NAS_IDENTIFICATION_MISMATCH),
    NOTHING_TO_CHANGE(DynamicAuthorizationServer.MISSING_ATTRIBUTE),
    SESSION_CONTROL_UNAVAILABLE(DynamicAuthorizationServer.RESOURCES_UNAVAILABLE),
    SESSION_NOT_FOUND(DynamicAuthorizationServer.SESSION_CONTEXT_NOT_FOUND),
    SESSION_ENDED(DynamicAuthorizationServer.SESSION_CONTEXT_NOT_FOUND);

    private final int errorCause;
    private final String tag;

    DynamicAuthorizationNakReason(int errorCause) {
        this.errorCause = errorCause;
        this.tag = name().toLowerCase(Locale.ROOT);
    }

    DynamicAuthorizationNakReason(int errorCause, String tagPrefix) {
        this.errorCause = errorCause;
        this.tag = tagPrefix;
    }

    public int errorCause() {
        return errorCause;
    }

    public String tag() {
        return tag;
    }
}
