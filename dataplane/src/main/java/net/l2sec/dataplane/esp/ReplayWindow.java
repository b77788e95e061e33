package net.l2sec.dataplane.esp;

/**
 * The receiver's anti-replay window of RFC 4303 section 3.4.3 (32-bit sequence numbers, no ESN). The bitmap is a
 * ring of 64-bit blocks indexed by sequence number, as RFC 6479 describes, so advancing the window clears whole
 * blocks instead of shifting the bitmap. One spare block beyond {@code size} lets the newest block be partly used.
 * {@link #check} comes before the ICV is verified, {@link #update} only after (RFC 4303 section 3.4.3).
 */
final class ReplayWindow {
    static final int DEFAULT_SIZE = 128;

    private final int size;
    private final long[] blocks;
    /** Highest sequence number authenticated so far; 0 before the first packet (0 is never sent). */
    private long top;

    ReplayWindow(int size) {
        if (size < 32) throw new IllegalArgumentException("replay window " + size + " < 32 (RFC 4303 section 3.4.3)");
        this.size = size;
        this.blocks = new long[(size + 63) / 64 + 1];
    }

    int size() {
        return size;
    }

    long top() {
        return top;
    }

    /** True when {@code seq} is new: right of the window, or inside it and not yet seen. */
    boolean check(long seq) {
        if (seq == 0) return false; // the first packet carries 1 (RFC 4303 section 3.3.3)
        if (seq > top) return true;
        if (top - seq >= size) return false;
        return (blocks[block(seq)] & bit(seq)) == 0;
    }

    /** Records an authenticated {@code seq} that passed {@link #check}, advancing the window if it is the newest. */
    void update(long seq) {
        if (seq > top) {
            long from = (top >>> 6) + 1;
            long to = seq >>> 6;
            for (long b = from; b <= to && b - from < blocks.length; b++) blocks[(int) (b % blocks.length)] = 0;
            top = seq;
        }
        blocks[block(seq)] |= bit(seq);
    }

    private int block(long seq) {
        return (int) ((seq >>> 6) % blocks.length);
    }

    private static long bit(long seq) {
        return 1L << (seq & 63);
    }
}
