package net.l2sec.dataplane.ppp.ipcp;

import java.util.Optional;
import net.l2sec.dataplane.WireCode;

/** IPCP Configuration Option types (RFC 1332 section 3, RFC 1877 section 1). */
public enum IpcpOptionType implements WireCode {
    /** Deprecated (RFC 1172); rejected. */
    IP_ADDRESSES(1),
    IP_COMPRESSION_PROTOCOL(2),
    IP_ADDRESS(3),
    PRIMARY_DNS_SERVER_ADDRESS(129),
    PRIMARY_NBNS_SERVER_ADDRESS(130),
    SECONDARY_DNS_SERVER_ADDRESS(131),
    SECONDARY_NBNS_SERVER_ADDRESS(132);

    private final int type;

    IpcpOptionType(int type) {
        this.type = type;
    }

    @Override
    public int code() {
        return type;
    }

    /** The option type {@code type} is, if it is one of ours. */
    public static Optional<IpcpOptionType> of(int type) {
        return WireCode.lookup(values(), type);
    }
}
