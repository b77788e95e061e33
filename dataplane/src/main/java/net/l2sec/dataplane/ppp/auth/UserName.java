package net.l2sec.dataplane.ppp.auth;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * What PPP accepts as a user name, wherever the peer presents one (PAP Peer-ID, CHAP and MS-CHAPv2 Name, EAP
 * Identity, the Name in an EAP-MSCHAPv2 Response) and wherever a backend returns one: 1 to 253 octets (what a
 * RADIUS User-Name can carry, RFC 2865 section 5.1; a longer one could not be accounted), well-formed UTF-8 (RFC
 * 3629, the encoding RFC 2865 gives User-Name), and no control character: C0, DEL or C1 (a newline would split an
 * accounting record or a log line). The name goes on exactly as its octets decode; nothing is normalised or cut.
 */
public final class UserName {
    /** RFC 2865 section 5.1: an attribute's value is at most 253 octets. */
    public static final int MAX_OCTETS = 253;

    private UserName() {}

    /** Why {@code octets} is not a user name, or empty when it is one. */
    public static Optional<String> problem(byte[] octets) {
        if (octets.length == 0) return Optional.of("empty");
        if (octets.length > MAX_OCTETS) return Optional.of(octets.length + " octets, more than " + MAX_OCTETS);
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(octets)).toString();
        } catch (CharacterCodingException e) {
            return Optional.of("not UTF-8");
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isISOControl(c)) return Optional.of(String.format("control character U+%04X", (int) c));
        }
        return Optional.empty();
    }

    /** {@link #problem} for a name given as text (a backend's): its UTF-8 octets. */
    public static Optional<String> problem(String name) {
        return problem(name.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The text of {@code octets} for credentials and logs: exact for a valid name; an invalid one decodes with
     * U+FFFD in place of malformed octets and must not go further than a log line (through {@code LogText}).
     */
    public static String text(byte[] octets) {
        return new String(octets, StandardCharsets.UTF_8);
    }
}
