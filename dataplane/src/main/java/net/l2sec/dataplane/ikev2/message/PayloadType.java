package net.l2sec.dataplane.ikev2.message;

import java.util.Optional;
import net.l2sec.dataplane.WireCode;

/** IKEv2 payload types (RFC 7296 section 3.2; SKF from RFC 7383 section 2.5). */
public enum PayloadType implements WireCode {
    NONE(0),
    SA(33),
    KE(34),
    IDI(35),
    IDR(36),
    CERT(37),
    CERTREQ(38),
    AUTH(39),
    NONCE(40),
    NOTIFY(41),
    DELETE(42),
    VENDOR_ID(43),
    TSI(44),
    TSR(45),
    SK(46),
    CP(47),
    EAP(48),
    SKF(53);

    private final int code;

    PayloadType(int code) {
        this.code = code;
    }

    @Override
    public int code() {
        return code;
    }

    public static Optional<PayloadType> of(int code) {
        return WireCode.lookup(values(), code);
    }
}
