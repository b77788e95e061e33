package net.l2sec.dataplane.ppp.auth;

import net.l2sec.dataplane.WireCode;

/** RFC 3748 section 4 EAP packets; the Type of a Request or Response is kept as received ({@link EapType}). */
public sealed interface EapPacket {
    int identifier();

    /** The Code field (RFC 3748 section 4). */
    enum Code implements WireCode {
        REQUEST, RESPONSE, SUCCESS, FAILURE;

        /** The codes run from 1 in this order (RFC 3748 section 4). */
        @Override
        public int code() {
            return ordinal() + 1;
        }
    }

    /** Code 1: Type (section 5) and Type-Data. */
    record Request(int identifier, int type, byte[] typeData) implements EapPacket {}

    /** Code 2. {@code typeData} may hold a challenge response: never logged. */
    record Response(int identifier, int type, byte[] typeData) implements EapPacket {
        @Override
        public String toString() {
            return "Response[identifier=" + identifier + ", type=" + type + "]";
        }
    }

    /** Code 3. */
    record Success(int identifier) implements EapPacket {}

    /** Code 4. */
    record Failure(int identifier) implements EapPacket {}
}
