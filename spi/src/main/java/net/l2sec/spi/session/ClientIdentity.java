package net.l2sec.spi.session;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a client said about itself while it set up, gathered from three layers: the L2TP tunnel's SCCRQ (Host Name and
 * Vendor Name AVPs, attribute types 7 and 8, RFC 2661 section 4.4.3), the PPP link (LCP
 * Identification messages, RFC 1570 section 2.1) and the ISAKMP SA it came through (the vendor IDs of its Main or
 * Aggressive Mode message 1, by name, and the Diffie-Hellman group phase 1 agreed). All of it is the peer's own text:
 * shown and logged escaped, never trusted for a decision other than the {@link ClientKind} a metric counts.
 *
 * @param l2tpHostName      the SCCRQ's Host Name, or null when the tunnel sent none
 * @param l2tpVendorName    the SCCRQ's Vendor Name, or null
 * @param lcpIdentification the Identification messages received, in order, without repeats; at most
 *                          {@link #MAX_MESSAGES}
 * @param ikeVendorIds      names of the vendor IDs message 1 carried ({@code rfc3947}, {@code ms-nt5-isakmpoakley/v9},
 *                          {@code strongswan}, {@code vid:01528bbb} (first four octets) for an unknown one); at most
 *                          {@link #MAX_MESSAGES}
 * @param ikeGroup          the phase 1 Diffie-Hellman group, e.g. {@code modp2048}; null without IPsec
 */
public record ClientIdentity(String l2tpHostName, String l2tpVendorName, List<String> lcpIdentification,
                             List<String> ikeVendorIds, String ikeGroup) {
    /** Nothing known: plain L2TP from a peer that named itself nothing. */
    public static final ClientIdentity NONE = new ClientIdentity(null, null, List.of(), List.of(), null);
    /** At most this many LCP Identification messages and vendor ID names are kept. */
    public static final int MAX_MESSAGES = 8;

    public ClientIdentity {
        lcpIdentification = List.copyOf(lcpIdentification);
        ikeVendorIds = List.copyOf(ikeVendorIds);
    }

    /** What the L2TP tunnel's SCCRQ said. */
    public static ClientIdentity ofL2tp(String hostName, String vendorName) {
        return new ClientIdentity(hostName, vendorName, List.of(), List.of(), null);
    }

    public ClientIdentity withIke(List<String> vendorIds, String group) {
        return new ClientIdentity(l2tpHostName, l2tpVendorName, lcpIdentification,
                vendorIds.subList(0, Math.min(vendorIds.size(), MAX_MESSAGES)), group);
    }

    public ClientIdentity withLcpIdentification(List<String> messages) {
        List<String> kept = new ArrayList<>();
        for (String m : messages) if (!kept.contains(m) && kept.size() < MAX_MESSAGES) kept.add(m);
        return new ClientIdentity(l2tpHostName, l2tpVendorName, kept, ikeVendorIds, ikeGroup);
    }

    public ClientKind kind() {
        return ClientKind.of(this);
    }

    /**
     * The client's host name: the L2TP Host Name, else the computer name of a Windows {@code MSRAS-<n>-<name>}
     * Identification message; empty when neither is known.
     */
    public Optional<String> host() {
        if (l2tpHostName != null && !l2tpHostName.isEmpty()) return Optional.of(l2tpHostName);
        for (String m : lcpIdentification) {
            // Windows RAS: MSRAS-<digit>-<computer name>
            if (m.startsWith("MSRAS-") && m.length() > 8 && m.charAt(7) == '-') return Optional.of(m.substring(8));
        }
        return Optional.empty();
    }

    /** The DH group, or {@code none} for a session without IPsec: the metric label. */
    public String ikeGroupLabel() {
        return ikeGroup != null ? ikeGroup : "none";
    }
}
