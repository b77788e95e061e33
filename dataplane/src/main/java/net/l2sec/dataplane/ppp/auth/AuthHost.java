package net.l2sec.dataplane.ppp.auth;

import java.util.function.Consumer;
import java.util.random.RandomGenerator;
import net.l2sec.spi.auth.AuthMethod;
import net.l2sec.spi.auth.AuthResult;
import net.l2sec.spi.auth.Credentials;
import net.l2sec.spi.auth.RejectReason;
import net.l2sec.dataplane.ppp.frame.PppProtocol;
import net.l2sec.spi.time.Scheduler;

/** What an authentication protocol needs from the PPP session it runs in. */
public interface AuthHost {
    /** Sends one packet of {@code protocol} to the peer. */
    void send(PppProtocol protocol, byte[] packet);

    /**
     * Asks the backend about {@code credentials}, whose user is {@code name} as the peer sent it (octets, so that
     * the host can check them as a {@link UserName}). The host may refuse first, without asking the backend: an
     * invalid name, a name or tunnel throttled after failures; it may also refuse the backend's accept (another
     * user than the session's, the user's session limit). Either way {@code onResult} gets the decision, later, on
     * the session's event loop, and not at all if the session ended or the authentication phase timed out
     * meanwhile. The host logs and counts the decision.
     */
    void verify(AuthMethod method, byte[] name, Credentials credentials, Consumer<AuthResult> onResult);

    /**
     * The protocol refuses the peer itself, for {@code reason} (an EAP-MSCHAPv2 Name that is not the EAP
     * Identity): counted and logged by the host, and handed to {@code onResult} later, as a backend's answer would be.
     */
    void refuse(AuthMethod method, byte[] name, RejectReason reason, String detail, Consumer<AuthResult> onResult);

    /** The exchange finished with success; the peer has been told. */
    void authenticated(AuthMethod method, AuthResult.Accept accept);

    /** The exchange finished without success: the peer has been told it failed. */
    void authenticationFailed(AuthMethod method);

    /** The peer refused every method we still offer (EAP Nak, RFC 3748 section 5.3.1); it has been told. */
    void noCommonMethod(AuthMethod method);

    /** A packet that violates the protocol's format, discarded. */
    void malformed(PppProtocol protocol);

    Scheduler scheduler();

    RandomGenerator random();
}
