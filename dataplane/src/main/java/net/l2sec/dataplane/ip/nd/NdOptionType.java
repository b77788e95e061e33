package net.l2sec.dataplane.ip.nd;

import java.util.Optional;
import net.l2sec.dataplane.WireCode;

/** Neighbor Discovery option types (RFC 4861 section 4.6, RFC 8106 section 5.1). */
public enum NdOptionType implements WireCode {
    SOURCE_LINK_LAYER_ADDRESS(1),
    TARGET_LINK_LAYER_ADDRESS(2),
    PREFIX_INFORMATION(3),
    REDIRECTED_HEADER(4),
    MTU(5),
    RECURSIVE_DNS_SERVER(25);

    private final int type;

    NdOptionType(int type) {
        this.type = type;
    }

    @Override
    public int code() {
        return type;
    }

    public static Optional<NdOptionType> of(int type) {
        return WireCode.lookup(values(), type);
    }
}
