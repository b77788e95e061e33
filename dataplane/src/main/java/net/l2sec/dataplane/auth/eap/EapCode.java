package net.l2sec.dataplane.auth.eap;

import java.util.Optional;
import net.l2sec.dataplane.WireCode;

/** The Code field of an EAP packet (RFC 3748 section 4). */
public enum EapCode implements WireCode {
    REQUEST(1), RESPONSE(2), SUCCESS(3), FAILURE(4);

    private final int code;

    EapCode(int code) {
        this.code = code;
    }

    @Override
    public int code() {
        return code;
    }

    public static Optional<EapCode> of(int code) {
        return WireCode.lookup(values(), code);
    }
}
