package net.l2sec.dataplane.ppp.auth;

import net.l2sec.dataplane.WireCode;

/** RFC 1994 section 4 CHAP packets (also carrying MS-CHAPv2, RFC 2759 sections 3 to 6). */
public sealed interface ChapPacket {
    int identifier();

    /** The Code field (RFC 1994 section 4). */
    enum Code implements WireCode {
        CHALLENGE, RESPONSE, SUCCESS, FAILURE;

        /** The codes run from 1 in this order (RFC 1994 section 4). */
        @Override
        public int code() {
            return ordinal() + 1;
        }
    }

    /** Code 1. */
    record Challenge(int identifier, byte[] value, byte[] name) implements ChapPacket {}

    /** Code 2. {@code value} is never logged. */
    record Response(int identifier, byte[] value, byte[] name) implements ChapPacket {
        @Override
        public String toString() {
            return "Response[identifier=" + identifier + ", value=<redacted>]";
        }
    }

    /** Code 3. */
    record Success(int identifier, String message) implements ChapPacket {}

    /** Code 4. */
    record Failure(int identifier, String message) implements ChapPacket {}
}
