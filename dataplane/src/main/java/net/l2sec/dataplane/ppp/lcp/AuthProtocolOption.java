package net.l2sec.dataplane.ppp.lcp;

import java.util.Optional;
import net.l2sec.spi.auth.AuthMethod;
import net.l2sec.dataplane.ppp.cp.ConfigOption;

/**
 * The Authentication-Protocol option value (RFC 1661 section 6.2): PAP {@code C023}, CHAP {@code C223} with an
 * algorithm octet (RFC 1994 section 3: 05 = MD5; RFC 2759 section 2: 81 = MS-CHAPv2), EAP {@code C227}
 * (RFC 3748 section 7.1; both EAP methods share it).
 */
public record AuthProtocolOption(int protocol, int algorithm) {
    public static final int PAP = 0xC023;
    public static final int CHAP = 0xC223;
    public static final int EAP = 0xC227;
    public static final int CHAP_MD5 = 0x05;
    public static final int CHAP_MSCHAPV2 = 0x81;
    private static final int NONE = -1;

    public static AuthProtocolOption of(AuthMethod method) {
        return switch (method) {
            case PAP -> new AuthProtocolOption(PAP, NONE);
            case CHAP_MD5 -> new AuthProtocolOption(CHAP, CHAP_MD5);
            case MSCHAPV2 -> new AuthProtocolOption(CHAP, CHAP_MSCHAPV2);
            case EAP_MSCHAPV2, EAP_MD5 -> new AuthProtocolOption(EAP, NONE);
        };
    }

    public static Optional<AuthProtocolOption> parse(ConfigOption o) {
        byte[] d = o.data();
        if (d.length < 2) return Optional.empty();
        int protocol = ((d[0] & 0xff) << 8) | (d[1] & 0xff);
        if (protocol == CHAP) {
            return d.length >= 3 ? Optional.of(new AuthProtocolOption(CHAP, d[2] & 0xff)) : Optional.empty();
        }
        return Optional.of(new AuthProtocolOption(protocol, NONE));
    }

    public ConfigOption toOption() {
        byte[] d = algorithm == NONE ? new byte[] {(byte) (protocol >>> 8), (byte) protocol}
                : new byte[] {(byte) (protocol >>> 8), (byte) protocol, (byte) algorithm};
        return new ConfigOption(LcpOptionType.AUTHENTICATION_PROTOCOL.type(), d);
    }
}
