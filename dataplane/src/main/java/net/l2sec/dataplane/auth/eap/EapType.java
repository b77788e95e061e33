package net.l2sec.dataplane.auth.eap;

import java.util.Optional;
import net.l2sec.dataplane.WireCode;

/** The EAP Types the authenticator uses (RFC 3748 section 5, IANA "EAP Method Types"). */
public enum EapType implements WireCode {
    /** RFC 3748 section 5.1. */
    IDENTITY(1),
    /** RFC 3748 section 5.2 (we never send it; a peer's Response to one would be a protocol error). */
    NOTIFICATION(2),
    /** RFC 3748 section 5.3.1: Legacy Nak, the types the peer wants instead. */
    NAK(3),
    /** RFC 3748 section 5.4. */
    MD5_CHALLENGE(4),
    /** draft-kamath-pppext-eap-mschapv2. */
    MSCHAPV2(26);

    private final int code;

    EapType(int code) {
        this.code = code;
    }

    @Override
    public int code() {
        return code;
    }

    public static Optional<EapType> of(int code) {
        return WireCode.lookup(values(), code);
    }
}
