package net.l2sec.dataplane.ip.nd;

import java.util.List;

/** The router-discovery messages of Neighbor Discovery (RFC 4861 section 4.1 and 4.2): ICMPv6 types 133 and 134. */
public sealed interface NdMessage {
    int ROUTER_SOLICITATION = 133;
    int ROUTER_ADVERTISEMENT = 134;

    List<NdOption> options();

    record RouterSolicitation(List<NdOption> options) implements NdMessage {
        public RouterSolicitation { options = List.copyOf(options); }
    }

    /**
     * @param curHopLimit    hop limit hosts should use, 0 unspecified
     * @param managed        the M flag (DHCPv6 for addresses)
     * @param other          the O flag (DHCPv6 for other configuration)
     * @param preference     the Default Router Preference (RFC 4191 section 2.2)
     * @param routerLifetime seconds this router is a default router, 0 when it is none
     * @param reachableTime  milliseconds, 0 unspecified
     * @param retransTimer   milliseconds, 0 unspecified
     */
    record RouterAdvertisement(int curHopLimit, boolean managed, boolean other, RouterPreference preference,
                               int routerLifetime, long reachableTime,
                               long retransTimer, List<NdOption> options) implements NdMessage {
        public RouterAdvertisement { options = List.copyOf(options); }
    }
}
