package net.l2sec.dataplane.ppp.ipv6cp;

import java.util.Optional;
import net.l2sec.dataplane.WireCode;

/** IPV6CP Configuration Option types (RFC 5072 section 4). */
public enum Ipv6cpOptionType implements WireCode {
    INTERFACE_IDENTIFIER(1),
    /** RFC 5072 section 4.2; we compress nothing and reject it. */
    IPV6_COMPRESSION_PROTOCOL(2);

    private final int type;

    Ipv6cpOptionType(int type) {
        this.type = type;
    }

    @Override
    public int code() {
        return type;
    }

    public static Optional<Ipv6cpOptionType> of(int type) {
        return WireCode.lookup(values(), type);
    }
}
