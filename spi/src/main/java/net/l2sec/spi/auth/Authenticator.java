package net.l2sec.spi.auth;

import java.util.concurrent.CompletionStage;

/**
 * The authentication SPI the dataplane calls; implemented by the aaa-adapter module (local users, RADIUS, LDAP and
 * the policy that routes methods to them and turns groups into authorization). Implementations must not block the caller: blocking work runs on virtual threads and the stage
 * completes there; the dataplane hops back to its event loop itself. A stage that completes exceptionally is
 * treated as {@link RejectReason#BACKEND_ERROR}.
 */
public interface Authenticator {
    CompletionStage<AuthResult> authenticate(AuthRequest request);

    /**
     * True when EAP is relayed to this backend (RADIUS EAP-Message pass-through): the dataplane then asks only
     * for the EAP Identity and hands every later EAP Response over as {@link EapCredentials}; the backend answers
     * {@link AuthResult.Challenge} until it accepts or rejects. False (the default): the dataplane runs
     * EAP-MSCHAPv2 / EAP-MD5 itself and passes {@link MsChapV2Credentials} / {@link ChapCredentials}.
     */
    default boolean relaysEap() {
        return false;
    }
}
