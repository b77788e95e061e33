package net.l2sec.dataplane.ikev2.message;

import java.util.Optional;
import net.l2sec.dataplane.WireCode;

/** IKEv2 exchange types (RFC 7296 section 3.1). */
public enum ExchangeType implements WireCode {
    IKE_SA_INIT(34),
    IKE_AUTH(35),
    CREATE_CHILD_SA(36),
    INFORMATIONAL(37);

    private final int code;

    ExchangeType(int code) {
        this.code = code;
    }

    @Override
    public int code() {
        return code;
    }

    public static Optional<ExchangeType> of(int code) {
        return WireCode.lookup(values(), code);
    }
}
