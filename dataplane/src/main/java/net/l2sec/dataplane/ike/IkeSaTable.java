package net.l2sec.dataplane.ike;

import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The ISAKMP SAs of one responder: by cookie pair, the pair that names an SA (RFC 2408 section 2.5.3), and the
 * half-open ones also by initiator cookie and peer, since a repeated message 1 carries no responder cookie yet;
 * with the counts of half-open and established SAs that the limits and the gauge read. Sends nothing and runs no
 * timer. Event loop only.
 */
final class IkeSaTable {
    private record Cookies(long initiator, long responder) {
    }

    private final SecureRandom random;
    private final Map<Cookies, IkeSa> sas = new HashMap<>();
    /** Half-open SAs by initiator cookie and peer, to answer a repeated message 1. */
    private final Map<String, IkeSa> halfOpenByInitiator = new HashMap<>();
    private int halfOpen;
    private int established;

    IkeSaTable(SecureRandom random) {
        this.random = random;
    }

    /** A fresh responder cookie: non-zero, and its high half (the SA's log tag) unlike any SA's here. */
    long newCookie() {
        while (true) {
            long c = random.nextLong();
            if (c == 0) continue;
            boolean tagTaken = sas.keySet().stream().anyMatch(k -> k.responder() >>> 32 == c >>> 32);
            if (!tagTaken) return c;
        }
    }

    /** A new, half-open SA. */
    void add(IkeSa ike) {
        sas.put(new Cookies(ike.initiatorCookie, ike.responderCookie), ike);
        halfOpenByInitiator.put(initiatorKey(ike.initiatorCookie, ike.peer), ike);
        halfOpen++;
    }

    IkeSa find(long initiatorCookie, long responderCookie) {
        return sas.get(new Cookies(initiatorCookie, responderCookie));
    }

    /** The half-open SA a message 1 with this initiator cookie from {@code peer} made, or null. */
    IkeSa halfOpen(long initiatorCookie, InetSocketAddress peer) {
        return halfOpenByInitiator.get(initiatorKey(initiatorCookie, peer));
    }

    /** {@code ike} completed phase 1: no longer half-open. */
    void established(IkeSa ike) {
        halfOpen--;
        established++;
        halfOpenByInitiator.remove(initiatorKey(ike.initiatorCookie, ike.peer));
        halfOpenByInitiator.values().remove(ike); // its message 1 may have come from where it no longer is
    }

    /** Forgets {@code ike}; called while it still has the state it ends in. */
    void remove(IkeSa ike) {
        if (ike.established()) {
            established--;
        } else {
            halfOpen--;
            halfOpenByInitiator.values().remove(ike);
        }
        sas.remove(new Cookies(ike.initiatorCookie, ike.responderCookie));
    }

    int halfOpen() {
        return halfOpen;
    }

    int established() {
        return established;
    }

    List<IkeSa> all() {
        return List.copyOf(sas.values());
    }

    /** Other established SAs of the same client: same identity from the same address and port. */
    Stream<IkeSa> sameClient(IkeSa ike) {
        return sas.values().stream().filter(o -> o != ike && o.established() && o.peerIdText.equals(ike.peerIdText)
                && o.peer.equals(ike.peer));
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
        for (IkeSa ike : sas.values()) if (ike.established() && ike.peer.equals(peer)) return true;
        return false;
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
                Duration.ofNanos(nowNanos - best.createdNanos), List.copyOf(children)));
    }

    private static String initiatorKey(long cookie, InetSocketAddress peer) {
        return Long.toHexString(cookie) + "/" + peer;
    }
}
