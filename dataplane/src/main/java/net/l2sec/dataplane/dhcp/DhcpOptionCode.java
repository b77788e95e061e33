package net.l2sec.dataplane.dhcp;

import java.util.Optional;

/** The DHCP options this server reads or writes (RFC 2132 unless noted). */
public enum DhcpOptionCode {
    PAD(0),
    SUBNET_MASK(1),
    ROUTER(3),
    DOMAIN_NAME_SERVER(6),
    DOMAIN_NAME(15),
    /** RFC 2132 section 9.3: the sname/file fields hold options too; we do not read them. */
    OPTION_OVERLOAD(52),
    DHCP_MESSAGE_TYPE(53),
    SERVER_IDENTIFIER(54),
    PARAMETER_REQUEST_LIST(55),
    MAXIMUM_DHCP_MESSAGE_SIZE(57),
    VENDOR_CLASS_IDENTIFIER(60),
    /** RFC 3442. */
    CLASSLESS_STATIC_ROUTE(121),
    /** Microsoft's classless static routes, the format of RFC 3442 under a private-use code: what Windows asks for. */
    MS_CLASSLESS_STATIC_ROUTE(249),
    END(255);

    private final int code;

    DhcpOptionCode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static Optional<DhcpOptionCode> of(int code) {
        for (DhcpOptionCode c : values()) if (c.code == code) return Optional.of(c);
        return Optional.empty();
    }
}
