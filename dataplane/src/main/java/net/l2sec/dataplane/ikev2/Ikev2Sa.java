package net.l2sec.dataplane.ikev2;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import net.l2sec.dataplane.auth.eap.EapAuthenticator;
import net.l2sec.dataplane.ikev2.keymat.EncryptedPayloadProtection;
import net.l2sec.dataplane.ikev2.keymat.IkeSaKeys;
import net.l2sec.dataplane.ikev2.message.Payload;
import net.l2sec.spi.auth.AuthMethod;
import net.l2sec.spi.auth.AuthResult;
import net.l2sec.spi.session.ClientIdentity;
import net.l2sec.spi.session.SessionContext;
import net.l2sec.spi.time.Scheduler;

/**
 * One IKE SA we are the responder of (RFC 7296 section 2): its SPIs, keys, the messages AUTH is computed over,
 * the message IDs of both directions (window size 1, section 2.3), our last response for retransmitted requests,
 * the child SAs and the client's session. Confined to its event loop.
 */
final class Ikev2Sa {
    /** Where the IKE SA is in its life. */
    enum State {
        /** IKE_SA_INIT answered; Diffie-Hellman done; waiting for IKE_AUTH. */
        INIT_DONE,
        /** IKE_AUTH with EAP in progress (section 2.16). */
        EAP,
        /** EAP succeeded; waiting for the client's AUTH computed from the MSK. */
        EAP_DONE,
        /** Authenticated, child SA and session up. */
        ESTABLISHED,
        /** Deleted or replaced by a rekey; kept only to answer late retransmissions, then forgotten. */
        DEAD
    }

    /** A child SA pair (ESP): our inbound SPI, the peer's (our outbound), and what it uses. */
    record Child(int inboundSpi, int outboundSpi, Ikev2Proposals.ChildSuite suite) {}

    final long initiatorSpi;
    final long responderSpi;
    /**
     * True for an IKE SA that replaced another by a rekey we initiated: we are its original initiator then (RFC 7296
     * section 2.18), our SPI is the initiator's, our messages carry the I flag and we use SK_ei/SK_ai.
     */
    final boolean weInitiated;
    final String tag;
    State state = State.INIT_DONE;
    InetSocketAddress peer;
    InetSocketAddress local;
    Ikev2Proposals.IkeSuite suite;
    IkeSaKeys keys;
    EncryptedPayloadProtection.Pair protection;
    byte[] ni;
    byte[] nr;
    /** The IKE_SA_INIT request and our response, as sent (the AUTH payloads sign them, section 2.15). */
    byte[] initRequest;
    byte[] initResponse;
    /** Set by the peer's notifies in IKE_SA_INIT / IKE_AUTH. */
    boolean peerFragmentation;
    boolean peerSignatureHashes;
    boolean peerMobike;
    boolean natDetected;
    /** The next request ID we expect from the peer; the last one's response is kept for its retransmissions. */
    int expectedRequestId;
    int lastResponseId = -1;
    List<byte[]> lastResponse = List.of();
    /** Our own requests (Delete, liveness checks): the next ID, and the outstanding one (-1: none). */
    int nextOwnRequestId;
    int outstandingOwnRequest = -1;
    List<byte[]> outstandingRequest = List.of();
    int ownRetransmissions;
    Scheduler.Timeout ownRetransmitTimer;
    java.util.function.Consumer<List<Payload>> onOwnResponse;
    /** IKE_AUTH state. */
    Payload.Identification idi;
    Payload.Identification idr;
    Payload.Config cfgRequest;
    Payload.Sa childSa;
    Payload.TrafficSelectors tsi;
    Payload.TrafficSelectors tsr;
    byte[] firstAuthRequest;
    EapAuthenticator eap;
    /** The EAP conversation's host (IkeAuth's), which knows the request the next EAP Request answers. */
    Object eapHost;
    /** How the client authenticated: EAP-MSCHAPv2, the PSK or its certificate (the session's method). */
    AuthMethod authMethod;
    /** RFC 5998: we authenticate with the MSK alone (the client asked for it and the policy allows it). */
    boolean eapOnly;
    /** The client said INITIAL_CONTACT (RFC 7296 section 2.4): its older sessions are gone. */
    boolean initialContact;
    AuthResult.Accept accepted;
    byte[] msk;
    SessionContext context;
    ClientIdentity client = ClientIdentity.NONE;
    RemoteAccess.Session session;
    /** Fragments of the request being reassembled (RFC 7383 section 2.6), by number; null when none. */
    byte[][] fragments;
    int fragmentsMessageId;
    int fragmentsFirstInner;
    int fragmentOctets;
    final List<Child> children = new ArrayList<>(2);
    long lastInboundNanos;
    /** A request is being worked on (backend, crypto): its retransmissions are not processed again. */
    boolean processing;
    /** Replaced by a rekey: its children and session belong to the new IKE SA. */
    boolean handedOver;
    /** The address IKE_SA_INIT came from (the key of the retransmission map). */
    InetSocketAddress initialPeer;
    Scheduler.Timeout livenessTimer;
    Scheduler.Timeout rekeyTimer;
    /** Our selectors and the client's as IKE_AUTH narrowed them, for the child SAs we create. */
    Payload.TrafficSelectors ourSelectors;
    Payload.TrafficSelectors clientSelectors;
    /** A rekey we initiated is outstanding (IKE SA or child): one at a time. */
    boolean rekeying;
    Scheduler.Timeout timer;
    Scheduler.Timeout lifetimeTimer;

    Ikev2Sa(long initiatorSpi, long responderSpi, InetSocketAddress peer, InetSocketAddress local) {
        this(initiatorSpi, responderSpi, peer, local, String.format("ike2=%016x", responderSpi), false);
    }

    /** @param tag the log tag, kept by the SA that replaces this one in a rekey (ESP groups the child SAs by it) */
    Ikev2Sa(long initiatorSpi, long responderSpi, InetSocketAddress peer, InetSocketAddress local, String tag,
            boolean weInitiated) {
        this.weInitiated = weInitiated;
        this.initiatorSpi = initiatorSpi;
        this.responderSpi = responderSpi;
        this.peer = peer;
        this.local = local;
        this.initialPeer = peer;
        this.tag = tag;
    }

    /** Our SPI: the key the SA is found by. */
    long ourSpi() {
        return weInitiated ? initiatorSpi : responderSpi;
    }

    /** The I flag of our messages on this SA. */
    int ourFlags() {
        return weInitiated ? net.l2sec.dataplane.ikev2.message.Ikev2Header.INITIATOR : 0;
    }

    Child child(int inboundSpi) {
        for (Child c : children) if (c.inboundSpi == inboundSpi) return c;
        return null;
    }

    Child childByOutbound(int outboundSpi) {
        for (Child c : children) if (c.outboundSpi == outboundSpi) return c;
        return null;
    }

    boolean halfOpen() {
        return state != State.ESTABLISHED && state != State.DEAD;
    }

    @Override
    public String toString() {
        return tag + " " + state + " peer=" + peer;
    }
}
