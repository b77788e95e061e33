package net.l2sec.dataplane.ppp.cp;

/** What the automaton tells the layer above and below it (RFC 1661 section 4.4 actions tlu/tld/tls/tlf). */
public interface LayerActions {
    /** Sends one packet of this control protocol. */
    void send(ControlPacket packet);

    /** tlu: the automaton entered Opened. */
    void thisLayerUp();

    /** tld: the automaton left Opened. */
    void thisLayerDown();

    /** tls: the layer needs the lower layer. */
    default void thisLayerStarted() {}

    /** tlf: the layer no longer needs the lower layer (negotiation failed or termination finished). */
    void thisLayerFinished();
}
