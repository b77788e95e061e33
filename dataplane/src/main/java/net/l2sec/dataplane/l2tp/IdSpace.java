package net.l2sec.dataplane.l2tp;

import java.util.BitSet;
import java.util.random.RandomGenerator;

/**
 * Our Tunnel IDs or Session IDs (RFC 2661 section 3.1: 16 bits, 0 reserved), in use or free. New IDs are random,
 * which makes blind injection into a tunnel or session harder than sequential IDs would, and finding one takes
 * bounded work however full the space is: a few random probes, then one scan of the bitmap from a random place.
 * Single-threaded ({@link L2tpIdentifiers} shares it between loops under a lock).
 */
final class IdSpace {
    /** Random probes before the scan; with the space half full, all of them miss once in 65,536 allocations. */
    static final int PROBES = 16;
    /** IDs 1 to 65,535. */
    static final int SIZE = 0xffff;

    private final BitSet used = new BitSet(SIZE + 1);
    private int count;

    IdSpace() {
        used.set(0); // reserved: "no tunnel" / "no session" (RFC 2661 section 3.1)
    }

    /** A free non-zero ID, now in use; 0 when all 65,535 are taken. */
    int allocate(RandomGenerator random) {
        if (count >= SIZE) return 0;
        for (int i = 0; i < PROBES; i++) {
            int id = 1 + random.nextInt(SIZE);
            if (!used.get(id)) return take(id);
        }
        int from = 1 + random.nextInt(SIZE);
        int id = used.nextClearBit(from);
        if (id > SIZE) id = used.nextClearBit(1);
        return id > SIZE ? 0 : take(id);
    }

    /** Frees {@code id}; false if it was not in use. */
    boolean release(int id) {
        if (id > 0 && id <= SIZE && used.get(id)) {
            used.clear(id);
            count--;
            return true;
        }
        return false;
    }

    /** IDs in use. */
    int size() {
        return count;
    }

    private int take(int id) {
        used.set(id);
        count++;
        return id;
    }
}
