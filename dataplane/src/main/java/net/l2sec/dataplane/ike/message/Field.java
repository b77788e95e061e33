package net.l2sec.dataplane.ike.message;

/**
 * One field of a payload body in wire order, naming the record component it carries. A {@link Layout} is a list
 * of these; {@link LayoutCodec} reads and writes any layout (strongSwan's encoding rules, as data).
 */
sealed interface Field {
    /** An unsigned integer of 1, 2 or 4 octets held in an {@code int} component. */
    record Uint(String component, int octets) implements Field {
    }

    /** Octets that are zero when sent and ignored when received. */
    record Reserved(int octets) implements Field {
    }

    /** The octet length of the {@code byte[]} component, which follows later as {@link Sized}. */
    record LengthOf(String component, int octets) implements Field {
    }

    /** The element count of the list component, which follows later. */
    record CountOf(String component, int octets) implements Field {
    }

    /** A {@code byte[]} component whose length was given by its {@link LengthOf}. */
    record Sized(String component) implements Field {
    }

    /** A {@code byte[]} component taking the rest of the body. */
    record Rest(String component) implements Field {
    }

    /** A {@code List<byte[]>} with the count of its {@link CountOf} and each element as long as an int component. */
    record SizedList(String component, String sizeComponent) implements Field {
    }

    /**
     * A {@code List} of substructures, each with a generic header whose next-payload code is {@code type} except
     * for the last (0): proposals in an SA, transforms in a proposal (counted by a {@link CountOf} if present).
     */
    record Substructures(String component, Layout element, int type) implements Field {
    }

    /** A {@code List<Attribute>} taking the rest of the body (RFC 2408 section 3.3). */
    record Attributes(String component) implements Field {
    }

    /** A component not on the wire, fixed by the payload type (the draft flag of NAT-D and NAT-OA). */
    record Fixed(String component, Object value) implements Field {
    }
}
