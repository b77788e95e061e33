package net.l2sec.dataplane.ike;

/**
 * The message IDs of the exchanges one ISAKMP SA has carried after phase 1, the peer's and ours. Each exchange has
 * an ID of its own, chosen at random by its initiator (RFC 2408 section 3.1), and the IV of its first message
 * follows from it (RFC 2409 Appendix B): a message that starts an exchange under an ID already used is a replay of
 * an earlier one (it decrypts and its HASH(1) verifies all the same), or one of ours reflected back, and is dropped
 * before anything of it is processed. Bounded: the newest {@link #MAX} IDs are remembered, an older one is
 * forgotten (at DPD's usual 30 s that is over four hours of exchanges). Event loop only.
 */
final class MessageIds {
    /** IDs remembered at most per ISAKMP SA: 2 KiB once full; most SAs keep far fewer. */
    static final int MAX = 512;
    private int[] ids = new int[8];
    private int count;
    /** Once full: where the next ID overwrites the oldest. */
    private int oldest;

    /** Whether an exchange with message ID {@code id} has been carried (and not forgotten). */
    boolean used(int id) {
        for (int i = 0; i < count; i++) if (ids[i] == id) return true;
        return false;
    }

    /** An exchange under {@code id} starts: its ID is used from now on. */
    void use(int id) {
        if (count == ids.length && count < MAX) ids = java.util.Arrays.copyOf(ids, Math.min(MAX, count * 2));
        if (count < ids.length) {
            ids[count++] = id;
        } else {
            ids[oldest] = id;
            oldest = (oldest + 1) % MAX;
        }
    }

    int size() {
        return count;
    }
}
