package net.l2sec.dataplane;

import net.l2sec.spi.session.SessionContext;

/** Starts PPP on a freshly established L2TP session (after ICCN). */
@FunctionalInterface
public interface PppEndpointFactory {
    PppEndpoint open(SessionContext context, PppLink link);
}
