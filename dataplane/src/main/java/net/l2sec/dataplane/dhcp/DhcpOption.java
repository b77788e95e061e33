package net.l2sec.dataplane.dhcp;

import java.util.Arrays;
import java.util.HexFormat;

/** One option (RFC 2132 section 2): code and data, the length being the data's. Pad and End are framing, never options. */
public record DhcpOption(int code, byte[] data) {
    public DhcpOption {
        if (code <= 0 || code >= 255) throw new IllegalArgumentException("option code " + code);
        if (data.length > 255) throw new IllegalArgumentException("option " + code + " longer than 255 octets");
        data = data.clone();
    }

    public DhcpOption(DhcpOptionCode code, byte[] data) {
        this(code.code(), data);
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DhcpOption other && other.code == code && Arrays.equals(other.data, data);
    }

    @Override
    public int hashCode() {
        return 31 * code + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "DhcpOption[" + code + "=" + HexFormat.of().formatHex(data) + "]";
    }
}
