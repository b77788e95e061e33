package net.l2sec.dataplane.ppp.lcp;

import java.util.Optional;
import net.l2sec.dataplane.WireCode;

/** LCP Configuration Option types (RFC 1661 section 6; IANA "LCP Option Types" for the ones we reject). */
public enum LcpOptionType implements WireCode {
    MAXIMUM_RECEIVE_UNIT(1),
    ASYNC_CONTROL_CHARACTER_MAP(2),
    AUTHENTICATION_PROTOCOL(3),
    QUALITY_PROTOCOL(4),
    MAGIC_NUMBER(5),
    PROTOCOL_FIELD_COMPRESSION(7),
    ADDRESS_AND_CONTROL_FIELD_COMPRESSION(8),
    CALLBACK(13),
    MULTILINK_MRRU(17),
    MULTILINK_SHORT_SEQUENCE(18),
    MULTILINK_ENDPOINT_DISCRIMINATOR(19),
    LINK_DISCRIMINATOR(23);

    private final int type;

    LcpOptionType(int type) {
        this.type = type;
    }

    @Override
    public int code() {
        return type;
    }

    /** The option type {@code type} is, if it is one of ours. */
    public static Optional<LcpOptionType> of(int type) {
        return WireCode.lookup(values(), type);
    }
}
