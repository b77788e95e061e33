package net.l2sec.aaa.ldap;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import net.l2sec.aaa.GroupDirectory;
import net.l2sec.aaa.LogText;
import net.l2sec.aaa.ldap.LdapServer.OperationFailed;
import net.l2sec.aaa.ldap.LdapServer.ServerDown;
import net.l2sec.spi.auth.AuthRequest;
import net.l2sec.spi.auth.AuthResult;
import net.l2sec.spi.auth.Authenticator;
import net.l2sec.spi.auth.Authorization;
import net.l2sec.spi.auth.PapCredentials;
import net.l2sec.spi.auth.ProvenIdentity;
import net.l2sec.spi.auth.RejectReason;
import org.apache.directory.api.ldap.model.entry.Attribute;
import org.apache.directory.api.ldap.model.entry.Entry;
import org.apache.directory.api.ldap.model.entry.Value;
import org.apache.directory.api.ldap.model.message.LdapResult;
import org.apache.directory.api.ldap.model.message.ResultCodeEnum;
import org.apache.directory.api.ldap.model.message.SearchScope;
import org.apache.directory.ldap.client.api.LdapConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PAP against an LDAP directory, Active Directory first: the service account searches the user
 * ({@link LdapSettings#userFilter()}), then a separate connection binds as the user's DN with the password
 * (RFC 4513 section 5.1.3). The user's groups, nested included, go into {@link Authorization#groups()} and are
 * also served to other backends as a {@link GroupDirectory}. Work runs on virtual threads.
 *
 * <p>IKEv2 clients that IKE authenticated with the pre-shared key or a certificate ({@link ProvenIdentity}) are
 * authorized without a bind (there is no password): the service account searches the user with the same filter,
 * refuses a disabled, expired or locked-out account ({@link AccountState#problemWithoutPassword}) and resolves the
 * groups as for PAP.
 *
 * <p>Servers are tried in {@link LdapSettings#urls()} order; one that cannot be reached, times out or refuses the
 * service account is skipped for {@link LdapSettings#deadTime()}.
 */
public final class LdapAuthenticator implements Authenticator, GroupDirectory, AutoCloseable {
    /** The {@link Authorization#rule()} of every accept. */
    public static final String RULE = "ldap";
    static final String PAP_ONLY = "LDAP verifies PAP only; route MS-CHAPv2/CHAP/EAP to RADIUS";
    static final String PROVEN_ONLY_IKEV2 = "a proven identity (no password) is authorized for ikev2-psk and ikev2-certificate only";
    /** How deep {@link GroupMode#MEMBER_OF_WALK} follows nested groups. */
    static final int MAX_GROUP_DEPTH = 16;

    private static final Logger log = LoggerFactory.getLogger(LdapAuthenticator.class);
    private static final String[] GROUP_ATTRIBUTES = {"1.1"};

    private final LdapSettings settings;
    private final List<LdapServer> servers;
    private final Clock clock;
    private final String[] userAttributes;
    private final Executor executor = command -> Thread.ofVirtual().name("aaa-ldap").start(command);

    /**
     * @throws IOException              the trusted-certificates file cannot be read
     * @throws GeneralSecurityException it holds no usable certificate
     */
    public LdapAuthenticator(LdapSettings settings, MeterRegistry registry) throws IOException, GeneralSecurityException {
        this(settings, registry, Clock.systemUTC());
    }

    LdapAuthenticator(LdapSettings settings, MeterRegistry registry, Clock clock) throws IOException, GeneralSecurityException {
        this.settings = settings;
        this.clock = clock;
        TlsTrust trust = TlsTrust.load(settings.trustedCertificates());
        List<LdapServer> list = new ArrayList<>();
        for (URI u : settings.urls()) list.add(new LdapServer(u, settings, trust, registry));
        this.servers = List.copyOf(list);
        List<String> attrs = new ArrayList<>(List.of("sAMAccountName", "uid", "memberOf"));
        attrs.addAll(List.of(AccountState.ATTRIBUTES));
        this.userAttributes = attrs.toArray(String[]::new);
        log.info("ldap backend servers={} baseDn={} groupMode={}", servers.stream().map(LdapServer::name).toList(),
                settings.baseDn(), settings.groupMode());
    }

    @Override
    public CompletionStage<AuthResult> authenticate(AuthRequest request) {
        return switch (request.credentials()) {
            case PapCredentials pap -> CompletableFuture.supplyAsync(() -> authenticatePap(pap), executor);
            case ProvenIdentity proven when !request.method().ppp() -> CompletableFuture.supplyAsync(() -> {
                AuthResult result = authorizeProven(proven);
                log.info("ldap authorize session={} user={} method={} evidence={} {}", request.session().tag(),
                        LogText.escape(proven.user()), request.method().configName(), LogText.escape(proven.evidence()),
                        describe(result));
                return result;
            }, executor);
            case ProvenIdentity _ -> CompletableFuture.completedFuture(new AuthResult.Reject(RejectReason.PEER_PROTOCOL, PROVEN_ONLY_IKEV2));
            default -> CompletableFuture.completedFuture(new AuthResult.Reject(RejectReason.METHOD_UNSUPPORTED, PAP_ONLY));
        };
    }

    @Override
    public CompletionStage<Set<String>> groupsOf(String user) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return lookupGroups(user);
            } catch (LdapUnavailableException e) {
                throw new CompletionException(e);
            }
        }, executor);
    }

    /** The servers in failover order, for tests and the admin view. */
    List<String> serverNames() {
        return servers.stream().map(LdapServer::name).toList();
    }

    // ---------------------------------------------------------------- authentication

    private AuthResult authenticatePap(PapCredentials pap) {
        return onServers(pap.user(), (server, user) -> {
            byte[] password = pap.password();
            try {
                return authenticateOn(server, user, password);
            } finally {
                Arrays.fill(password, (byte) 0);
            }
        });
    }

    /** IKE verified the client: the service account finds the user, checks the account and resolves its groups; no bind. */
    private AuthResult authorizeProven(ProvenIdentity proven) {
        return onServers(proven.user(), (server, user) -> server.withService(c -> {
            Optional<Entry> found = findUser(server, c, user);
            if (found.isEmpty()) return new AuthResult.Reject(RejectReason.UNKNOWN_USER, "unknown user");
            Entry entry = found.get();
            Optional<AuthResult.Reject> problem = accountState(entry).problemWithoutPassword(clock.instant());
            if (problem.isPresent()) return problem.get();
            return accept(entry, user, groupsOfEntry(server, c, entry));
        }));
    }

    /** One attempt of a request on one server, with the user name already normalized. */
    @FunctionalInterface
    private interface Attempt {
        AuthResult on(LdapServer server, String user) throws ServerDown, OperationFailed;
    }

    /**
     * {@code attempt} on the live servers in order, then the dead ones: the first server that answers decides; one
     * that cannot be reached is marked dead and the next is tried; an operation the server refused is a backend error.
     */
    private AuthResult onServers(String presented, Attempt attempt) {
        String user = LdapNames.normalizeUser(presented);
        if (user.isEmpty()) return new AuthResult.Reject(RejectReason.UNKNOWN_USER, "unknown user");
        String lastFailure = "no server tried";
        boolean lastTimeout = false;
        for (LdapServer server : order()) {
            Timer.Sample sample = server.startTimer();
            try {
                AuthResult result = attempt.on(server, user);
                server.markAlive();
                server.record(sample, "auth", resultTag(result));
                if (result instanceof AuthResult.Reject r) {
                    log.debug("ldap auth user={} server={} reject={} detail={}", LogText.escape(user), server.name(),
                            r.reason().label(), LogText.escape(r.detail()));
                }
                return result;
            } catch (ServerDown e) {
                server.recordFailure(sample, "auth", e.timeout);
                server.markDead(e.getMessage());
                lastFailure = server.name() + ": " + e.getMessage();
                lastTimeout = e.timeout;
            } catch (OperationFailed e) {
                server.recordFailure(sample, "auth", e.timeout);
                log.warn("ldap auth user={} server={} failed: {}", LogText.escape(user), server.name(), LogText.escape(e.getMessage()));
                return new AuthResult.Reject(e.timeout ? RejectReason.BACKEND_TIMEOUT : RejectReason.BACKEND_ERROR,
                        LogText.escape(e.getMessage()));
            }
        }
        return new AuthResult.Reject(lastTimeout ? RejectReason.BACKEND_TIMEOUT : RejectReason.BACKEND_ERROR,
                "no LDAP server answered, last: " + LogText.escape(lastFailure));
    }

    private AuthResult authenticateOn(LdapServer server, String user, byte[] password) throws ServerDown, OperationFailed {
        Optional<Entry> found = server.withService(c -> findUser(server, c, user));
        if (found.isEmpty()) return new AuthResult.Reject(RejectReason.UNKNOWN_USER, "unknown user");
        Entry entry = found.get();
        String dn = entry.getDn().getName();
        // RFC 4513 section 5.1.2: a simple bind with a DN and an empty password is an unauthenticated bind, which
        // many servers answer with success. Never send it.
        if (password.length == 0) return new AuthResult.Reject(RejectReason.BAD_CREDENTIALS, "empty password");
        LdapConnection userConnection = server.open();
        LdapResult bound;
        try {
            bound = server.bind(userConnection, dn, password);
        } finally {
            LdapServer.closeQuietly(userConnection);
        }
        if (bound.getResultCode() != ResultCodeEnum.SUCCESS) return bindFailure(bound, accountState(entry));
        Set<String> groups = server.withService(c -> groupsOfEntry(server, c, entry));
        return accept(entry, user, groups);
    }

    /** The accept of {@code entry}: its canonical name (sAMAccountName, else uid, else as searched) and its groups. */
    private static AuthResult.Accept accept(Entry entry, String user, Set<String> groups) {
        String canonical = firstValue(entry, "sAMAccountName").or(() -> firstValue(entry, "uid")).orElse(user);
        Authorization authorization = new Authorization(RULE, Optional.empty(), List.of(), Optional.empty(),
                Optional.empty(), Optional.empty(), List.of(), groups, Optional.empty());
        return new AuthResult.Accept(canonical, Optional.empty(), authorization);
    }

    /**
     * Why a user bind failed: AD's data code when it names a cause; else the account attributes; else a wrong
     * password. Other result codes are backend errors.
     */
    AuthResult.Reject bindFailure(LdapResult result, AccountState state) {
        return bindFailure(result.getResultCode(), result.getDiagnosticMessage(), state, clock);
    }

    static AuthResult.Reject bindFailure(ResultCodeEnum code, String diagnostic, AccountState state, Clock clock) {
        if (code != ResultCodeEnum.INVALID_CREDENTIALS) {
            return new AuthResult.Reject(RejectReason.BACKEND_ERROR, "user bind refused: " + code
                    + (diagnostic == null || diagnostic.isEmpty() ? "" : " " + LogText.escape(diagnostic)));
        }
        Optional<AdBindError> ad = AdBindError.parse(diagnostic);
        if (ad.isPresent() && ad.get() != AdBindError.WRONG_PASSWORD) return ad.get().reject();
        return state.problem(clock.instant()).orElseGet(() -> AdBindError.WRONG_PASSWORD.reject());
    }

    private Optional<Entry> findUser(LdapServer server, LdapConnection c, String user) throws ServerDown, OperationFailed {
        String filter = LdapNames.userFilter(settings.userFilter(), user);
        List<Entry> entries = server.search(c, settings.baseDn(), SearchScope.SUBTREE, filter, 2, false, userAttributes);
        if (entries.size() > 1) {
            throw new OperationFailed("user filter matched more than one entry for user " + user, false);
        }
        return entries.stream().findFirst();
    }

    static AccountState accountState(Entry entry) {
        return new AccountState(longValue(entry, "userAccountControl"), longValue(entry, "msDS-User-Account-Control-Computed"),
                longValue(entry, "lockoutTime"), longValue(entry, "accountExpires"));
    }

    // ---------------------------------------------------------------- groups

    private Set<String> lookupGroups(String presented) throws LdapUnavailableException {
        String user = LdapNames.normalizeUser(presented);
        String lastFailure = "no server tried";
        boolean lastTimeout = false;
        for (LdapServer server : order()) {
            Timer.Sample sample = server.startTimer();
            try {
                Set<String> groups = user.isEmpty() ? Set.of() : server.withService(c -> {
                    Optional<Entry> entry = findUser(server, c, user);
                    return entry.isEmpty() ? Set.<String>of() : groupsOfEntry(server, c, entry.get());
                });
                server.markAlive();
                server.record(sample, "groups", "ok");
                return groups;
            } catch (ServerDown e) {
                server.recordFailure(sample, "groups", e.timeout);
                server.markDead(e.getMessage());
                lastFailure = server.name() + ": " + e.getMessage();
                lastTimeout = e.timeout;
            } catch (OperationFailed e) {
                server.recordFailure(sample, "groups", e.timeout);
                throw new LdapUnavailableException("ldap groups of " + user + " on " + server.name() + ": " + e.getMessage(), e.timeout);
            }
        }
        throw new LdapUnavailableException("no LDAP server answered, last: " + lastFailure, lastTimeout);
    }

    private Set<String> groupsOfEntry(LdapServer server, LdapConnection c, Entry user) throws ServerDown, OperationFailed {
        return switch (settings.groupMode()) {
            case AD_IN_CHAIN -> {
                Set<String> groups = new LinkedHashSet<>();
                for (Entry g : server.search(c, settings.baseDn(), SearchScope.SUBTREE,
                        LdapNames.inChainGroupFilter(user.getDn().getName()), 0, false, GROUP_ATTRIBUTES)) {
                    groups.add(g.getDn().getName());
                }
                yield groups;
            }
            case MEMBER_OF_WALK -> walkMemberOf(server, c, values(user, "memberOf"));
        };
    }

    /** Breadth-first over memberOf, each group once (DNs compared case-insensitively), at most {@link #MAX_GROUP_DEPTH} levels. */
    private Set<String> walkMemberOf(LdapServer server, LdapConnection c, List<String> direct) throws ServerDown, OperationFailed {
        Set<String> result = new LinkedHashSet<>();
        Set<String> seen = new HashSet<>();
        Deque<String> level = new ArrayDeque<>(direct);
        for (int depth = 0; depth < MAX_GROUP_DEPTH && !level.isEmpty(); depth++) {
            Deque<String> next = new ArrayDeque<>();
            for (String group : level) {
                if (!seen.add(group.toLowerCase(Locale.ROOT))) continue;
                result.add(group);
                for (Entry e : server.search(c, group, SearchScope.OBJECT, "(objectClass=*)", 1, true, "memberOf")) {
                    next.addAll(values(e, "memberOf"));
                }
            }
            level = next;
        }
        return result;
    }

    // ---------------------------------------------------------------- helpers

    /** Live servers in configured order, then the dead ones as a last resort. */
    private List<LdapServer> order() {
        var now = clock.instant();
        List<LdapServer> ordered = new ArrayList<>();
        for (LdapServer s : servers) if (s.available(now)) ordered.add(s);
        for (LdapServer s : servers) if (!s.available(now)) ordered.add(s);
        return ordered;
    }

    /** The outcome for a log line; details were escaped when made. */
    private static String describe(AuthResult r) {
        return switch (r) {
            case AuthResult.Accept a -> "accept user=" + LogText.escape(a.user()) + " groups=" + a.authorization().groups().size();
            case AuthResult.Reject rej -> "reject reason=" + rej.reason().label() + " detail=" + rej.detail();
            case AuthResult.Challenge _ -> "challenge";
        };
    }

    private static String resultTag(AuthResult r) {
        return switch (r) {
            case AuthResult.Accept _ -> "accept";
            case AuthResult.Reject rej -> rej.reason().label();
            case AuthResult.Challenge _ -> "challenge";
        };
    }

    private static List<String> values(Entry entry, String attribute) {
        Attribute a = entry.get(attribute);
        if (a == null) return List.of();
        List<String> out = new ArrayList<>();
        for (Value v : a) out.add(v.getString());
        return out;
    }

    private static Optional<String> firstValue(Entry entry, String attribute) {
        return values(entry, attribute).stream().findFirst();
    }

    private static OptionalLong longValue(Entry entry, String attribute) {
        try {
            return firstValue(entry, attribute).map(s -> OptionalLong.of(Long.parseLong(s.trim()))).orElse(OptionalLong.empty());
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    @Override
    public void close() {
        servers.forEach(LdapServer::close);
    }

    @Override
    public String toString() {
        return "LdapAuthenticator[" + settings + "]";
    }
}
