package net.l2sec.dataplane.ppp.auth;

import net.l2sec.dataplane.WireCode;

/** RFC 1334 section 2.2 PAP packets. */
public sealed interface PapPacket {
    int identifier();

    /** The Code field (RFC 1334 section 2.2). */
    enum Code implements WireCode {
        AUTHENTICATE_REQUEST, AUTHENTICATE_ACK, AUTHENTICATE_NAK;

        /** The codes run from 1 in this order (RFC 1334 section 2.2). */
        @Override
        public int code() {
            return ordinal() + 1;
        }
    }

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
