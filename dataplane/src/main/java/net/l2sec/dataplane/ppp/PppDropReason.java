package net.l2sec.dataplane.ppp;

import java.util.Locale;
import net.l2sec.dataplane.ppp.frame.PppProtocol;

/**
 * Why a PPP frame or control packet was discarded as malformed: {@link #tag()} is the {@code reason} tag of
 * {@code l2sec.ppp.packets.dropped}.
 */
public enum PppDropReason {
    /** No protocol field, or one with an even low octet (RFC 1661 section 2). */
    MALFORMED_FRAME,
    MALFORMED_LCP,
    MALFORMED_IPCP,
    MALFORMED_IPV6CP,
    MALFORMED_PAP,
    MALFORMED_CHAP,
    MALFORMED_EAP;

    public String tag() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** A packet of {@code protocol} that breaks its format. */
    public static PppDropReason malformed(PppProtocol protocol) {
        return switch (protocol) {
            case LCP -> MALFORMED_LCP;
            case IPCP -> MALFORMED_IPCP;
            case IPV6CP -> MALFORMED_IPV6CP;
            case PAP -> MALFORMED_PAP;
            case CHAP -> MALFORMED_CHAP;
            case EAP -> MALFORMED_EAP;
            case IPV4, IPV6, CCP -> throw new IllegalArgumentException("no packet format checked for " + protocol);
        };
    }
}
