package net.l2sec.dataplane.ike;

/**
 * Why a half-open phase 1 was given up before its time to make room for a newer one: the {@code reason} tag of
 * {@code l2sec_ike_half_open_evictions_total}. The phase 1 is counted failed with reason {@code evicted} as well.
 */
enum HalfOpenEviction {
    /**
     * The Main Modes between message 1 and message 3 reached their memory bound ({@code ipsec.limits.half-open-memory-mib}):
     * the oldest made room. Message 1 arrives faster than the bound holds it for the half-open timeout, the mark of
     * a flood from forged addresses (they never send message 3).
     */
    OLDEST("oldest"),
    /** One source address held its share ({@code ipsec.limits.half-open-per-source}): its own oldest made room. */
    SOURCE_SHARE("source_share"),
    /**
     * The phase 1s holding keying material reached {@code ipsec.limits.half-open}: the oldest made room, an
     * Aggressive Mode one first (its peer never proved its address).
     */
    KEYED_LIMIT("keyed_limit");

    private final String tag;

    HalfOpenEviction(String tag) {
        this.tag = tag;
    }

    String tag() {
        return tag;
    }
}
