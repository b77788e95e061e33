package net.l2sec.dataplane.ppp.lcp;

import java.util.Optional;
import net.l2sec.dataplane.ppp.cp.ConfigOption;
import net.l2sec.dataplane.ppp.frame.PppProtocol;
import net.l2sec.spi.auth.AuthMethod;

/**
 * The Authentication-Protocol option value (RFC 1661 section 6.2): the protocol number, PAP {@code C023}, CHAP
 * {@code C223} followed by an algorithm octet (RFC 1994 section 3, RFC 2759 section 2), or EAP {@code C227}
 * (RFC 3748 section 7.1; both EAP methods share it).
 *
 * @param algorithm CHAP only
 */
public record AuthProtocolOption(PppProtocol protocol, Optional<ChapAlgorithm> algorithm) {
    /** The CHAP Algorithm octet. */
    public enum ChapAlgorithm {
        /** RFC 1994 section 3. */
        MD5(0x05),
        /** RFC 2759 section 2: MS-CHAPv2. */
        MSCHAPV2(0x81);

        private final int code;

        ChapAlgorithm(int code) {
            this.code = code;
        }

        public int code() {
            return code;
        }

        static Optional<ChapAlgorithm> of(int code) {
            for (ChapAlgorithm a : values()) {
                if (a.code == code) return Optional.of(a);
            }
            return Optional.empty();
        }
    }

    public static AuthProtocolOption of(AuthMethod method) {
        return switch (method) {
            case PAP -> new AuthProtocolOption(PppProtocol.PAP, Optional.empty());
            case CHAP_MD5 -> new AuthProtocolOption(PppProtocol.CHAP, Optional.of(ChapAlgorithm.MD5));
            case MSCHAPV2 -> new AuthProtocolOption(PppProtocol.CHAP, Optional.of(ChapAlgorithm.MSCHAPV2));
            case EAP_MSCHAPV2, EAP_MD5 -> new AuthProtocolOption(PppProtocol.EAP, Optional.empty());
            case IKEV2_PSK, IKEV2_CERTIFICATE -> throw new IllegalArgumentException(method + " is not a PPP method");
        };
    }

    /**
     * The value the peer suggests in a Configure-Nak; empty when it is too short, or names a protocol or a CHAP
     * algorithm we do not know (none of our methods could match it).
     */
    public static Optional<AuthProtocolOption> parse(ConfigOption o) {
        byte[] d = o.data();
        if (d.length < 2) return Optional.empty();
        Optional<PppProtocol> protocol = PppProtocol.of(((d[0] & 0xff) << 8) | (d[1] & 0xff));
        return switch (protocol.orElse(null)) {
            case CHAP -> d.length < 3 ? Optional.empty() : ChapAlgorithm.of(d[2] & 0xff)
                    .map(a -> new AuthProtocolOption(PppProtocol.CHAP, Optional.of(a)));
            case PAP, EAP -> Optional.of(new AuthProtocolOption(protocol.get(), Optional.empty()));
            case null, default -> Optional.empty();
        };
    }

    public ConfigOption toOption() {
        int p = protocol.number();
        byte[] d = algorithm.map(a -> new byte[] {(byte) (p >>> 8), (byte) p, (byte) a.code()})
                .orElse(new byte[] {(byte) (p >>> 8), (byte) p});
        return new ConfigOption(LcpOptionType.AUTHENTICATION_PROTOCOL.code(), d);
    }
}
