package net.l2sec.dataplane;

/** Starts PPP on a freshly established L2TP session (after ICCN). */
@FunctionalInterface
public interface PppEndpointFactory {
    PppEndpoint open(SessionContext context, PppLink link);
}
