package net.l2sec.dataplane.ppp.auth;

/** RFC 1334 section 2.2 PAP packets. */
public sealed interface PapPacket {
    int identifier();

    /** Code 1. {@code password} is secret: never logged. */
    record AuthenticateRequest(int identifier, byte[] peerId, byte[] password) implements PapPacket {
        @Override
        public String toString() {
            return "AuthenticateRequest[identifier=" + identifier + ", password=<redacted>]";
        }
    }

    /** Code 2. */
    record AuthenticateAck(int identifier, String message) implements PapPacket {}

    /** Code 3. */
    record AuthenticateNak(int identifier, String message) implements PapPacket {}
}
