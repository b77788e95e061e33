package net.l2sec.spi.auth;

import java.util.Optional;

/** The outcome of an {@link AuthRequest}. */
public sealed interface AuthResult {

    /**
     * @param user                    the canonical user name the backend knows the user by
     * @param authenticatorResponse   MS-CHAPv2 only: the 20-octet AuthenticatorResponse (RFC 2759 section 8.7)
     *                                the concentrator sends as {@code S=<40 hex>}
     * @param authorization           what the user gets
     * @param msk                     the Master Session Key of a key-generating method (RFC 3748 section 7.10):
     *                                for MS-CHAPv2 the 64 octets {@link MsChapV2#eapMsk} describes (local users),
     *                                or MS-MPPE-Recv-Key followed by MS-MPPE-Send-Key from a RADIUS Access-Accept
     *                                (RFC 2548 section 2.4), zero-padded to 64 octets; empty otherwise. IKEv2 signs its
     *                                AUTH payloads with it after EAP (RFC 7296 section 2.16). Never in toString.
     */
    record Accept(String user, Optional<byte[]> authenticatorResponse, Authorization authorization, Optional<byte[]> msk)
            implements AuthResult {
        public Accept {
            msk = msk.map(byte[]::clone);
        }

        /** An accept without an MSK (a method that generates none, or a backend that did not send one). */
        public Accept(String user, Optional<byte[]> authenticatorResponse, Authorization authorization) {
            this(user, authenticatorResponse, authorization, Optional.empty());
        }

        /** A copy of the MSK, which the caller should wipe when done with it. */
        @Override
        public Optional<byte[]> msk() {
            return msk.map(byte[]::clone);
        }

        /** The same accept with {@code authorization} (policy and session limits rewrite it; the MSK stays). */
        public Accept withAuthorization(Authorization authorization) {
            return new Accept(user, authenticatorResponse, authorization, msk);
        }

        /** The same accept with {@code msk}. */
        public Accept withMsk(Optional<byte[]> msk) {
            return new Accept(user, authenticatorResponse, authorization, msk);
        }

        @Override
        public String toString() {
            return "Accept[user=" + user + ", rule=" + authorization.rule() + (msk.isPresent() ? ", msk=<" + msk.get().length + " octets>" : "") + "]";
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
