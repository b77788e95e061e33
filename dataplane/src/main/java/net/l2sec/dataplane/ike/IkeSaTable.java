package net.l2sec.dataplane.ike;

import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SequencedSet;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The ISAKMP SAs of one responder that hold keying material: by cookie pair, the pair that names an SA (RFC 2408
 * section 2.5.3), the Aggressive Mode ones also by initiator cookie and peer, since a repeated message 1 carries no
 * responder cookie yet; the half-open ones (Main Mode after message 3, Aggressive Mode after message 1) in the
 * order they began, for {@link Admission} to evict the oldest; the established ones by address and port, for the
 * drain. Every look-up the datagram path makes is constant time. (Main Modes before message 3 are not here: they
 * are {@link HalfOpenTable}'s.) Sends nothing and runs no timer. Event loop only.
 */
final class IkeSaTable {
    private record Cookies(long initiator, long responder) {
    }

    private record InitiatorKey(long cookie, InetSocketAddress peer) {
    }

    private final SecureRandom random;
    private final Map<Cookies, IkeSa> sas = new HashMap<>();
    /** The tag ids of the SAs here ({@link IkeSa#tagId}): each names one SA. */
    private final Set<Integer> tagIds = new HashSet<>();
    /** Half-open Aggressive Mode SAs by initiator cookie and peer, to answer a repeated message 1. */
    private final Map<InitiatorKey, IkeSa> halfOpenByInitiator = new HashMap<>();
    /** Half-open SAs, oldest first, by mode: Main Mode ones have proven their address, Aggressive Mode ones not. */
    private final SequencedSet<IkeSa> halfOpenMain = new LinkedHashSet<>();
    private final SequencedSet<IkeSa> halfOpenAggressive = new LinkedHashSet<>();
    /** The established SAs at each address and port (one, or a few while phase 1 is rekeyed). */
    private final Map<InetSocketAddress, List<IkeSa>> establishedAt = new HashMap<>();
    private volatile int halfOpen;
    private volatile int established;

    IkeSaTable(SecureRandom random) {
        this.random = random;
    }

    /** A fresh random responder cookie: non-zero, and its high half (the SA's log tag) unlike any SA's here. */
    long newCookie() {
        while (true) {
            long c = random.nextLong();
            if (c != 0 && !tagTaken(c)) return c;
        }
    }

    /** Whether the tag of a responder cookie ({@code ike=} and its high half) is an SA's here. */
    boolean tagTaken(long responderCookie) {
        return tagIds.contains((int) (responderCookie >>> 32));
    }

    /**
     * A tag id for a new SA with this responder cookie: its high half, as {@link #newCookie} ensures; a cookie chosen
     * while another SA took that tag gets its low half or the next free number instead.
     */
    int tagIdFor(long responderCookie) {
        int id = (int) (responderCookie >>> 32);
        if (tagIds.contains(id)) id = (int) responderCookie;
        while (tagIds.contains(id)) id++;
        return id;
    }

    /** A new, half-open SA. */
    void add(IkeSa ike) {
        if (!tagIds.add(ike.tagId)) throw new IllegalStateException(ike.tag + " is taken");
        sas.put(new Cookies(ike.initiatorCookie, ike.responderCookie), ike);
        if (ike.aggressive) {
            halfOpenByInitiator.put(new InitiatorKey(ike.initiatorCookie, ike.peer), ike);
            halfOpenAggressive.add(ike);
        } else {
            halfOpenMain.add(ike);
        }
        halfOpen++;
    }

    IkeSa find(long initiatorCookie, long responderCookie) {
        return sas.get(new Cookies(initiatorCookie, responderCookie));
    }

    /** The half-open Aggressive Mode SA a message 1 with this initiator cookie from {@code peer} made, or null. */
    IkeSa halfOpen(long initiatorCookie, InetSocketAddress peer) {
        return halfOpenByInitiator.get(new InitiatorKey(initiatorCookie, peer));
    }

    /** The half-open SA of {@code aggressive} mode or not that began first; null when there is none. */
    IkeSa oldestHalfOpen(boolean aggressive) {
        SequencedSet<IkeSa> set = aggressive ? halfOpenAggressive : halfOpenMain;
        return set.isEmpty() ? null : set.getFirst();
    }

    /** {@code ike} completed phase 1: no longer half-open. */
    void established(IkeSa ike) {
        halfOpen--;
        established++;
        forgetHalfOpen(ike);
        at(ike.peer, ike);
    }

    /** The established {@code ike} floated (RFC 3947 section 4) from {@code from} to where it is now. */
    void moved(IkeSa ike, InetSocketAddress from) {
        if (!ike.established()) return;
        notAt(from, ike);
        at(ike.peer, ike);
    }

    private void at(InetSocketAddress peer, IkeSa ike) {
        establishedAt.computeIfAbsent(peer, a -> new ArrayList<>(1)).add(ike);
    }

    private void notAt(InetSocketAddress peer, IkeSa ike) {
        List<IkeSa> there = establishedAt.get(peer);
        if (there != null && there.remove(ike) && there.isEmpty()) establishedAt.remove(peer);
    }

    /** Forgets {@code ike}; called while it still has the state it ends in. */
    void remove(IkeSa ike) {
        if (ike.established()) {
            established--;
            notAt(ike.peer, ike);
        } else {
            halfOpen--;
            forgetHalfOpen(ike);
        }
        sas.remove(new Cookies(ike.initiatorCookie, ike.responderCookie));
        tagIds.remove(ike.tagId);
    }

    private void forgetHalfOpen(IkeSa ike) {
        if (ike.aggressive) {
            halfOpenAggressive.remove(ike);
            halfOpenByInitiator.values().remove(ike); // its message 1 may have come from where it no longer is
        } else {
            halfOpenMain.remove(ike);
        }
    }

    /** Half-open SAs with keying material (Main Mode after message 3, Aggressive Mode); readable from any thread. */
    int halfOpen() {
        return halfOpen;
    }

    /** Established SAs; readable from any thread. */
    int established() {
        return established;
    }

    List<IkeSa> all() {
        return List.copyOf(sas.values());
    }

    /** Other established SAs of the same client: same identity from the same address and port. */
    Stream<IkeSa> sameClient(IkeSa ike) {
        List<IkeSa> there = establishedAt.get(ike.peer);
        if (there == null) return Stream.empty();
        return List.copyOf(there).stream().filter(o -> o != ike && o.established() && o.peerIdText.equals(ike.peerIdText));
    }

    /** {@code ike} and the other established SAs of its client (phase 1 rekeyed and its older SA not yet gone). */
    List<IkeSa> clientOf(IkeSa ike) {
        return Stream.concat(Stream.of(ike), sameClient(ike)).toList();
    }

    /**
     * Whether an established SA is at {@code peer}: a client rekeying phase 1 sends from where its SA is (UDP/4500
     * behind NAT, through the same mapping); a new client, even behind the same NAT, comes from another address or
     * port.
     */
    boolean hasEstablishedSa(InetSocketAddress peer) {
        return establishedAt.containsKey(peer);
    }

    /**
     * The IPsec state of a client by its outer address and port: its newest established ISAKMP SA with the child
     * SAs it holds; a same-address SA when no port matches (the client floated); empty for plain L2TP.
     */
    Optional<IpsecInfo> ipsecOf(InetSocketAddress peer, ChildSas childSas, long nowNanos) {
        IkeSa best = null;
        boolean bestPortMatch = false;
        for (IkeSa ike : sas.values()) {
            if (!ike.established() || !ike.peer.getAddress().equals(peer.getAddress())) continue;
            boolean portMatch = ike.peer.getPort() == peer.getPort();
            if (best == null || portMatch && !bestPortMatch
                    || portMatch == bestPortMatch && ike.createdNanos > best.createdNanos) {
                best = ike;
                bestPortMatch = portMatch;
            }
        }
        if (best == null) return Optional.empty();
        List<IpsecInfo.Child> children = new ArrayList<>();
        for (ChildSa c : childSas.of(best)) children.add(new IpsecInfo.Child(c.inboundSpi(), c.outboundSpi(), c.label()));
        return Optional.of(new IpsecInfo(best.tag.substring("ike=".length()), best.proposal.label(),
                best.aggressive ? "aggressive" : "main", best.natT != IkeSa.NatT.NONE, best.peerIdText,
                Duration.ofNanos(nowNanos - best.createdNanos), List.copyOf(children), best.proposal.group().label(),
                best.announced != null ? best.announced.names() : List.of()));
    }
}
