package net.l2sec.aaa.ldap;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import net.l2sec.aaa.LogText;
import org.apache.directory.api.ldap.model.cursor.CursorException;
import org.apache.directory.api.ldap.model.cursor.SearchCursor;
import org.apache.directory.api.ldap.model.entry.Entry;
import org.apache.directory.api.ldap.model.exception.LdapException;
import org.apache.directory.api.ldap.model.message.AliasDerefMode;
import org.apache.directory.api.ldap.model.message.BindRequestImpl;
import org.apache.directory.api.ldap.model.message.LdapResult;
import org.apache.directory.api.ldap.model.message.ResultCodeEnum;
import org.apache.directory.api.ldap.model.message.SearchRequest;
import org.apache.directory.api.ldap.model.message.SearchRequestImpl;
import org.apache.directory.api.ldap.model.message.SearchScope;
import org.apache.directory.api.ldap.model.name.Dn;
import org.apache.directory.ldap.client.api.LdapConnection;
import org.apache.directory.ldap.client.api.LdapConnectionConfig;
import org.apache.directory.ldap.client.api.LdapNetworkConnection;
import org.apache.directory.ldap.client.api.exception.LdapConnectionTimeOutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One directory server of the failover list: its connection settings, a small pool of connections bound as the
 * service account, its dead/alive state and its meters. User binds never use the pool: each gets its own
 * connection, closed afterwards, so no pooled connection is ever left bound as a user.
 */
final class LdapServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LdapServer.class);

    private final String name;
    private final String host;
    private final boolean ldaps;
    private final boolean startTls;
    private final LdapConnectionConfig config;
    private final String bindDn;
    private final byte[] bindPassword;
    private final Duration operationTimeout;
    private final Duration deadTime;
    private final BlockingQueue<LdapConnection> idle = new LinkedBlockingQueue<>();
    private final Semaphore permits;
    private final MeterRegistry registry;

    private volatile boolean up = true;
    private volatile Instant deadUntil = Instant.MIN;
    private volatile boolean closed;

    LdapServer(URI url, LdapSettings settings, TlsTrust trust, MeterRegistry registry) {
        this.ldaps = url.getScheme().equalsIgnoreCase("ldaps");
        this.host = url.getHost().startsWith("[") ? url.getHost().substring(1, url.getHost().length() - 1) : url.getHost();
        int port = url.getPort() > 0 ? url.getPort() : ldaps ? 636 : 389;
        this.name = url.getScheme().toLowerCase(Locale.ROOT) + "://" + url.getHost() + ":" + port;
        this.startTls = !ldaps && settings.startTls();
        this.bindDn = settings.bindDn();
        this.bindPassword = settings.bindPassword();
        this.operationTimeout = settings.operationTimeout();
        this.deadTime = settings.deadTime();
        this.permits = new Semaphore(settings.poolSize());
        this.registry = registry;
        config = new LdapConnectionConfig();
        config.setLdapHost(host);
        config.setLdapPort(port);
        config.setUseSsl(ldaps);
        config.setTrustManagers(trust.forHost(host));
        config.setEnabledProtocols("TLSv1.3", "TLSv1.2");
        config.setConnectTimeout(settings.connectTimeout().toMillis());
        config.setTimeout(settings.operationTimeout().toMillis());
        config.setReadOperationTimeout(settings.operationTimeout().toMillis());
        config.setWriteOperationTimeout(settings.operationTimeout().toMillis());
        Gauge.builder("l2sec.aaa.server.up", this, s -> s.up ? 1 : 0)
                .description("1 while the LDAP server is in service, 0 while it is marked dead")
                .tags("backend", "ldap", "server", name, "purpose", "auth").strongReference(true).register(registry);
        if (!ldaps && !startTls) {
            log.warn("ldap server={} uses neither LDAPS nor StartTLS: passwords cross the network in clear", name);
        }
    }

    String name() {
        return name;
    }

    boolean isUp() {
        return up;
    }

    /** Not marked dead, or its dead time is over. */
    boolean available(Instant now) {
        return up || !now.isBefore(deadUntil);
    }

    void markDead(String reason) {
        deadUntil = Instant.now().plus(deadTime);
        if (up) {
            up = false;
            log.warn("ldap server={} marked dead: {} (skipped for {}s)", name, LogText.escape(reason), deadTime.toSeconds());
        }
        drainIdle();
    }

    void markAlive() {
        if (!up) {
            up = true;
            log.info("ldap server={} back in service", name);
        }
    }

    Timer.Sample startTimer() {
        return Timer.start(registry);
    }

    void record(Timer.Sample sample, String purpose, String result) {
        sample.stop(Timer.builder("l2sec.aaa.request.duration").description("LDAP backend request duration")
                .tags("backend", "ldap", "server", name, "purpose", purpose, "result", result)
                .publishPercentileHistogram().register(registry));
    }

    /** A failed operation: its duration with result timeout or error, and a timeout counted as such. */
    void recordFailure(Timer.Sample sample, String purpose, boolean timeout) {
        record(sample, purpose, timeout ? "timeout" : "error");
        if (timeout) countTimeout(purpose);
    }

    private void countTimeout(String purpose) {
        Counter.builder("l2sec.aaa.timeouts").description("LDAP operations that timed out")
                .tags("backend", "ldap", "server", name, "purpose", purpose).register(registry).increment();
    }

    /** Work done on a connection bound as the service account. */
    interface ServiceWork<T> {
        T run(LdapConnection connection) throws ServerDown, OperationFailed;
    }

    /**
     * Runs {@code work} on a pooled service connection. A reused connection that fails at the transport level is
     * discarded and the work retried once on a fresh one (the server may have closed it while idle).
     */
    <T> T withService(ServiceWork<T> work) throws ServerDown, OperationFailed {
        try {
            if (!permits.tryAcquire(operationTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new OperationFailed("all " + name + " service connections busy", true);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OperationFailed("interrupted", false);
        }
        try {
            LdapConnection reused = pollValid();
            if (reused != null) {
                try {
                    T result = work.run(reused);
                    giveBack(reused);
                    return result;
                } catch (ServerDown e) {
                    closeQuietly(reused);
                } catch (OperationFailed e) {
                    giveBack(reused);
                    throw e;
                }
            }
            LdapConnection fresh = openService();
            try {
                T result = work.run(fresh);
                giveBack(fresh);
                return result;
            } catch (ServerDown e) {
                closeQuietly(fresh);
                throw e;
            } catch (OperationFailed e) {
                giveBack(fresh);
                throw e;
            }
        } finally {
            permits.release();
        }
    }

    private LdapConnection pollValid() {
        LdapConnection c;
        while ((c = idle.poll()) != null) {
            if (c.isConnected() && c.isAuthenticated()) return c;
            closeQuietly(c);
        }
        return null;
    }

    private void giveBack(LdapConnection c) {
        if (closed || !c.isConnected()) closeQuietly(c);
        else idle.offer(c);
    }

    private LdapConnection openService() throws ServerDown {
        LdapConnection c = open();
        LdapResult r = bind(c, bindDn, bindPassword);
        if (r.getResultCode() != ResultCodeEnum.SUCCESS) {
            closeQuietly(c);
            throw new ServerDown("service account bind failed: " + r.getResultCode() + " " + nullToEmpty(r.getDiagnosticMessage()), false);
        }
        return c;
    }

    /** A new connection (TLS established, not bound); the caller closes it. */
    LdapConnection open() throws ServerDown {
        LdapNetworkConnection c = new LdapNetworkConnection(config);
        try {
            if (!c.connect()) throw new ServerDown("connect failed", false);
            if (startTls) c.startTls();
            return c;
        } catch (LdapException e) {
            closeQuietly(c);
            throw new ServerDown(describe(e), isTimeout(e));
        } catch (RuntimeException e) {
            closeQuietly(c);
            throw new ServerDown(describe(e), isTimeout(e));
        }
    }

    /** A simple bind (RFC 4513 section 5.1.3); a transport failure is {@link ServerDown}, a refusal is the result. */
    LdapResult bind(LdapConnection c, String dn, byte[] password) throws ServerDown {
        try {
            return c.bind(new BindRequestImpl().setName(dn).setCredentials(password).setSimple(true)).getLdapResult();
        } catch (LdapException | RuntimeException e) {
            throw new ServerDown("bind: " + describe(e), isTimeout(e));
        }
    }

    /**
     * A search; referrals (Samba and AD return some for the configuration partition) are skipped. A missing base
     * entry gives an empty list when {@code missingBaseIsEmpty}.
     */
    List<Entry> search(LdapConnection c, String base, SearchScope scope, String filter, long sizeLimit,
                       boolean missingBaseIsEmpty, String... attributes) throws ServerDown, OperationFailed {
        SearchRequest req = new SearchRequestImpl();
        try {
            req.setBase(new Dn(base));
            req.setFilter(filter);
        } catch (LdapException e) {
            throw new OperationFailed("bad search base or filter: " + describe(e), false);
        }
        req.setScope(scope).setSizeLimit(sizeLimit).setDerefAliases(AliasDerefMode.NEVER_DEREF_ALIASES)
                .setTimeLimit((int) Math.max(1, operationTimeout.toSeconds())).addAttributes(attributes);
        List<Entry> entries = new ArrayList<>();
        try (SearchCursor cursor = c.search(req)) {
            while (cursor.next()) {
                if (cursor.isEntry()) entries.add(cursor.getEntry());
            }
            LdapResult done = cursor.getSearchResultDone().getLdapResult();
            ResultCodeEnum rc = done.getResultCode();
            if (rc == ResultCodeEnum.NO_SUCH_OBJECT && missingBaseIsEmpty) return List.of();
            if (rc != ResultCodeEnum.SUCCESS && rc != ResultCodeEnum.SIZE_LIMIT_EXCEEDED && rc != ResultCodeEnum.REFERRAL) {
                throw new OperationFailed("search " + filter + " under " + base + ": " + rc + " "
                        + nullToEmpty(done.getDiagnosticMessage()), rc == ResultCodeEnum.TIME_LIMIT_EXCEEDED);
            }
            return entries;
        } catch (LdapException | CursorException | IOException | RuntimeException e) {
            throw new ServerDown("search: " + describe(e), isTimeout(e));
        }
    }

    private void drainIdle() {
        LdapConnection c;
        while ((c = idle.poll()) != null) closeQuietly(c);
    }

    @Override
    public void close() {
        closed = true;
        drainIdle();
    }

    static void closeQuietly(LdapConnection c) {
        try {
            c.close();
        } catch (IOException | RuntimeException ignored) {
            // closing anyway
        }
    }

    static boolean isTimeout(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof LdapConnectionTimeOutException || t instanceof SocketTimeoutException) return true;
            String m = t.getMessage();
            if (m != null && m.toLowerCase(Locale.ROOT).matches("(?s).*(time ?out|timed out).*")) return true;
        }
        return false;
    }

    static String describe(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null && sb.length() < 300; t = t.getCause()) {
            if (!sb.isEmpty()) sb.append(": ");
            sb.append(t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName());
        }
        return sb.toString().replaceAll("\\s+", " ");
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }

    /** The server failed at the transport level, timed out, or refused the service account: try the next one. */
    static final class ServerDown extends Exception {
        final boolean timeout;

        ServerDown(String reason, boolean timeout) {
            super(reason, null, false, false);
            this.timeout = timeout;
        }
    }

    /** The server answered but the operation failed (configuration, protocol): no failover helps. */
    static final class OperationFailed extends Exception {
        final boolean timeout;

        OperationFailed(String reason, boolean timeout) {
            super(reason, null, false, false);
            this.timeout = timeout;
        }
    }
}
