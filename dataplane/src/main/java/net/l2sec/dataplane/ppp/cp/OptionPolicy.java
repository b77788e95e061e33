package net.l2sec.dataplane.ppp.cp;

import java.util.List;

/** The per-protocol part of option negotiation that the generic automaton plugs in (LCP, IPCP). */
public interface OptionPolicy {
    /** The options of our next Configure-Request. */
    List<ConfigOption> ourRequest();

    /** Judges the peer's Configure-Request (RCR+ when the verdict is Ack). */
    RequestVerdict examine(List<ConfigOption> peerRequest);

    /** The peer acknowledged our request: these values are in force. */
    void acknowledged(List<ConfigOption> options);

    /** The peer sent a Configure-Nak: adapt our next request. */
    void nakReceived(List<ConfigOption> options);

    /** The peer sent a Configure-Reject: stop requesting these options. */
    void rejectReceived(List<ConfigOption> options);

    /** A new negotiation begins (This-Layer-Started or renegotiation): forget what the peer said so far. */
    default void restart() {}
}
