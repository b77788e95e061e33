package net.l2sec.dataplane.ike;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.l2sec.dataplane.ike.message.Doi;
import net.l2sec.dataplane.ike.message.Payload;
import net.l2sec.dataplane.ike.message.ProtocolId;
import net.l2sec.dataplane.ipsec.ChildSaSpec;
import net.l2sec.dataplane.ipsec.ChildSaTable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The child SAs (IPsec SA pairs) IKE installed, as IKE knows them: the inbound SPIs it holds, the pairs of each
 * ISAKMP SA and their move to a successor (IKEv1 IPsec SAs outlive the ISAKMP SA that made them), lookup by SPI,
 * the replacement of a pair by a newer one for the same traffic, and the one way a pair goes: {@link #remove}. ESP's own SA database is ESP's; IKE reaches it as a
 * {@link ChildSaTable}, from here only.
 */
final class ChildSas {
    private static final Logger LOG = LoggerFactory.getLogger(ChildSas.class);
    /** How long a replaced pair stays in ESP after its Delete went out: packets already in flight still decrypt. */
    static final Duration GRACE = Duration.ofSeconds(5);

    private final IkeContext ctx;
    private final ChildSaTable esp;
    /** Our inbound SPIs: of the pairs installed, and of Quick Modes in progress. */
    private final Set<Integer> spis = new HashSet<>();
    /** The pairs of each ISAKMP SA, oldest first (a pair moved from an older SA comes after the SA's own). */
    private final Map<IkeSa, List<ChildSa>> byOwner = new HashMap<>();

    ChildSas(IkeContext ctx, ChildSaTable esp) {
        this.ctx = ctx;
        this.esp = esp;
    }

    /** A fresh inbound SPI: random, above the reserved range 1..255 (RFC 4303 section 2.1), unique. */
    int allocateSpi() {
        while (true) {
            int s = ctx.random().nextInt();
            if (Integer.compareUnsigned(s, 255) > 0 && spis.add(s)) return s;
        }
    }

    /** An SPI of a Quick Mode that failed: free again. */
    void releaseSpi(int spi) {
        spis.remove(spi);
    }

    /** Whether {@code spi} is one of our inbound SPIs (installed, or held by a Quick Mode in progress). */
    boolean holds(int spi) {
        return spis.contains(spi);
    }

    /** Installs {@code child} in ESP as {@code spec} and records it as a pair of {@code owner}. */
    void install(IkeSa owner, ChildSaSpec spec, ChildSa child) {
        esp.install(spec);
        byOwner.computeIfAbsent(owner, o -> new ArrayList<>()).add(child);
    }

    /** The pairs {@code owner} holds, oldest first. */
    List<ChildSa> of(IkeSa owner) {
        List<ChildSa> children = byOwner.get(owner);
        return children == null ? List.of() : List.copyOf(children);
    }

    /** The ISAKMP SA holding the pair of our inbound SPI {@code inboundSpi}, or null. */
    IkeSa ownerOf(int inboundSpi) {
        for (Map.Entry<IkeSa, List<ChildSa>> e : byOwner.entrySet()) {
            for (ChildSa c : e.getValue()) if (c.inboundSpi() == inboundSpi) return e.getKey();
        }
        return null;
    }

    /** The pair of {@code owner} with inbound SPI {@code inboundSpi}, or null. */
    ChildSa find(IkeSa owner, int inboundSpi) {
        for (ChildSa c : of(owner)) if (c.inboundSpi() == inboundSpi) return c;
        return null;
    }

    /** Whether ESP received on a pair of {@code owner} since {@code sinceNanos}: the peer is alive (RFC 3706). */
    boolean inboundSince(IkeSa owner, long sinceNanos) {
        return of(owner).stream().anyMatch(c -> esp.inboundSince(c.inboundSpi(), sinceNanos));
    }

    /**
     * The peer deleted the pair it knows by its inbound SPI, our {@code outboundSpi}: a pair of {@code ike}, or of
     * another SA of the same client (a phase-1 rekey in progress); never another client's, even behind the same
     * address.
     */
    void removeByOutboundSpi(IkeSa ike, int outboundSpi, String cause) {
        for (IkeSa owner : ctx.sas().clientOf(ike)) {
            for (ChildSa c : of(owner)) {
                if (c.outboundSpi() == outboundSpi) {
                    remove(owner, c, cause, true);
                    return;
                }
            }
        }
    }

    /**
     * ESP deleted the pair of inbound SPI {@code inboundSpi} at its hard limit: forgotten here, and the peer told
     * with a Delete payload if the ISAKMP SA holding the pair is still there.
     */
    void expired(String ikeSaTag, int inboundSpi) {
        spis.remove(inboundSpi);
        IkeSa owner = ownerOf(inboundSpi);
        if (owner == null) {
            LOG.debug("{} phase2 spi-in={} expired, no ISAKMP SA to tell the peer", ikeSaTag, ChildSa.hex(inboundSpi));
            return;
        }
        ChildSa c = find(owner, inboundSpi);
        remove(owner, c, "expired", false);
        // a replaced pair's Delete went out when it was replaced
        if (owner.established() && !c.replaced()) ctx.exchanges().sendInformational(owner, List.of(espDelete(inboundSpi)));
    }

    /** The ISAKMP SA {@code from} ends and {@code to}, a newer one of the same client, takes its pairs over. */
    void moveAll(IkeSa from, IkeSa to) {
        List<ChildSa> moved = byOwner.remove(from);
        if (moved != null) byOwner.computeIfAbsent(to, o -> new ArrayList<>()).addAll(moved);
    }

    /** The ISAKMP SA {@code owner} ends with no successor: its pairs go with it. */
    void removeAll(IkeSa owner, String cause) {
        for (ChildSa c : of(owner)) remove(owner, c, cause, true);
        byOwner.remove(owner);
    }

    /**
     * A Quick Mode (the client's or one we initiated) installed {@code fresh}: every older pair of the same client
     * for the same traffic is replaced by it. IKEv1 has no rekey notion of its own (RFC 2409 section 5.5): a new
     * pair for the traffic of an existing one is its replacement, whoever started it. Each replaced pair is marked
     * (ESP's lifetime events for it start nothing), a rekey we were negotiating for it is abandoned, and it is
     * retired (Delete now, removal after {@link #GRACE}), so one client never holds two SA chains.
     *
     * @return the inbound SPIs of the pairs replaced
     */
    List<Integer> replaceOlder(IkeSa ike, ChildSa fresh) {
        List<Integer> replaced = new ArrayList<>();
        for (IkeSa owner : ctx.sas().clientOf(ike)) {
            for (ChildSa c : of(owner)) {
                if (c == fresh || c.replaced() || !c.sameTraffic(fresh)) continue;
                c.markReplaced();
                replaced.add(c.inboundSpi());
                ctx.exchanges().abandonRekeys(owner, c.inboundSpi());
            }
        }
        for (int spi : replaced) retire(spi, "rekeyed");
        return replaced;
    }

    /**
     * A replaced pair: the peer is told now (Delete), ESP drops it after {@link #GRACE} so that packets already sent
     * with it still decrypt.
     */
    private void retire(int inboundSpi, String cause) {
        IkeSa owner = ownerOf(inboundSpi);
        if (owner == null) return; // expired or deleted by the peer meanwhile
        if (owner.established()) ctx.exchanges().sendInformational(owner, List.of(espDelete(inboundSpi)));
        ctx.scheduler().schedule(GRACE, () -> {
            IkeSa now = ownerOf(inboundSpi); // the pair may have moved to a newer ISAKMP SA meanwhile
            if (now != null) remove(now, find(now, inboundSpi), cause, true);
        });
    }

    /**
     * The one way a pair goes, whatever ends it: out of {@code owner}'s pairs, its SPI free, out of ESP unless ESP
     * removed it itself ({@code inEsp} false: expiry), and logged.
     */
    private void remove(IkeSa owner, ChildSa c, String cause, boolean inEsp) {
        List<ChildSa> children = byOwner.get(owner);
        children.remove(c);
        if (children.isEmpty()) byOwner.remove(owner);
        spis.remove(c.inboundSpi());
        if (inEsp) esp.remove(c.inboundSpi(), cause);
        LOG.info("{} peer={} phase2 down esp={} spi-in={} spi-out={} cause={}", owner.tag, owner.peerText(), c.label(),
                ChildSa.hex(c.inboundSpi()), ChildSa.hex(c.outboundSpi()), cause);
    }

    /** A Delete payload for the pair of our inbound SPI {@code inboundSpi} (RFC 2408 section 3.15). */
    static Payload.Delete espDelete(int inboundSpi) {
        return new Payload.Delete(Doi.IPSEC, ProtocolId.PROTO_IPSEC_ESP, 4, List.of(ChildSa.spiBytes(inboundSpi)));
    }
}
