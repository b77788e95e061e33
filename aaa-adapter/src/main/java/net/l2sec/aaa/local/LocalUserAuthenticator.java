package net.l2sec.aaa.local;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import net.l2sec.aaa.ConfigFileException;
import net.l2sec.aaa.LogText;
import net.l2sec.aaa.OverloadReason;
import net.l2sec.spi.auth.AuthMethod;
import net.l2sec.spi.auth.AuthRequest;
import net.l2sec.spi.auth.AuthResult;
import net.l2sec.spi.auth.Authenticator;
import net.l2sec.spi.auth.Authorization;
import net.l2sec.spi.auth.ChapCredentials;
import net.l2sec.spi.auth.Credentials;
import net.l2sec.spi.auth.MsChapV2;
import net.l2sec.spi.auth.MsChapV2Credentials;
import net.l2sec.spi.auth.PapCredentials;
import net.l2sec.spi.auth.ProvenIdentity;
import net.l2sec.spi.auth.RejectReason;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticates against the local user file ({@link LocalUsers} documents the format and which stored form
 * verifies which PPP method). Each check runs on its own virtual thread and the returned stage completes there.
 * Checks of a deliberately slow stored form (PBKDF2) wait for a slot of the {@link VerificationLimit}; one it refuses
 * is rejected as {@link RejectReason#BACKEND_TIMEOUT} (the backend could not answer now) without verifying anything.
 * An accepted user gets {@link Authorization#defaults(String) defaults("local")}; an accepted MS-CHAPv2 response
 * also its MSK ({@link MsChapV2#eapMsk}), which IKEv2 needs after EAP-MSCHAPv2.
 *
 * <p>Decision order: unknown user, disabled account, method the stored form cannot verify, then the
 * constant-time credential check. An MS-CHAPv2 name with a {@code DOMAIN\} prefix that is not itself a user is
 * looked up without the prefix (RFC 2759 section 8.2 hashes it that way too).
 *
 * <p>IKEv2 PSK and certificate clients ({@link ProvenIdentity}): IKE has verified them, so only the first two
 * checks apply: a user of the file who is not disabled is accepted whatever form their secret is stored in (no
 * secret is read), with the same authorization a password accept gives. A {@code DOMAIN\} prefix is treated as for
 * MS-CHAPv2; a {@code user@realm} name is looked up as it is, like every other name.
 */
public final class LocalUserAuthenticator implements Authenticator {
    /** The {@link Authorization#rule()} of every accept. */
    public static final String RULE = "local";

    private static final Logger log = LoggerFactory.getLogger(LocalUserAuthenticator.class);

    private final LocalUsers users;
    private final VerificationLimit limit;
    /** One new virtual thread per check. */
    private final Executor executor = command -> Thread.ofVirtual().name("aaa-local").start(command);

    /** @param limit shared by every authenticator of the process (see {@link VerificationLimit}) */
    public LocalUserAuthenticator(LocalUsers users, VerificationLimit limit) {
        this.users = users;
        this.limit = limit;
    }

    /** Loads {@code file}; see {@link LocalUsers#parse(Path)}. */
    public static LocalUserAuthenticator load(Path file, VerificationLimit limit) throws ConfigFileException {
        LocalUsers users = LocalUsers.parse(file);
        log.info("loaded {} local users from {}", users.size(), file);
        return new LocalUserAuthenticator(users, limit);
    }

    /** Loads {@code file} with a limit of its own, one slot per processor (tools and tests; the concentrator shares one). */
    public static LocalUserAuthenticator load(Path file) throws ConfigFileException {
        return load(file, VerificationLimit.perProcessor(new SimpleMeterRegistry()));
    }

    @Override
    public CompletionStage<AuthResult> authenticate(AuthRequest request) {
        return CompletableFuture.supplyAsync(() -> {
            AuthResult result = decide(request.method(), request.credentials());
            if (request.credentials() instanceof ProvenIdentity proven) {
                // the password paths leave the log line to the policy; an authorization without a secret names
                // what proved the identity, for the operator who wonders why no password was asked
                log.info("local authorize session={} user={} method={} evidence={} {}", request.session().tag(),
                        LogText.escape(proven.user()), request.method().configName(), LogText.escape(proven.evidence()),
                        describe(result));
            }
            return result;
        }, executor);
    }

    /** The decision itself, on the calling thread. */
    AuthResult decide(AuthMethod method, Credentials credentials) {
        Optional<LocalUser> found = users.find(credentials.user());
        if (found.isEmpty() && !withoutDomain(credentials.user()).equals(credentials.user())
                && (credentials instanceof MsChapV2Credentials || credentials instanceof ProvenIdentity)) {
            found = users.find(withoutDomain(credentials.user()));
        }
        if (found.isEmpty()) return new AuthResult.Reject(RejectReason.UNKNOWN_USER, "no such local user");
        LocalUser user = found.get();
        if (user.disabled()) {
            return new AuthResult.Reject(RejectReason.ACCOUNT_DISABLED, "disabled in " + users.file() + ":" + user.line());
        }
        if (credentials instanceof ProvenIdentity || !method.ppp()) {
            if (!(credentials instanceof ProvenIdentity) || method.ppp()) {
                return new AuthResult.Reject(RejectReason.PEER_PROTOCOL,
                        method.configName() + " request carried " + credentials.getClass().getSimpleName());
            }
            // IKE verified the AUTH payload (RFC 7296 section 2.15): nothing of the stored secret is checked
            return verdict(user, true, Optional.empty());
        }
        if (!user.secret().methods().contains(method)) {
            return new AuthResult.Reject(RejectReason.METHOD_UNSUPPORTED,
                    method.configName() + " cannot be verified against a stored " + user.secret().scheme() + " secret");
        }
        return switch (credentials) {
            case PapCredentials pap when method == AuthMethod.PAP && user.secret().slow() ->
                    limit.run(() -> user.secret().matchesPassword(pap.password()))
                            .map(ok -> verdict(user, ok, Optional.empty()))
                            .orElseGet(() -> new AuthResult.Reject(RejectReason.BACKEND_TIMEOUT,
                                    "too many password verifications at once (" + OverloadReason.BACKEND_BUSY.tag() + ")"));
            case PapCredentials pap when method == AuthMethod.PAP ->
                    verdict(user, user.secret().matchesPassword(pap.password()), Optional.empty());
            case ChapCredentials chap when method == AuthMethod.CHAP_MD5 || method == AuthMethod.EAP_MD5 ->
                    verdict(user, user.secret() instanceof StoredSecret.Plain p && chap.verify(p.password()), Optional.empty());
            case MsChapV2Credentials ms when method == AuthMethod.MSCHAPV2 || method == AuthMethod.EAP_MSCHAPV2 -> {
                byte[] ntHash = switch (user.secret()) {
                    case StoredSecret.Plain p -> p.ntHash();
                    case StoredSecret.NtHash n -> n.hash();
                    case StoredSecret.Pbkdf2Sha256 _ -> throw new AssertionError("methods() excludes MS-CHAPv2");
                };
                Optional<byte[]> s = ms.verify(ntHash);
                AuthResult r = verdict(user, s.isPresent(), s);
                // RFC 3079 section 3 keys from the verified response: the MSK EAP-MSCHAPv2 exports (IKEv2 needs it)
                yield r instanceof AuthResult.Accept a ? a.withMsk(Optional.of(MsChapV2.eapMsk(ntHash, ms.ntResponse()))) : r;
            }
            default -> new AuthResult.Reject(RejectReason.PEER_PROTOCOL,
                    method.configName() + " request carried " + credentials.getClass().getSimpleName());
        };
    }

    /** A name without its NetBIOS {@code DOMAIN\} prefix (as {@link MsChapV2Credentials#userNameForHash()}). */
    private static String withoutDomain(String name) {
        return name.substring(name.lastIndexOf('\\') + 1);
    }

    private static String describe(AuthResult result) {
        return switch (result) {
            case AuthResult.Accept a -> "accept user=" + LogText.escape(a.user());
            case AuthResult.Reject r -> "reject reason=" + r.reason().label() + " detail=" + LogText.escape(r.detail());
            case AuthResult.Challenge _ -> "challenge";
        };
    }

    private static AuthResult verdict(LocalUser user, boolean ok, Optional<byte[]> authenticatorResponse) {
        if (!ok) return new AuthResult.Reject(RejectReason.BAD_CREDENTIALS, "wrong password or response");
        return new AuthResult.Accept(user.name(), authenticatorResponse, Authorization.defaults(RULE));
    }

    @Override
    public String toString() {
        return "LocalUserAuthenticator[" + users + "]";
    }
}
