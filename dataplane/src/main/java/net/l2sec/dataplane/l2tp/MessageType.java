package net.l2sec.dataplane.l2tp;

/** Control message types, the value of the Message Type AVP (RFC 2661 section 3.2). */
public enum MessageType {
    SCCRQ(1), SCCRP(2), SCCCN(3), STOPCCN(4), HELLO(6),
    OCRQ(7), OCRP(8), OCCN(9), ICRQ(10), ICRP(11), ICCN(12), CDN(14), WEN(15), SLI(16);

    private final int code;

    MessageType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The type for {@code code}, or {@code null} when unknown. */
    public static MessageType of(int code) {
        for (MessageType t : values()) if (t.code == code) return t;
        return null;
    }

    /** Whether the message belongs to a call (session) rather than to the control connection (RFC 2661 section 6). */
    public boolean isSessionMessage() {
        return switch (this) {
            case OCRQ, OCRP, OCCN, ICRQ, ICRP, ICCN, CDN, WEN, SLI -> true;
            default -> false;
        };
    }
}
