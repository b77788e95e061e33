package net.l2sec.dataplane.ike;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import net.l2sec.dataplane.ike.message.IkeDecodeException;
import net.l2sec.dataplane.ike.message.IkeDropReason;
import net.l2sec.dataplane.ike.message.IsakmpCodec;
import net.l2sec.dataplane.ike.message.Payload;
import net.l2sec.dataplane.ike.message.PayloadType;
import net.l2sec.spi.time.Scheduler;
import org.bouncycastle.crypto.macs.SipHash;
import org.bouncycastle.crypto.params.KeyParameter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * The Main Modes that message 1 opened and message 3 has not yet continued (RFC 2409 section 5; our message 2 is
 * out, state MM_SA_SENT). Whoever forges the source address of a message 1 never sees our message 2 with the
 * responder cookie, so cannot send message 3: a flood of forged message 1s ends here, and so nothing is computed
 * for an entry (no Diffie-Hellman, no keys), no timer or retransmission runs for it, and it keeps only what the
 * rest of phase 1 needs: both cookies, the peer and our address, when it came, the place of the chosen transform
 * and the octets of the initiator's SA payload (SAi_b, which HASH_I and HASH_R cover; at most
 * {@link #MAX_SA_OCTETS}), what its vendor IDs announced, and a digest of message 1 to recognise a repeat.
 *
 * <p>Bounds, none of which refuses a new client:
 * <ul>
 * <li>Memory: every entry is accounted at {@link #ENTRY_OVERHEAD} octets plus its SAi_b, and all of them together
 *     stay within {@code IkeSettings.HalfOpen.maxBytes}: a new entry beyond it evicts the oldest ones
 *     ({@link HalfOpenEviction#OLDEST}). So under a flood a new entry lives for {@code maxBytes} divided by the
 *     flood's accounted octets per second, and a client whose message 3 comes within that time completes.</li>
 * <li>Fairness: one source address holds at most {@code perSource} entries; beyond that its own oldest makes room
 *     ({@link HalfOpenEviction#SOURCE_SHARE}), whatever other sources hold.</li>
 * <li>Time: an entry not continued within the half-open timeout is dropped (phase 1 failed, {@code timeout}) by one
 *     timer for the whole table, due when the oldest entry is.</li>
 * </ul>
 * Look-ups are constant time: the responder cookie is a keyed hash of the initiator cookie and both addresses and
 * ports (RFC 2408 section 2.5.3 recommends exactly this), so a repeated message 1 finds its entry by the cookie it
 * was given, and message 3 finds it by the cookie it carries. Event loop only; the sizes may be read from any
 * thread.
 */
final class HalfOpenTable {
    private static final Logger LOG = LoggerFactory.getLogger(HalfOpenTable.class);
    /** The largest SA payload body (SAi_b) kept; a larger offer is refused. The biggest real offers are near 1 KiB. */
    static final int MAX_SA_OCTETS = 2048;
    /**
     * Octets of heap one entry takes besides SAi_b, rounded up: the entry (about 80), its place in the cookie table
     * with the boxed cookie (about 64), the peer's IPv4 address as the socket delivered it (about 96), its source's
     * count (about 72 for a source with one entry). Measured on HotSpot with compressed references (heaps below
     * 32 GiB): 408 octets per entry with a 52-octet SAi_b, accounted at 456 ({@link Entry#size}).
     */
    static final int ENTRY_OVERHEAD = 384;
    /** What an IPv6 peer address takes more (489 octets measured as above, accounted at 584). */
    static final int IPV6_EXTRA = 128;
    /** Cookies tried for one message 1 when an earlier one's log tag belongs to an SA: practically always one. */
    private static final int COOKIE_ATTEMPTS = 8;

    /** One message 1 we answered. */
    static final class Entry {
        final long initiatorCookie;
        final long responderCookie;
        final InetSocketAddress peer;
        final InetSocketAddress local;
        final long createdNanos;
        /** A keyed 64-bit digest of message 1: the same again is a repeat to answer, another is dropped. */
        final long requestDigest;
        /** The initiator's SA payload without its generic header, as HASH_I and HASH_R take it. */
        final byte[] saiB;
        final Phase1Proposal.Position chosen;
        final IsakmpVendor.Announced announced;
        /** The next newer entry of the same source address. */
        private Entry nextOfSource;

        Entry(long initiatorCookie, long responderCookie, InetSocketAddress peer, InetSocketAddress local,
              long createdNanos, long requestDigest, byte[] saiB, Phase1Proposal.Position chosen,
              IsakmpVendor.Announced announced) {
            this.initiatorCookie = initiatorCookie;
            this.responderCookie = responderCookie;
            this.peer = peer;
            this.local = local;
            this.createdNanos = createdNanos;
            this.requestDigest = requestDigest;
            this.saiB = saiB;
            this.chosen = chosen;
            this.announced = announced;
        }

        /** The octets this entry is accounted at: the overhead, SAi_b as an array, an unusual FRAGMENTATION vendor ID. */
        int size() {
            byte[] frag = announced.fragmentationVid();
            return ENTRY_OVERHEAD + (peer.getAddress() instanceof Inet6Address ? IPV6_EXTRA : 0)
                    + 16 + (saiB.length + 7 & ~7)
                    + (frag == null || frag == IsakmpVendor.FRAGMENTATION ? 0 : 16 + (frag.length + 7 & ~7));
        }

        /** The initiator's SA payload, decoded again from SAi_b. */
        Payload.Sa sa() throws IkeDecodeException {
            byte[] payload = new byte[4 + saiB.length];
            payload[2] = (byte) (payload.length >>> 8);
            payload[3] = (byte) payload.length;
            System.arraycopy(saiB, 0, payload, 4, saiB.length);
            return IsakmpCodec.decodePayloads(PayloadType.SA, payload, 0, payload.length, false).first(Payload.Sa.class);
        }

        String peerText() {
            return IkeSa.text(peer);
        }
    }

    /** The entries of one source address, oldest first. */
    private static final class Source {
        int count;
        Entry oldest;
        Entry newest;
    }

    private final Supplier<IkeSettings> settings;
    private final Scheduler scheduler;
    private final IkeSaTable sas;
    private final IkeMetrics metrics;
    private final ThrottledLog throttled;
    private final UnderAttack underAttack;
    /** Every entry by responder cookie, oldest first. */
    private final LinkedHashMap<Long, Entry> entries = new LinkedHashMap<>();
    private final Map<InetAddress, Source> sources = new HashMap<>();
    private final SipHash cookieHash = new SipHash();
    private final SipHash requestHash = new SipHash();
    private volatile int size;
    private volatile long bytes;
    private volatile long oldestCreated;
    /** Due when the oldest entry times out; none while the table is empty. */
    private Scheduler.Timeout expiry;

    HalfOpenTable(Supplier<IkeSettings> settings, Scheduler scheduler, SecureRandom random, IkeSaTable sas,
                  IkeMetrics metrics, ThrottledLog throttled, UnderAttack underAttack) {
        this.settings = settings;
        this.scheduler = scheduler;
        this.sas = sas;
        this.metrics = metrics;
        this.throttled = throttled;
        this.underAttack = underAttack;
        cookieHash.init(new KeyParameter(key(random)));
        requestHash.init(new KeyParameter(key(random)));
    }

    private static byte[] key(SecureRandom random) {
        byte[] k = new byte[16];
        random.nextBytes(k);
        return k;
    }

    /**
     * The entry of a repeated message 1: the initiator cookie's from {@code peer} to {@code local}; null if none.
     *
     * @throws IkeDecodeException when that Main Mode has gone on to message 3 already: a late repeat, dropped
     */
    Entry find(long initiatorCookie, InetSocketAddress peer, InetSocketAddress local) throws IkeDecodeException {
        for (int attempt = 0; attempt < COOKIE_ATTEMPTS; attempt++) {
            long c = cookie(initiatorCookie, peer, local, attempt);
            Entry e = entries.get(c);
            if (e != null && e.initiatorCookie == initiatorCookie && e.peer.equals(peer) && e.local.equals(local)) return e;
            if (sas.find(initiatorCookie, c) != null) {
                throw new IkeDecodeException(IkeDropReason.UNEXPECTED_MESSAGE, "message 1 of a Main Mode past message 3");
            }
            if (!sas.tagTaken(c)) return null; // this is the cookie a new entry would have been given
        }
        return null;
    }

    /** The entry named by both cookies (message 3 carries them), or null. */
    Entry get(long initiatorCookie, long responderCookie) {
        Entry e = entries.get(responderCookie);
        return e != null && e.initiatorCookie == initiatorCookie ? e : null;
    }

    /** A keyed digest of message 1, to tell its repeat from another message 1 with the same initiator cookie. */
    long digest(byte[] message1) {
        requestHash.update(message1, 0, message1.length);
        return requestHash.doFinal();
    }

    /**
     * The responder cookie for a new entry: a keyed hash of the initiator cookie, both addresses and ports and the
     * attempt (RFC 2408 section 2.5.3), the first whose log tag no SA here has; non-zero.
     */
    long newCookie(long initiatorCookie, InetSocketAddress peer, InetSocketAddress local) {
        for (int attempt = 0; ; attempt++) {
            long c = cookie(initiatorCookie, peer, local, attempt);
            if (attempt >= COOKIE_ATTEMPTS) c = sas.newCookie(); // unreachable in practice: 8 tags in a row taken
            if (!sas.tagTaken(c) && !entries.containsKey(c)) return c;
        }
    }

    private long cookie(long initiatorCookie, InetSocketAddress peer, InetSocketAddress local, int attempt) {
        for (int i = 56; i >= 0; i -= 8) cookieHash.update((byte) (initiatorCookie >>> i));
        for (InetSocketAddress a : new InetSocketAddress[] {peer, local}) {
            byte[] address = a.getAddress().getAddress();
            cookieHash.update(address, 0, address.length);
            cookieHash.update((byte) (a.getPort() >>> 8));
            cookieHash.update((byte) a.getPort());
        }
        cookieHash.update((byte) attempt);
        long c = cookieHash.doFinal();
        return c == 0 ? 1 : c;
    }

    /** Adds a new entry, evicting what its bounds require first. */
    void add(Entry e) {
        IkeSettings.HalfOpen bounds = settings.get().halfOpen();
        Source source = sources.get(e.peer.getAddress());
        if (source != null && source.count >= bounds.perSource()) evict(source.oldest, HalfOpenEviction.SOURCE_SHARE);
        while (bytes + e.size() > bounds.maxBytes() && !entries.isEmpty()) {
            evict(entries.firstEntry().getValue(), HalfOpenEviction.OLDEST);
        }
        entries.put(e.responderCookie, e);
        source = sources.computeIfAbsent(e.peer.getAddress(), a -> new Source());
        if (source.newest != null) source.newest.nextOfSource = e;
        else source.oldest = e;
        source.newest = e;
        source.count++;
        size++;
        bytes += e.size();
        if (size == 1) {
            oldestCreated = e.createdNanos;
            expireLater();
        }
    }

    /** Takes the entry out: message 3 continued it, or it ends otherwise. */
    void remove(Entry e) {
        if (entries.remove(e.responderCookie) != e) return;
        Source source = sources.get(e.peer.getAddress());
        if (source.oldest == e) {
            source.oldest = e.nextOfSource;
        } else {
            Entry before = source.oldest;
            while (before.nextOfSource != e) before = before.nextOfSource;
            before.nextOfSource = e.nextOfSource;
            if (source.newest == e) source.newest = before;
        }
        e.nextOfSource = null;
        if (--source.count == 0) sources.remove(e.peer.getAddress());
        size--;
        bytes -= e.size();
        oldestCreated = entries.isEmpty() ? 0 : entries.firstEntry().getValue().createdNanos;
        if (entries.isEmpty() && expiry != null) {
            expiry.cancel();
            expiry = null;
        }
    }

    private void evict(Entry e, HalfOpenEviction reason) {
        long age = scheduler.nanoTime() - e.createdNanos;
        remove(e);
        metrics.evicted(reason);
        metrics.phase1Failed(FailureReason.EVICTED);
        if (throttled.admit(LOG, Level.INFO, reason == HalfOpenEviction.OLDEST ? "phase1 failed reason=evicted (oldest)"
                : "phase1 failed reason=evicted (source_share)")) {
            LOG.info("peer={} phase1 failed reason=evicted ({}): no message 3 after {} ms; {} half-open Main Modes hold {} KiB",
                    e.peerText(), reason.tag(), age / 1_000_000, size, bytes >> 10);
        }
        if (reason == HalfOpenEviction.OLDEST) {
            underAttack.evicted(reason, age, settings.get().halfOpen().maxBytes() / IkeSettings.HalfOpen.MIB
                    + " MiB of Main Modes awaiting message 3");
        }
    }

    /** The one timer: due when the oldest entry times out; it drops every entry that has, then waits for the next. */
    private void expireLater() {
        if (expiry != null) expiry.cancel();
        expiry = null;
        if (entries.isEmpty()) return;
        long timeout = settings.get().halfOpenTimeout().toNanos();
        long due = entries.firstEntry().getValue().createdNanos + timeout - scheduler.nanoTime();
        expiry = scheduler.schedule(Duration.ofNanos(Math.max(0, due)), () -> {
            expiry = null;
            long now = scheduler.nanoTime();
            int expired = 0;
            while (!entries.isEmpty()) {
                Entry oldest = entries.firstEntry().getValue();
                if (now - oldest.createdNanos < settings.get().halfOpenTimeout().toNanos()) break;
                remove(oldest);
                expired++;
                throttled.warn(LOG, "phase1 failed reason=timeout (no message 3)",
                        "peer={} phase1 failed reason=timeout: no message 3 in {} s", oldest.peerText(),
                        settings.get().halfOpenTimeout().toSeconds());
            }
            if (expired > 0) metrics.phase1Failed(FailureReason.TIMEOUT, expired);
            expireLater();
        });
    }

    int size() {
        return size;
    }

    long bytes() {
        return bytes;
    }

    /** Seconds since the oldest entry came; 0 when there is none. */
    double oldestSeconds() {
        long created = oldestCreated;
        return size == 0 ? 0 : (scheduler.nanoTime() - created) / 1e9;
    }

    /** The responder closes: entries are forgotten, the timer stops. */
    void close() {
        if (expiry != null) expiry.cancel();
        expiry = null;
        entries.clear();
        sources.clear();
        size = 0;
        bytes = 0;
    }
}
