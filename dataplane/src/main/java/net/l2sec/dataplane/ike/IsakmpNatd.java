package net.l2sec.dataplane.ike;

import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.List;
import net.l2sec.dataplane.ike.message.Payload;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * NAT-D task of Main Mode messages 3 and 4 and Aggressive Mode messages 2 and 3 (RFC 3947 section 3.2):
 * HASH = hash(CKY-I | CKY-R | IP | Port) with the negotiated hash. Forced encapsulation: the NAT-D we send for
 * the PEER's address never matches, so every peer concludes that IT is behind a NAT, floats to UDP/4500 and
 * encapsulates ESP, NAT or not (ESP here only speaks UDP encapsulation). Faking the peer's hash rather than our own matters for Windows: a client that
 * believes the SERVER is behind NAT refuses to connect unless its AssumeUDPEncapsulationContextOnSendRule
 * registry value is changed, while a client behind NAT is the case every built-in client supports by default.
 */
final class IsakmpNatd {
    private static final Logger LOG = LoggerFactory.getLogger(IsakmpNatd.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private IsakmpNatd() {
    }

    static byte[] hash(IkeSa sa, InetSocketAddress a) {
        return NatTraversal.natDHash(sa.proposal.hash(), sa.cookies(), a);
    }

    /** Whether the peer's NAT-D payloads show that it is behind a NAT (none of its hashes is of its address as we see it). */
    static boolean peerBehindNat(IkeSa sa, List<Payload.NatD> fromPeer) {
        if (fromPeer.size() < 2) return false;
        byte[] seen = hash(sa, sa.peer);
        for (int i = 1; i < fromPeer.size(); i++) if (MessageDigest.isEqual(fromPeer.get(i).hash(), seen)) return false;
        return true;
    }

    /** Logs what the peer's NAT-D payloads say (we force encapsulation either way). */
    static void logPeerBehindNat(IkeSa sa, List<Payload.NatD> fromPeer) {
        if (LOG.isDebugEnabled()) {
            LOG.debug("{} peer={} nat-t peer-behind-nat={}", sa.tag, sa.peerText(), peerBehindNat(sa, fromPeer));
        }
    }

    /**
     * Our NAT-D payloads (Main Mode message 4, Aggressive Mode message 2) (RFC 3947 section 3.2: first the remote end, the peer, then our own address): a
     * deliberately wrong hash for the peer, then the true hash of our address.
     */
    static List<Payload> build(IkeSa sa) {
        boolean draft = sa.natT == IkeSa.NatT.DRAFT;
        byte[] fake = new byte[sa.proposal.hash().length()];
        RANDOM.nextBytes(fake);
        return List.of(new Payload.NatD(draft, fake), new Payload.NatD(draft, hash(sa, sa.local)));
    }
}
