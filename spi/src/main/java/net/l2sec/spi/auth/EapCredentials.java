package net.l2sec.spi.auth;

/**
 * One EAP Response (RFC 3748 section 4.1) relayed unchanged to a backend that runs the EAP method itself
 * (RADIUS EAP-Message pass-through, RFC 3579). Used only when {@link Authenticator#relaysEap()} is true.
 *
 * @param user      the EAP Identity the peer gave in its first Response
 * @param eapPacket the whole EAP packet (Code, Identifier, Length, Type, Type-Data)
 * @param state     the backend's opaque state from the previous {@link AuthResult.Challenge}, empty in the first round
 */
public record EapCredentials(String user, byte[] eapPacket, byte[] state) implements Credentials {
    public EapCredentials {
        eapPacket = eapPacket.clone();
        state = state.clone();
    }

    @Override
    public byte[] eapPacket() {
        return eapPacket.clone();
    }

    @Override
    public byte[] state() {
        return state.clone();
    }

    @Override
    public String toString() {
        return "EapCredentials[user=" + user + ", length=" + eapPacket.length + "]";
    }
}
