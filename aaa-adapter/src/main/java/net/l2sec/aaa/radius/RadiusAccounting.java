package net.l2sec.aaa.radius;

import static net.l2sec.aaa.radius.WireAttribute.*;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import net.l2sec.aaa.LogText;
import net.l2sec.spi.session.SessionProtocol;
import net.l2sec.spi.session.ActiveSession;
import net.l2sec.spi.session.ClientIdentity;
import net.l2sec.spi.session.SessionControl;
import net.l2sec.spi.session.SessionCounters;
import net.l2sec.spi.session.SessionObserver;
import net.l2sec.spi.session.TerminateCause;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tinyradius.core.dictionary.Dictionary;

/**
 * RADIUS accounting (RFC 2866) of the established sessions: Start when a session is established, Interim-Update
 * every {@link AccountingSettings#interimInterval()}, Stop with the final counters and the terminate cause, and
 * Accounting-On when created / Accounting-Off on a clean {@link #close()} (RFC 2866 section 5.1). Every record goes
 * through the {@link AccountingSpool} (written to disk before it is sent), so nothing is lost while the servers
 * are down or across restarts. User-Name carries the session's user, cut to 253 octets when longer (RFC 2865
 * section 5.1; counted as {@code l2sec.acct.user.name.truncated}), never dropped.
 *
 * <p>The observer callbacks return at once: records are built on the calling thread (cheap) and written, in call
 * order, by one virtual thread. Interim-Updates read counters through the {@link SessionControl} set with
 * {@link #sessionControl(SessionControl)}; without one they are skipped.
 *
 * <p>Life cycle for the concentrator: create it (spools Accounting-On, sends records left from a previous run),
 * set the session control, register it as a {@link SessionObserver}; at shutdown end the sessions first (their
 * Stops are spooled), then close this (spools Accounting-Off and waits up to
 * {@link AccountingSettings#closeDrain()} for delivery, then closes the {@link RadiusSender} when it is closeable).
 */
public final class RadiusAccounting implements SessionObserver, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RadiusAccounting.class);
    /** RFC 2865 section 5.41 NAS-Port-Type Virtual. */
    private static final int NAS_PORT_TYPE_VIRTUAL = 5;
    /** RFC 2865 section 5.6 Service-Type Framed. */
    private static final int SERVICE_TYPE_FRAMED = 2;
    /** RFC 2865 section 5.7 Framed-Protocol PPP. */
    private static final int FRAMED_PROTOCOL_PPP = 1;
    /** RFC 2868 section 3.2 Tunnel-Medium-Type IPv4 / IPv6 (address family numbers). */
    private static final int TUNNEL_MEDIUM_IPV4 = 1;
    private static final int TUNNEL_MEDIUM_IPV6 = 2;
    private static final byte TUNNEL_TAG = 1;

    private final AccountingSettings settings;
    private final AccountingSpool spool;
    private final RadiusSender sender;
    private final Function<ActiveSession, AcctAuthentic> authentic;
    private final Clock clock;
    private final String runId;
    private final ExecutorService writer = Executors.newSingleThreadExecutor(Thread.ofVirtual().name("acct-spool-writer").factory());
    private final ScheduledExecutorService timer;
    private final Counter truncated;
    private final Map<String, ScheduledFuture<?>> interims = new ConcurrentHashMap<>();
    /** The session as Interim-Updates report it: replaced when its client moves (IKEv2 MOBIKE, NAT rebinding). */
    private final Map<String, ActiveSession> current = new ConcurrentHashMap<>();
    private volatile SessionControl sessionControl;
    private volatile boolean closed;

    /** With the l2sec {@link RadiusDictionary} and Acct-Authentic from {@link AcctAuthentic#BY_RULE}. */
    public RadiusAccounting(AccountingSettings settings, RadiusSender sender, MeterRegistry registry) {
        this(settings, sender, RadiusDictionary.get(), registry, AcctAuthentic.BY_RULE, Clock.systemUTC());
    }

    /**
     * @param authentic which Acct-Authentic a session reports (the Authorization does not say who authenticated)
     */
    public RadiusAccounting(AccountingSettings settings, RadiusSender sender, Dictionary dictionary, MeterRegistry registry,
                            Function<ActiveSession, AcctAuthentic> authentic, Clock clock) {
        this.settings = settings;
        this.authentic = authentic;
        this.clock = clock;
        this.sender = sender;
        this.spool = new AccountingSpool(settings.spoolDir(), sender, dictionary, settings.maxRecords(),
                settings.initialBackoff(), settings.maxBackoff(), registry, clock);
        this.runId = String.format("%08X-00000000", clock.instant().getEpochSecond() & 0xffffffffL);
        this.truncated = Counter.builder("l2sec.acct.user.name.truncated")
                .description("Accounting records whose User-Name was cut to 253 octets (RFC 2865 section 5.1)")
                .register(registry);
        this.timer = settings.interimInterval().isZero() ? null
                : Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("acct-interim").factory());
        spoolLater(nasRecord(AcctStatusType.ON));
    }

    /** Where Interim-Updates read live counters; set it before sessions start. */
    public void sessionControl(SessionControl control) {
        this.sessionControl = Objects.requireNonNull(control);
    }

    public AccountingSpool spool() {
        return spool;
    }

    @Override
    public void started(ActiveSession session) {
        if (closed) return;
        try {
            spoolLater(sessionRecord(AcctStatusType.START, session, null, null));
            if (timer != null) {
                long period = settings.interimInterval().toMillis();
                current.put(session.acctSessionId(), session);
                interims.put(session.acctSessionId(),
                        timer.scheduleAtFixedRate(() -> interim(session), period, period, TimeUnit.MILLISECONDS));
            }
        } catch (RuntimeException e) {
            log.error("accounting start not recorded session={} user={}", LogText.escape(session.acctSessionId()),
                    LogText.escape(session.user()), e);
        }
    }

    @Override
    public void stopped(ActiveSession session, SessionCounters counters, TerminateCause cause) {
        try {
            ScheduledFuture<?> tick = interims.remove(session.acctSessionId());
            if (tick != null) tick.cancel(false);
            current.remove(session.acctSessionId());
            if (closed) {
                log.error("accounting stop after close not recorded session={} user={}", LogText.escape(session.acctSessionId()),
                        LogText.escape(session.user()));
                return;
            }
            spoolLater(sessionRecord(AcctStatusType.STOP, session, counters, cause));
        } catch (RuntimeException e) {
            log.error("accounting stop not recorded session={} user={}", LogText.escape(session.acctSessionId()),
                    LogText.escape(session.user()), e);
        }
    }

    /** Interim-Updates from now on report the client's new address (Calling-Station-Id, Tunnel-Client-Endpoint). */
    @Override
    public void peerMoved(ActiveSession session, java.net.InetSocketAddress from) {
        current.computeIfPresent(session.acctSessionId(), (id, before) -> session);
    }

    private void interim(ActiveSession started) {
        ActiveSession session = current.getOrDefault(started.acctSessionId(), started);
        SessionControl control = sessionControl;
        if (control == null) return;
        control.counters(session.acctSessionId()).whenComplete((counters, failure) -> {
            if (failure != null || counters == null || counters.isEmpty()) return;
            // the Stop removes the timer before it is spooled: an Interim racing with it is not written after it
            synchronized (interims) {
                if (interims.containsKey(session.acctSessionId()) && !closed) {
                    spoolLater(sessionRecord(AcctStatusType.INTERIM, session, counters.get(), null));
                }
            }
        });
    }

    private void spoolLater(AccountingRecord record) {
        synchronized (interims) {
            writer.execute(() -> {
                try {
                    spool.append(record);
                } catch (RuntimeException e) {
                    log.error("accounting record not spooled type={} session={} user={}", record.type().label(),
                            LogText.escape(record.acctSessionId()), LogText.escape(record.user()), e);
                }
            });
        }
    }

    /** The record of one session event; {@code counters} for Interim and Stop, {@code cause} for Stop. */
    AccountingRecord sessionRecord(AcctStatusType type, ActiveSession s, SessionCounters counters, TerminateCause cause) {
        Instant now = clock.instant();
        List<WireAttribute> a = new ArrayList<>();
        a.add(integer(ACCT_STATUS_TYPE, type.code()));
        userName(s).ifPresent(a::add);
        a.add(string(ACCT_SESSION_ID, s.acctSessionId()));
        nas(a);
        a.add(integer(NAS_PORT, s.nasPort()));
        a.add(integer(NAS_PORT_TYPE, NAS_PORT_TYPE_VIRTUAL));
        a.add(integer(SERVICE_TYPE, SERVICE_TYPE_FRAMED));
        // an IKEv2 client's session has no PPP: no Framed-Protocol (RFC 2865 section 5.7 names no IPsec value)
        if (s.protocol() == SessionProtocol.L2TP) a.add(integer(FRAMED_PROTOCOL, FRAMED_PROTOCOL_PPP));
        if (s.address() != null) a.add(address(FRAMED_IP_ADDRESS, s.address()));
        // RFC 3162 section 2.3, RFC 4818: the session's /64 and the prefix routed to it
        s.ipv6().framedPrefix().ifPresent(p -> a.add(WireAttribute.ipv6Prefix(FRAMED_IPV6_PREFIX, p.address(), p.length())));
        s.ipv6().delegatedPrefix().ifPresent(p -> a.add(WireAttribute.ipv6Prefix(DELEGATED_IPV6_PREFIX, p.address(), p.length())));
        InetAddress peer = s.peer().getAddress();
        if (peer != null) {
            a.add(string(CALLING_STATION_ID, peer.getHostAddress()));
            // RFC 2868 sections 3.1-3.3: all three describe the same tunnel, tag 1; an explicit tag on the endpoint
            // string keeps its first character from being read as one. Tunnel-Type L2TP (3), or ESP (9) for an
            // IKEv2 client's tunnel-mode SAs
            a.add(taggedInteger(TUNNEL_TYPE, TUNNEL_TAG, s.protocol().tunnelType()));
            a.add(taggedInteger(TUNNEL_MEDIUM_TYPE, TUNNEL_TAG, peer instanceof Inet4Address ? TUNNEL_MEDIUM_IPV4 : TUNNEL_MEDIUM_IPV6));
            byte[] endpoint = peer.getHostAddress().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            byte[] tagged = new byte[endpoint.length + 1];
            tagged[0] = TUNNEL_TAG;
            System.arraycopy(endpoint, 0, tagged, 1, endpoint.length);
            a.add(new WireAttribute(TUNNEL_CLIENT_ENDPOINT, tagged));
        }
        a.add(new WireAttribute(CONNECT_INFO, connectInfo(s.client()).getBytes(StandardCharsets.UTF_8)));
        for (byte[] c : s.authorization().classes()) a.add(new WireAttribute(CLASS, c)); // RFC 2865 section 5.25: unchanged
        a.add(integer(ACCT_AUTHENTIC, authentic.apply(s).code()));
        a.add(integer(EVENT_TIMESTAMP, now.getEpochSecond()));
        if (counters != null) {
            a.add(integer(ACCT_SESSION_TIME, Math.max(0, Duration.between(s.authorized(), now).toSeconds())));
            // RFC 2869 section 5.1/5.2: the octet counts' high 32 bits go in the Gigawords attributes
            a.add(integer(ACCT_INPUT_OCTETS, counters.inputOctets()));
            a.add(integer(ACCT_INPUT_GIGAWORDS, counters.inputOctets() >>> 32));
            a.add(integer(ACCT_OUTPUT_OCTETS, counters.outputOctets()));
            a.add(integer(ACCT_OUTPUT_GIGAWORDS, counters.outputOctets() >>> 32));
            // packets have no Gigawords: 32-bit counters that wrap (RFC 2866 sections 5.7, 5.8)
            a.add(integer(ACCT_INPUT_PACKETS, counters.inputPackets()));
            a.add(integer(ACCT_OUTPUT_PACKETS, counters.outputPackets()));
        }
        if (cause != null) a.add(integer(ACCT_TERMINATE_CAUSE, cause.code()));
        return new AccountingRecord(type, now, s.acctSessionId(), s.user(), a);
    }

    /**
     * Connect-Info (RFC 2869 section 5.11, text: "the nature of the user's connection"): which client it is, as
     * {@code kind=<kind> host=<host> vendor=<L2TP Vendor Name> ike=<DH group>}, e.g. {@code kind=windows
     * host=DESKTOP-4F2KQ vendor=Microsoft ike=ecp384}; a field the client did not send is {@code -}. Host and vendor are
     * the peer's own text: every control, format or separator character (C0, DEL, C1, U+2028, bidi overrides, ...) and
     * every space, {@code =}, quote or backslash becomes {@code _}, so nothing the peer chose can end the value, forge
     * another field or split a line-oriented record. The vendor is cut to {@value #CONNECT_INFO_VENDOR_OCTETS} octets
     * and the host to what is left of 253 (RFC 2865 section 5: text is at most 253 octets), at character boundaries,
     * so the four fields are always all there.
     */
    static String connectInfo(ClientIdentity c) {
        String head = "kind=" + c.kind().label() + " host=";
        String tail = " vendor=" + field(c.l2tpVendorName(), CONNECT_INFO_VENDOR_OCTETS) + " ike=" + field(c.ikeGroup(), 16);
        int room = WireAttribute.MAX_VALUE - head.length() - tail.getBytes(StandardCharsets.UTF_8).length;
        return head + field(c.host().orElse(null), room) + tail;
    }

    static final int CONNECT_INFO_VENDOR_OCTETS = 64;

    /** The peer's text made harmless (see {@link #connectInfo}), at most {@code maxOctets} of UTF-8; {@code -} when none. */
    private static String field(String peerText, int maxOctets) {
        if (peerText == null || peerText.isEmpty()) return "-";
        StringBuilder out = new StringBuilder();
        int octets = 0;
        for (int i = 0; i < peerText.length(); ) {
            int cp = peerText.codePointAt(i);
            i += Character.charCount(cp);
            int type = Character.getType(cp);
            boolean unsafe = Character.isISOControl(cp) || Character.isWhitespace(cp) || Character.isSpaceChar(cp)
                    || type == Character.FORMAT || type == Character.SURROGATE || type == Character.UNASSIGNED
                    || type == Character.PRIVATE_USE || cp == '=' || cp == '"' || cp == '\\' || cp == '\'';
            int c = unsafe ? '_' : cp;
            int n = new String(Character.toChars(c)).getBytes(StandardCharsets.UTF_8).length;
            if (octets + n > maxOctets) break;
            out.appendCodePoint(c);
            octets += n;
        }
        return out.isEmpty() ? "-" : out.toString();
    }

    /**
     * User-Name (RFC 2865 section 5.1): the session's user, cut to 253 octets at a character boundary when longer
     * (counted and logged: the record is sent all the same, its header keeps the whole name); none for an empty name.
     */
    private Optional<WireAttribute> userName(ActiveSession s) {
        byte[] value = WireAttribute.truncatedText(s.user());
        if (value.length == 0) return Optional.empty();
        int octets = s.user().getBytes(StandardCharsets.UTF_8).length;
        if (value.length < octets) {
            truncated.increment();
            log.warn("accounting session={} user={} User-Name of {} octets cut to {} (RFC 2865 section 5.1: at most 253)",
                    LogText.escape(s.acctSessionId()), LogText.escape(s.user()), octets, value.length);
        }
        return Optional.of(new WireAttribute(USER_NAME, value));
    }

    /** Accounting-On/Off: the NAS identity and an Acct-Session-Id of this run (RFC 2866 section 5.5 wants one in every request). */
    AccountingRecord nasRecord(AcctStatusType type) {
        Instant now = clock.instant();
        List<WireAttribute> a = new ArrayList<>();
        a.add(integer(ACCT_STATUS_TYPE, type.code()));
        a.add(string(ACCT_SESSION_ID, runId));
        nas(a);
        a.add(integer(EVENT_TIMESTAMP, now.getEpochSecond()));
        return new AccountingRecord(type, now, runId, "-", a);
    }

    private void nas(List<WireAttribute> a) {
        settings.nasIpAddress().ifPresent(ip -> a.add(address(NAS_IP_ADDRESS, ip)));
        a.add(string(NAS_IDENTIFIER, settings.nasIdentifier()));
    }

    /**
     * Spools Accounting-Off, waits up to the configured drain for delivery, stops, and closes the sender when it is
     * closeable (the transport's sockets). Idempotent.
     */
    @Override
    public void close() {
        synchronized (interims) {
            if (closed) return;
            closed = true;
            interims.values().forEach(f -> f.cancel(false));
            interims.clear();
        }
        if (timer != null) timer.shutdownNow();
        writer.execute(() -> spool.append(nasRecord(AcctStatusType.OFF)));
        writer.shutdown();
        try {
            if (!writer.awaitTermination(30, TimeUnit.SECONDS)) log.error("accounting spool writer did not finish within 30s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        spool.close(settings.closeDrain());
        if (sender instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                log.warn("closing the accounting sender: {}", e.toString());
            }
        }
    }
}
