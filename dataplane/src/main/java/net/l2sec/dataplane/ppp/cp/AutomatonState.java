package net.l2sec.dataplane.ppp.cp;

/** The ten states of the RFC 1661 section 4.2 option negotiation automaton. */
public enum AutomatonState {
    INITIAL, STARTING, CLOSED, STOPPED, CLOSING, STOPPING, REQ_SENT, ACK_RCVD, ACK_SENT, OPENED;

    /** States in which the Restart timer runs (section 4.6). */
    boolean timerRunning() {
        return switch (this) {
            case CLOSING, STOPPING, REQ_SENT, ACK_RCVD, ACK_SENT -> true;
            default -> false;
        };
    }
}
