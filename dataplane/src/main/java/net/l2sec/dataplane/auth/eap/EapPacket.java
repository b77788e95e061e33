package net.l2sec.dataplane.auth.eap;

/**
 * RFC 3748 section 4 EAP packets. The Type of a Request or Response is kept as the number received, since a relayed
 * method may be one we do not know ({@link EapType#of}).
 */
public sealed interface EapPacket {
    /** The Identifier field, 0 to 255. */
    int identifier();

    /** Code 1: Type (section 5) and Type-Data. */
    record Request(int identifier, int type, byte[] typeData) implements EapPacket {
        public Request {
            typeData = typeData.clone();
        }

        @Override
        public byte[] typeData() {
            return typeData.clone();
        }

        @Override
        public String toString() {
            return "Request[identifier=" + identifier + ", type=" + type + ", length=" + typeData.length + "]";
        }
    }

    /** Code 2. {@code typeData} may hold a challenge response: never logged. */
    record Response(int identifier, int type, byte[] typeData) implements EapPacket {
        public Response {
            typeData = typeData.clone();
        }

        @Override
        public byte[] typeData() {
            return typeData.clone();
        }

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
