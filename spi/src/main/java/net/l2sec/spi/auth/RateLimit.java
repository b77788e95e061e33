package net.l2sec.spi.auth;

import java.util.Locale;

/**
 * A session's bandwidth limit, each direction on its own: a policy rule's {@code rate-limit}, or RADIUS
 * WISPr-Bandwidth-Max-Down / -Up. The dataplane polices it with a token bucket per direction; 0 is no limit.
 *
 * @param downBitsPerSecond to the client (RADIUS WISPr-Bandwidth-Max-Down)
 * @param upBitsPerSecond   from the client (WISPr-Bandwidth-Max-Up)
 */
public record RateLimit(long downBitsPerSecond, long upBitsPerSecond) {
    /** The least limit that makes sense: below it a single full-size packet would take longer than a second. */
    public static final long MIN_BITS_PER_SECOND = 16_000;

    public RateLimit {
        check(downBitsPerSecond);
        check(upBitsPerSecond);
        if (downBitsPerSecond == 0 && upBitsPerSecond == 0) throw new IllegalArgumentException("a rate limit limits at least one direction");
    }

    private static void check(long bps) {
        if (bps != 0 && (bps < MIN_BITS_PER_SECOND || bps > 100_000_000_000L)) {
            throw new IllegalArgumentException("rate " + bps + " bit/s outside " + MIN_BITS_PER_SECOND + " .. 100 Gbit/s");
        }
    }

    /**
     * {@code 10mbit}, {@code 512kbit}, {@code 1.5gbit}, {@code 64000} (bit/s): decimal prefixes, as tc's. The message of
     * the {@link IllegalArgumentException} says what is wrong.
     */
    public static long parseBitsPerSecond(String text) {
        String s = text.strip().toLowerCase(Locale.ROOT);
        long unit = 1;
        for (String[] u : new String[][] {{"gbit", "1000000000"}, {"mbit", "1000000"}, {"kbit", "1000"}, {"bit", "1"}}) {
            if (s.endsWith(u[0])) {
                unit = Long.parseLong(u[1]);
                s = s.substring(0, s.length() - u[0].length()).strip();
                break;
            }
        }
        try {
            double v = Double.parseDouble(s);
            if (!(v > 0) || Double.isInfinite(v)) throw new NumberFormatException();
            return Math.round(v * unit);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("\"" + text + "\" is not a rate such as 10mbit, 512kbit or 1gbit");
        }
    }

    @Override
    public String toString() {
        return "down=" + text(downBitsPerSecond) + " up=" + text(upBitsPerSecond);
    }

    private static String text(long bps) {
        if (bps == 0) return "-";
        if (bps % 1_000_000 == 0) return bps / 1_000_000 + "mbit";
        if (bps % 1_000 == 0) return bps / 1_000 + "kbit";
        return bps + "bit";
    }
}
