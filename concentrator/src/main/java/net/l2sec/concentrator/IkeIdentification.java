package net.l2sec.concentrator;

import java.util.Optional;
import net.l2sec.dataplane.PppEndpoint;
import net.l2sec.dataplane.PppEndpointFactory;
import net.l2sec.dataplane.PppLink;
import net.l2sec.dataplane.ike.IkeResponder;
import net.l2sec.dataplane.ike.IpsecInfo;
import net.l2sec.spi.session.SessionContext;

/**
 * Completes a new session's client identification before PPP starts (ICCN): the L2TP layer filled in the SCCRQ's
 * Host and Vendor Name, this adds what the worker's IKE responder knows of the ISAKMP SA the call came through, its
 * vendor IDs and Diffie-Hellman group. L2TP and IKE know nothing of each other (no package depends on the other); the
 * two meet here, on the worker's event loop, where the LNS that decrypted the call and the responder that keyed it
 * both live. Without IPsec (lab mode) or without an SA for the peer the context passes unchanged.
 */
final class IkeIdentification implements PppEndpointFactory {
    private final PppEndpointFactory ppp;
    /** Set once IPsec is wired; null without it. */
    private volatile IkeResponder ike;

    IkeIdentification(PppEndpointFactory ppp) {
        this.ppp = ppp;
    }

    void ike(IkeResponder responder) {
        this.ike = responder;
    }

    @Override
    public PppEndpoint open(SessionContext context, PppLink link) {
        return ppp.open(identified(context), link);
    }

    SessionContext identified(SessionContext context) {
        IkeResponder r = ike;
        if (r == null) return context;
        Optional<IpsecInfo> sa = r.ipsecOf(context.peer());
        if (sa.isEmpty()) return context;
        return context.withClient(context.client().withIke(sa.get().vendorIds(), sa.get().dhGroup()));
    }
}
