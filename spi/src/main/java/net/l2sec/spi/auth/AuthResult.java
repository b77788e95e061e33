package net.l2sec.spi.auth;

import java.util.Optional;

/** The outcome of an {@link AuthRequest}. */
public sealed interface AuthResult {

    /**
     * @param user                    the canonical user name the backend knows the user by
     * @param authenticatorResponse   MS-CHAPv2 only: the 20-octet AuthenticatorResponse (RFC 2759 section 8.7)
     *                                the concentrator sends as {@code S=<40 hex>}
     * @param authorization           what the user gets
     */
    record Accept(String user, Optional<byte[]> authenticatorResponse, Authorization authorization) implements AuthResult {
        @Override
        public String toString() {
            return "Accept[user=" + user + ", rule=" + authorization.rule() + "]";
        }
    }

    /**
     * @param reason why, for metrics and the log
     * @param detail a short operator-facing explanation, never containing secret material
     */
    record Reject(RejectReason reason, String detail) implements AuthResult {}

    /**
     * EAP pass-through only: the backend continues the EAP conversation. The dataplane sends {@code eapPacket}
     * (an EAP Request) to the peer unchanged and calls the backend again with the peer's Response and
     * {@code state} (RADIUS Access-Challenge, RFC 3579 section 2.6.1).
     */
    record Challenge(byte[] eapPacket, byte[] state) implements AuthResult {
        public Challenge {
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
            return "Challenge[length=" + eapPacket.length + "]";
        }
    }
}
