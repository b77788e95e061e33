package net.l2sec.dataplane.ipsec;

import java.net.InetSocketAddress;

/**
 * ESP's SA database as IKE sees it. Called on the dataplane event loop only.
 *
 * <p>Transport mode ({@link #install}) carries L2TP for IKEv1 clients; tunnel mode ({@link #installTunnel}) carries
 * an IKEv2 client's IP packets (RFC 4303 section 3.1.2). The tunnel-mode methods have defaults that refuse, so that
 * a transport-only table (a test's fake) need not implement them; {@code EspEndpoint} implements all.
 */
public interface ChildSaTable {
    /** Installs both directions; from now on ESP with {@code spec.inboundSpi()} is accepted from {@code spec.peer()}. */
    void install(ChildSaSpec spec);

    /** Deletes the pair whose inbound SPI is {@code inboundSpi} (Delete payload, rekey done, IKE SA gone). */
    void remove(int inboundSpi, String cause);

    /** Deletes every child SA of a peer (INITIAL-CONTACT, DPD dead, IKE SA deleted). */
    void removeAll(String ikeSaTag, String cause);

    /** True when inbound traffic arrived on the SA since {@code sinceNanos} (for DPD: no need to probe a live peer). */
    boolean inboundSince(int inboundSpi, long sinceNanos);

    /**
     * Installs both directions of a tunnel-mode pair: inbound packets with {@code spec.inboundSpi()} from
     * {@code spec.peer()} carry whole IP packets, which go to {@code end}; {@link #tunnelSender} of
     * {@code spec.ikeSaTag()} sends with the newest pair installed for that tag. {@code spec.peerL2tpPort()} is
     * ignored (pass 0). The spec's KEYMAT is wiped.
     */
    default void installTunnel(ChildSaSpec spec, TunnelEnd end) {
        spec.wipe();
        throw new UnsupportedOperationException("this SA table carries transport mode only");
    }

    /**
     * The stable handle that sends to the client of the IKE SA {@code ikeSaTag} through its newest outbound
     * tunnel-mode SA; valid for the IKE SA's whole life (sends fail while it has no tunnel SA).
     */
    default TunnelSender tunnelSender(String ikeSaTag) {
        throw new UnsupportedOperationException("this SA table carries transport mode only");
    }

    /**
     * MOBIKE (RFC 4555 section 3.5, UPDATE_SA_ADDRESSES): every SA of the IKE SA {@code ikeSaTag} now reaches the
     * peer at {@code peer}, from our {@code local}; inbound ESP is accepted from the new address only.
     */
    default void movePeer(String ikeSaTag, InetSocketAddress peer, InetSocketAddress local) {
        throw new UnsupportedOperationException("this SA table does not move peers");
    }
}
