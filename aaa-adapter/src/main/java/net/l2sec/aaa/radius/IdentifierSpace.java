package net.l2sec.aaa.radius;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.IntFunction;

/**
 * The 256 Identifiers of one source port towards one server (RFC 2865 section 3: the Identifier matches a reply
 * to its request, and a server detects duplicates by client address, source port and Identifier). An Identifier
 * belongs to one outstanding request from {@link #take} to {@link #release}; its retransmissions keep it (RFC 5080
 * section 2.2.1). Identifiers are handed out round robin, skipping those in use, so that a released Identifier is
 * reused as late as possible; the request that held it last is remembered, so that a late answer to it can be told
 * from a forged or mismatched one.
 *
 * <p>Pure bookkeeping, no I/O; thread-safe.
 *
 * @param <T> what an outstanding request is represented by
 */
final class IdentifierSpace<T> {
    static final int SIZE = 256;

    private final Object[] outstanding = new Object[SIZE];
    private final Object[] previous = new Object[SIZE];
    private int next;
    private int inUse;

    /** @param first the Identifier tried first (a random one, so that restarts do not reuse the same sequence) */
    IdentifierSpace(int first) {
        this.next = first & 0xff;
    }

    /**
     * Takes the next free Identifier for the request {@code create} makes from it; empty when all 256 are
     * outstanding.
     */
    synchronized <R extends T> Optional<R> take(IntFunction<R> create) {
        if (inUse == SIZE) return Optional.empty();
        for (int i = 0; i < SIZE; i++) {
            int id = (next + i) & 0xff;
            if (outstanding[id] != null) continue;
            R request = create.apply(id);
            outstanding[id] = request;
            inUse++;
            next = (id + 1) & 0xff;
            return Optional.of(request);
        }
        throw new IllegalStateException("identifier count " + inUse + " disagrees with the table");
    }

    /** Frees {@code identifier} if {@code request} still holds it; {@code request} becomes its {@link #previous}. */
    synchronized boolean release(int identifier, T request) {
        if (outstanding[identifier & 0xff] != request) return false;
        outstanding[identifier & 0xff] = null;
        previous[identifier & 0xff] = request;
        inUse--;
        return true;
    }

    /** The request holding {@code identifier} now. */
    @SuppressWarnings("unchecked")
    synchronized Optional<T> outstanding(int identifier) {
        return Optional.ofNullable((T) outstanding[identifier & 0xff]);
    }

    /** The request that held {@code identifier} before (released), if any. */
    @SuppressWarnings("unchecked")
    synchronized Optional<T> previous(int identifier) {
        return Optional.ofNullable((T) previous[identifier & 0xff]);
    }

    /** Identifiers taken by outstanding requests. */
    synchronized int inUse() {
        return inUse;
    }

    /** Every outstanding request (for failing them when the socket closes). */
    @SuppressWarnings("unchecked")
    synchronized List<T> allOutstanding() {
        List<T> out = new ArrayList<>();
        for (Object o : outstanding) if (o != null) out.add((T) o);
        return out;
    }
}
