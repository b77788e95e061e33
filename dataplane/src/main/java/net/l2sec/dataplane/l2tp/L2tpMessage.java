package net.l2sec.dataplane.l2tp;

/** A decoded L2TP datagram: either a control message or a data message (RFC 2661 section 3.1). */
public sealed interface L2tpMessage permits ControlMessage, DataMessage {
    int tunnelId();

    int sessionId();
}
