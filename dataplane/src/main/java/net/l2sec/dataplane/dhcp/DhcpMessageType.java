package net.l2sec.dataplane.dhcp;

import java.util.Optional;

/** Option 53's values (RFC 2132 section 9.6). */
public enum DhcpMessageType {
    DHCPDISCOVER(1), DHCPOFFER(2), DHCPREQUEST(3), DHCPDECLINE(4), DHCPACK(5), DHCPNAK(6), DHCPRELEASE(7), DHCPINFORM(8);

    private final int code;

    DhcpMessageType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static Optional<DhcpMessageType> of(int code) {
        for (DhcpMessageType t : values()) if (t.code == code) return Optional.of(t);
        return Optional.empty();
    }
}
