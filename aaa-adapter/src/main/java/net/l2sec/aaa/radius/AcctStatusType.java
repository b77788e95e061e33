package net.l2sec.aaa.radius;

/** RFC 2866 section 5.1 Acct-Status-Type values we send; {@link #label()} is the metric tag and log word. */
public enum AcctStatusType {
    START(1, "start"),
    STOP(2, "stop"),
    INTERIM(3, "interim"),
    ON(7, "on"),
    OFF(8, "off");

    private final int code;
    private final String label;

    AcctStatusType(int code, String label) {
        this.code = code;
        this.label = label;
    }

    public int code() {
        return code;
    }

    public String label() {
        return label;
    }

    public static AcctStatusType ofLabel(String label) {
        for (AcctStatusType t : values()) if (t.label.equals(label)) return t;
        throw new IllegalArgumentException("unknown accounting record type " + label);
    }
}
