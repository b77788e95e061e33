package net.l2sec.dataplane.ipsec;

/**
 * ESP's SA database as IKE sees it. Called on the dataplane event loop only.
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
}
