package net.l2sec.dataplane.ppp.frame;

import java.util.Optional;
import net.l2sec.dataplane.WireCode;

/** PPP Protocol field values this concentrator knows (RFC 1661 section 2, IANA PPP DLL protocol numbers). */
public enum PppProtocol implements WireCode {
    IPV4(0x0021),
    IPCP(0x8021),
    IPV6(0x0057),
    IPV6CP(0x8057),
    CCP(0x80FD),
    LCP(0xC021),
    PAP(0xC023),
    CHAP(0xC223),
    EAP(0xC227);

    private final int number;

    PppProtocol(int number) {
        this.number = number;
    }

    public int number() {
        return number;
    }

    @Override
    public int code() {
        return number;
    }

    public static Optional<PppProtocol> of(int number) {
        return WireCode.lookup(values(), number);
    }
}
