package net.l2sec.dataplane.l2tp;

/** Result codes of a CDN (RFC 2661 section 4.4.2). */
public enum CdnResult {
    LOST_CARRIER(1), ERROR_CODE(2), ADMINISTRATIVE(3), TEMPORARY_NO_FACILITIES(4), PERMANENT_NO_FACILITIES(5),
    INVALID_DESTINATION(6), NO_CARRIER(7), BUSY(8), NO_DIAL_TONE(9), TIMEOUT(10), NO_FRAMING(11);

    private final int code;

    CdnResult(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}
