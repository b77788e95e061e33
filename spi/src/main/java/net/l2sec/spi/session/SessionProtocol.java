package net.l2sec.spi.session;

import java.util.Locale;

/**
 * What carries a client's session: L2TP with PPP inside transport-mode ESP (IKEv1 clients), or the client's IP
 * packets straight inside tunnel-mode ESP (IKEv2 remote access, RFC 7296 with RFC 4303 section 3.1.2). Accounting
 * reports it (Tunnel-Type, RFC 2868 section 3.1), the admin interface shows it, metrics carry it as the
 * {@code protocol} label ({@link #label()}).
 */
public enum SessionProtocol {
    /** L2TP (RFC 2661) and PPP over IKEv1-keyed transport-mode ESP. */
    L2TP(3),
    /** An IKEv2 SA and its tunnel-mode ESP child SAs; no L2TP, no PPP. */
    IKEV2(9);

    private final int tunnelType;

    SessionProtocol(int tunnelType) {
        this.tunnelType = tunnelType;
    }

    /** RFC 2868 section 3.1 Tunnel-Type: 3 L2TP, 9 ESP. */
    public int tunnelType() {
        return tunnelType;
    }

    /** Lower-case name for metric labels, logs and the admin interface. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
