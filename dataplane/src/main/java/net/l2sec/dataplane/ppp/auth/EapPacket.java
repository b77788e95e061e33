package net.l2sec.dataplane.ppp.auth;

/** RFC 3748 section 4 EAP packets. */
public sealed interface EapPacket {
    int identifier();

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
