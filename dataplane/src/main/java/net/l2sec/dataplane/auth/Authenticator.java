package net.l2sec.dataplane.auth;

import java.util.concurrent.CompletionStage;

/**
 * The authentication SPI the dataplane calls; implemented by the aaa-adapter module (local users, later RADIUS
 * and LDAP). Implementations must not block the caller: blocking work runs on virtual threads and the stage
 * completes there; the dataplane hops back to its event loop itself. A stage that completes exceptionally is
 * treated as {@link RejectReason#BACKEND_ERROR}.
 */
@FunctionalInterface
public interface Authenticator {
    CompletionStage<AuthResult> authenticate(AuthRequest request);
}
