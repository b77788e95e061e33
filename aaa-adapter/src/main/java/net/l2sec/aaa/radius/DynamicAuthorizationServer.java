package net.l2sec.aaa.radius;

import static net.l2sec.aaa.radius.WireAttribute.*;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import net.l2sec.aaa.LogText;
import net.l2sec.spi.session.ActiveSession;
import net.l2sec.spi.session.SessionControl;
import net.l2sec.spi.session.TerminateCause;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RFC 5176 Dynamic Authorization server: Disconnect-Request ends sessions, CoA-Request changes their session and
 * idle timeouts.
 *
 * <p>Checks, in order; the first failure decides:
 * <ol>
 *   <li>the source address is a configured client, else the packet is dropped ({@code reason=unknown_client});</li>
 *   <li>it is a well-formed Disconnect- or CoA-Request ({@code malformed}, {@code unsupported_code});</li>
 *   <li>its Request Authenticator is MD5(Code, Identifier, Length, 16 zero octets, Attributes, secret) (RFC 5176
 *       section 3.1, as RFC 2866 section 3) and its Message-Authenticator, when present, is the HMAC-MD5 of the
 *       packet with both authenticator fields zero ({@code bad_authenticator}, {@code bad_message_authenticator});</li>
 *   <li>a copy of a request already received within the replay window (same client address, Identifier and
 *       Request Authenticator, from whatever source port: RFC 5176 sections 2.3 and 3.4 identify a request by
 *       them, and an attacker replaying a captured request can choose the port) gets the first answer again, sent to
 *       where the copy came from, and is not executed again ({@code duplicate});</li>
 *   <li>Event-Timestamp (RFC 5176 section 3.4): missing while required, or further than the replay window from our
 *       clock: dropped ({@code no_event_timestamp}, {@code stale_event_timestamp});</li>
 *   <li>every attribute is one we act on, else NAK Error-Cause 401 (RFC 5176 section 3.6), and a Session- or
 *       Idle-Timeout is a 4-octet integer, else 407; at least one session
 *       selector (User-Name, Acct-Session-Id, Framed-IP-Address) else 402; NAS-Identifier, NAS-IP-Address when
 *       present name us, else 403 (NAS-IPv6-Address never does); a CoA carries Session-Timeout or Idle-Timeout, else
 *       402;</li>
 *   <li>the sessions matching every selector present: none, NAK 503; otherwise each is disconnected with
 *       Admin-Reset (RFC 2866 section 5.10) or reauthorized, and the answer is an ACK.</li>
 * </ol>
 * Answers carry the Response Authenticator, every Proxy-State of the request in order (RFC 5176 section 3),
 * Error-Cause on a NAK, and Message-Authenticator when the request had one. Acct-Terminate-Cause in a
 * Disconnect-Request is accepted and ignored.
 */
public final class DynamicAuthorizationServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DynamicAuthorizationServer.class);

    static final int DISCONNECT_REQUEST = 40;
    static final int DISCONNECT_ACK = 41;
    static final int DISCONNECT_NAK = 42;
    static final int COA_REQUEST = 43;
    static final int COA_ACK = 44;
    static final int COA_NAK = 45;

    /** RFC 5176 section 3.6 Error-Cause values. */
    static final int UNSUPPORTED_ATTRIBUTE = 401;
    static final int MISSING_ATTRIBUTE = 402;
    static final int NAS_IDENTIFICATION_MISMATCH = 403;
    static final int INVALID_ATTRIBUTE_VALUE = 407;
    static final int SESSION_CONTEXT_NOT_FOUND = 503;
    static final int RESOURCES_UNAVAILABLE = 506;

    private static final Set<Integer> COMMON = Set.of(USER_NAME, ACCT_SESSION_ID, FRAMED_IP_ADDRESS, NAS_IP_ADDRESS,
            NAS_IDENTIFIER, NAS_IPV6_ADDRESS, EVENT_TIMESTAMP, MESSAGE_AUTHENTICATOR, PROXY_STATE);
    private static final Duration SESSION_CONTROL_TIMEOUT = Duration.ofSeconds(10);

    /**
     * What identifies one request for duplicate detection: the client, the Identifier and the Request Authenticator
     * (which covers code, attributes and the secret). Not the source port: a replay from another port is the same
     * request.
     */
    private record Key(InetAddress client, int identifier, String authenticator) {}

    private static final class Seen {
        final Instant received;
        volatile byte[] answer; // null while the first copy is being handled

        Seen(Instant received) {
            this.received = received;
        }
    }

    /** The {@code reason} tag of an ACK. */
    private static final String ACK = "ok";

    /** What to answer: ACK, or NAK with an Error-Cause; {@code reason} for the metric and the log line. */
    private record Verdict(boolean ack, int errorCause, String reason, List<String> sessions) {
        static Verdict nak(DynamicAuthorizationNakReason why) {
            return new Verdict(false, why.errorCause(), why.tag(), List.of());
        }

        static Verdict unsupported(int attribute) {
            var why = DynamicAuthorizationNakReason.UNSUPPORTED_ATTRIBUTE;
            return new Verdict(false, why.errorCause(), why.tag() + attribute, List.of());
        }

        static Verdict ack(List<String> sessions) {
            return new Verdict(true, 0, ACK, sessions);
        }
    }

    private final DynamicAuthorizationSettings settings;
    private final SessionControl sessions;
    private final MeterRegistry registry;
    private final Clock clock;
    private final Map<InetAddress, DynamicAuthorizationClient> clients = new HashMap<>();
    private final Map<Key, Seen> seen = new ConcurrentHashMap<>();
    private final DatagramChannel channel;
    private final Thread receiver;
    private volatile boolean closed;

    public DynamicAuthorizationServer(DynamicAuthorizationSettings settings, SessionControl sessions, MeterRegistry registry)
            throws IOException {
        this(settings, sessions, registry, Clock.systemUTC());
    }

    DynamicAuthorizationServer(DynamicAuthorizationSettings settings, SessionControl sessions, MeterRegistry registry,
                               Clock clock) throws IOException {
        this.settings = settings;
        this.sessions = sessions;
        this.registry = registry;
        this.clock = clock;
        settings.clients().forEach(c -> clients.put(c.address(), c));
        InetAddress bind = settings.listen().getAddress();
        this.channel = bind instanceof Inet4Address ? DatagramChannel.open(StandardProtocolFamily.INET) : DatagramChannel.open();
        channel.bind(settings.listen());
        this.receiver = Thread.ofVirtual().name("radius-dynauth").start(this::receive);
        log.info("radius dynamic authorization listening on {} clients={}", localAddress(), settings.clients().size());
    }

    /** Where we listen (the actual port when configured with 0). */
    public InetSocketAddress localAddress() {
        try {
            return (InetSocketAddress) channel.getLocalAddress();
        } catch (IOException e) {
            return settings.listen();
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            channel.close();
        } catch (IOException e) {
            log.debug("closing the dynamic authorization socket", e);
        }
        try {
            receiver.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void receive() {
        ByteBuffer buffer = ByteBuffer.allocate(4096);
        while (!closed) {
            try {
                buffer.clear();
                InetSocketAddress source = (InetSocketAddress) channel.receive(buffer);
                buffer.flip();
                byte[] packet = new byte[buffer.remaining()];
                buffer.get(packet);
                Thread.ofVirtual().name("radius-dynauth-request").start(() -> handle(packet, source));
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (!closed) log.warn("radius dynamic authorization receive failed: {}", e.toString());
            }
        }
    }

    /** Handles one datagram; package-private so tests can drive it without a socket. Returns the answer sent, if any. */
    Optional<byte[]> handle(byte[] packet, InetSocketAddress source) {
        try {
            return Optional.ofNullable(process(packet, source)).map(answer -> {
                send(answer, source);
                return answer;
            });
        } catch (RuntimeException e) {
            log.error("radius dynamic authorization request from={} failed", source.getAddress().getHostAddress(), e);
            return Optional.empty();
        }
    }

    private byte[] process(byte[] packet, InetSocketAddress source) {
        String from = source.getAddress().getHostAddress();
        DynamicAuthorizationClient client = clients.get(source.getAddress());
        String type = packet.length > 0 ? typeOf(packet[0] & 0xff) : "unknown";
        if (client == null) return drop(type, DynamicAuthorizationDiscardReason.UNKNOWN_CLIENT, from, "not a configured client");
        if (packet.length < 20) return drop(type, DynamicAuthorizationDiscardReason.MALFORMED, from, "shorter than a RADIUS header");
        int code = packet[0] & 0xff;
        int identifier = packet[1] & 0xff;
        int length = ((packet[2] & 0xff) << 8) | (packet[3] & 0xff);
        if (length < 20 || length > packet.length || length > 4096) {
            return drop(type, DynamicAuthorizationDiscardReason.MALFORMED, from,
                    "length field " + length + " for " + packet.length + " octets");
        }
        byte[] p = Arrays.copyOf(packet, length); // octets past Length are padding (RFC 2865 section 3)
        if (code != DISCONNECT_REQUEST && code != COA_REQUEST) {
            return drop(type, DynamicAuthorizationDiscardReason.UNSUPPORTED_CODE, from, "code " + code);
        }
        List<WireAttribute> attributes;
        try {
            attributes = WireAttribute.decode(p, 20, length);
        } catch (IllegalArgumentException e) {
            return drop(type, DynamicAuthorizationDiscardReason.MALFORMED, from, e.getMessage());
        }
        byte[] secret = client.secret();
        byte[] requestAuthenticator = Arrays.copyOfRange(p, 4, 20);
        if (!MessageDigest.isEqual(requestAuthenticator, requestAuthenticator(p, secret))) {
            return drop(type, DynamicAuthorizationDiscardReason.BAD_AUTHENTICATOR, from,
                    "Request Authenticator does not verify (wrong secret?)");
        }
        if (attributes.stream().anyMatch(a -> a.type() == MESSAGE_AUTHENTICATOR) && !messageAuthenticatorVerifies(p, secret)) {
            return drop(type, DynamicAuthorizationDiscardReason.BAD_MESSAGE_AUTHENTICATOR, from, "Message-Authenticator does not verify");
        }

        Instant now = clock.instant();
        purgeSeen(now);
        Key key = new Key(source.getAddress(), identifier, HexFormat.of().formatHex(requestAuthenticator));
        Seen first = seen.putIfAbsent(key, new Seen(now));
        if (first != null) {
            byte[] answer = first.answer;
            count(type, answer == null ? "dropped" : "resent", DynamicAuthorizationDiscardReason.DUPLICATE.tag());
            log.info("radius {} from={} id={} retransmission, {}", type, from, identifier,
                    answer == null ? "first copy still in progress" : "answered again without executing");
            return answer;
        }
        Optional<WireAttribute> timestamp = attributes.stream().filter(a -> a.type() == EVENT_TIMESTAMP).findFirst();
        if (timestamp.isEmpty() && settings.requireEventTimestamp()) {
            seen.remove(key);
            return drop(type, DynamicAuthorizationDiscardReason.NO_EVENT_TIMESTAMP, from, "no Event-Timestamp (required)");
        }
        if (timestamp.isPresent()) {
            long skew = timestamp.get().value().length == 4 ? Math.abs(now.getEpochSecond() - timestamp.get().asInteger()) : Long.MAX_VALUE;
            if (skew > settings.replayWindow().toSeconds()) {
                seen.remove(key);
                return drop(type, DynamicAuthorizationDiscardReason.STALE_EVENT_TIMESTAMP, from,
                        "Event-Timestamp " + skew + "s from our clock");
            }
        }

        Verdict verdict = decide(code, attributes);
        String user = attributes.stream().filter(a -> a.type() == USER_NAME).map(WireAttribute::asString).findFirst().orElse("-");
        String session = attributes.stream().filter(a -> a.type() == ACCT_SESSION_ID).map(WireAttribute::asString).findFirst()
                .orElse(verdict.sessions().isEmpty() ? "-" : String.join(",", verdict.sessions()));
        count(type, verdict.ack() ? "ack" : "nak", verdict.reason());
        log.info("radius {} from={} session={} user={} result={}{}", type, from, LogText.escape(session), LogText.escape(user),
                verdict.ack() ? "ack" : "nak", verdict.ack() ? "" : " error_cause=" + verdict.errorCause() + " reason=" + verdict.reason());
        int answerCode = code == DISCONNECT_REQUEST ? (verdict.ack() ? DISCONNECT_ACK : DISCONNECT_NAK) : (verdict.ack() ? COA_ACK : COA_NAK);
        List<WireAttribute> answerAttributes = new ArrayList<>();
        if (!verdict.ack()) answerAttributes.add(integer(ERROR_CAUSE, verdict.errorCause()));
        attributes.stream().filter(a -> a.type() == PROXY_STATE).forEach(answerAttributes::add);
        boolean withMessageAuthenticator = attributes.stream().anyMatch(a -> a.type() == MESSAGE_AUTHENTICATOR);
        byte[] answer = response(answerCode, identifier, requestAuthenticator, answerAttributes, withMessageAuthenticator, secret);
        seen.get(key).answer = answer;
        return answer;
    }

    private Verdict decide(int code, List<WireAttribute> attributes) {
        boolean coa = code == COA_REQUEST;
        for (WireAttribute a : attributes) {
            boolean known = COMMON.contains(a.type())
                    || (!coa && a.type() == ACCT_TERMINATE_CAUSE)
                    || (coa && (a.type() == SESSION_TIMEOUT || a.type() == IDLE_TIMEOUT));
            if (!known) return Verdict.unsupported(a.type());
            // RFC 2865 section 5.27/5.28: the timeouts are 4-octet integers; another size is no value (RFC 5176 3.6: 407)
            if ((a.type() == SESSION_TIMEOUT || a.type() == IDLE_TIMEOUT) && a.value().length != 4) {
                return Verdict.nak(DynamicAuthorizationNakReason.INVALID_ATTRIBUTE_VALUE);
            }
        }
        Optional<byte[]> user = first(attributes, USER_NAME).map(WireAttribute::value);
        Optional<String> acctSessionId = first(attributes, ACCT_SESSION_ID).map(WireAttribute::asString);
        Optional<byte[]> framedIp = first(attributes, FRAMED_IP_ADDRESS).map(WireAttribute::value);
        if (user.isEmpty() && acctSessionId.isEmpty() && framedIp.isEmpty()) {
            return Verdict.nak(DynamicAuthorizationNakReason.NO_SESSION_SELECTOR);
        }
        if (!namesUs(attributes)) return Verdict.nak(DynamicAuthorizationNakReason.NAS_MISMATCH);
        Optional<Duration> sessionTimeout = first(attributes, SESSION_TIMEOUT).map(a -> Duration.ofSeconds(a.asInteger()));
        Optional<Duration> idleTimeout = first(attributes, IDLE_TIMEOUT).map(a -> Duration.ofSeconds(a.asInteger()));
        if (coa && sessionTimeout.isEmpty() && idleTimeout.isEmpty()) {
            return Verdict.nak(DynamicAuthorizationNakReason.NOTHING_TO_CHANGE);
        }

        List<ActiveSession> matches;
        try {
            matches = sessions.sessions().toCompletableFuture().get(SESSION_CONTROL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).stream()
                    // the User-Name as our accounting sent it: 253 octets at most (RFC 2865 section 5.1)
                    .filter(s -> user.isEmpty() || Arrays.equals(user.get(), WireAttribute.truncatedText(s.user())))
                    .filter(s -> acctSessionId.isEmpty() || acctSessionId.get().equals(s.acctSessionId()))
                    .filter(s -> framedIp.isEmpty() || (s.address() != null && Arrays.equals(framedIp.get(), s.address().getAddress())))
                    .toList();
        } catch (Exception e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            log.warn("radius dynamic authorization could not list sessions: {}", e.toString());
            return Verdict.nak(DynamicAuthorizationNakReason.SESSION_CONTROL_UNAVAILABLE);
        }
        if (matches.isEmpty()) return Verdict.nak(DynamicAuthorizationNakReason.SESSION_NOT_FOUND);
        List<String> done = new ArrayList<>();
        for (ActiveSession s : matches) {
            try {
                boolean ok = (coa ? sessions.reauthorize(s.acctSessionId(), sessionTimeout, idleTimeout)
                        : sessions.disconnect(s.acctSessionId(), TerminateCause.ADMIN_RESET))
                        .toCompletableFuture().get(SESSION_CONTROL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                if (ok) done.add(s.acctSessionId());
            } catch (Exception e) {
                if (e instanceof InterruptedException) Thread.currentThread().interrupt();
                log.warn("radius dynamic authorization session={} failed: {}", s.acctSessionId(), e.toString());
            }
        }
        if (done.isEmpty()) return Verdict.nak(DynamicAuthorizationNakReason.SESSION_ENDED);
        return Verdict.ack(done);
    }

    /** NAS-Identifier and NAS-IP-Address, when present, must be ours (RFC 5176 section 3). */
    private boolean namesUs(List<WireAttribute> attributes) {
        for (WireAttribute a : attributes) {
            switch (a.type()) {
                case NAS_IDENTIFIER -> {
                    if (!a.asString().equals(settings.nasIdentifier())) return false;
                }
                case NAS_IP_ADDRESS -> {
                    Optional<byte[]> ours = settings.nasIpAddress().map(InetAddress::getAddress)
                            .or(() -> Optional.of(settings.listen().getAddress()).filter(x -> !x.isAnyLocalAddress()).map(InetAddress::getAddress));
                    if (ours.isEmpty() || !Arrays.equals(ours.get(), a.value())) return false;
                }
                case NAS_IPV6_ADDRESS -> {
                    return false;
                }
                default -> { }
            }
        }
        return true;
    }

    private static Optional<WireAttribute> first(List<WireAttribute> attributes, int type) {
        return attributes.stream().filter(a -> a.type() == type).findFirst();
    }

    private byte[] drop(String type, DynamicAuthorizationDiscardReason reason, String from, String detail) {
        count(type, "dropped", reason.tag());
        log.warn("radius {} from={} dropped reason={} ({})", type, from, reason.tag(), detail);
        return null;
    }

    private void count(String type, String result, String reason) {
        Counter.builder("l2sec.radius.dynauth.requests").tag("type", type).tag("result", result).tag("reason", reason)
                .description("RFC 5176 Disconnect and CoA requests by outcome").register(registry).increment();
    }

    private void purgeSeen(Instant now) {
        Instant oldest = now.minus(settings.replayWindow());
        seen.values().removeIf(s -> s.received.isBefore(oldest));
    }

    private void send(byte[] answer, InetSocketAddress to) {
        try {
            channel.send(ByteBuffer.wrap(answer), to);
        } catch (IOException e) {
            log.warn("radius dynamic authorization answer to={} not sent: {}", to, e.toString());
        }
    }

    private static String typeOf(int code) {
        return switch (code) {
            case DISCONNECT_REQUEST -> "disconnect";
            case COA_REQUEST -> "coa";
            default -> "unknown";
        };
    }

    // ---- authenticators (RFC 5176 section 3.1, RFC 2866 section 3, RFC 3579 section 3.2) ----

    /** MD5(Code, Identifier, Length, 16 zero octets, Attributes, secret) over {@code packet} as received. */
    static byte[] requestAuthenticator(byte[] packet, byte[] secret) {
        MessageDigest md5 = md5();
        md5.update(packet, 0, 4);
        md5.update(new byte[16]);
        md5.update(packet, 20, packet.length - 20);
        md5.update(secret);
        return md5.digest();
    }

    /**
     * The Message-Authenticator of a request: HMAC-MD5 over the packet with the Request Authenticator and the
     * Message-Authenticator value both zero (it is computed before the Request Authenticator, RFC 5176 section 3.1).
     */
    static boolean messageAuthenticatorVerifies(byte[] packet, byte[] secret) {
        byte[] copy = packet.clone();
        Arrays.fill(copy, 4, 20, (byte) 0);
        int offset = messageAuthenticatorOffset(copy);
        if (offset < 0 || (copy[offset - 1] & 0xff) != 18) return false;
        byte[] received = Arrays.copyOfRange(copy, offset, offset + 16);
        Arrays.fill(copy, offset, offset + 16, (byte) 0);
        return MessageDigest.isEqual(received, hmacMd5(copy, secret));
    }

    /** Offset of the first Message-Authenticator's value, or -1. */
    static int messageAuthenticatorOffset(byte[] packet) {
        int at = 20;
        while (at + 2 <= packet.length) {
            int length = packet[at + 1] & 0xff;
            if (length < 2) return -1;
            if ((packet[at] & 0xff) == MESSAGE_AUTHENTICATOR) return at + 2;
            at += length;
        }
        return -1;
    }

    /**
     * An answer: Message-Authenticator (when wanted) is the HMAC-MD5 of the answer carrying the Request
     * Authenticator, then the Response Authenticator is MD5(Code, Identifier, Length, Request Authenticator,
     * Attributes, secret).
     */
    static byte[] response(int code, int identifier, byte[] requestAuthenticator, List<WireAttribute> attributes,
                           boolean withMessageAuthenticator, byte[] secret) {
        List<WireAttribute> all = new ArrayList<>(attributes);
        if (withMessageAuthenticator) all.add(new WireAttribute(MESSAGE_AUTHENTICATOR, new byte[16]));
        byte[] body = WireAttribute.encode(all);
        byte[] p = new byte[20 + body.length];
        p[0] = (byte) code;
        p[1] = (byte) identifier;
        p[2] = (byte) (p.length >>> 8);
        p[3] = (byte) p.length;
        System.arraycopy(requestAuthenticator, 0, p, 4, 16);
        System.arraycopy(body, 0, p, 20, body.length);
        if (withMessageAuthenticator) {
            int offset = messageAuthenticatorOffset(p);
            System.arraycopy(hmacMd5(p, secret), 0, p, offset, 16);
        }
        MessageDigest md5 = md5();
        md5.update(p);
        md5.update(secret);
        System.arraycopy(md5.digest(), 0, p, 4, 16);
        return p;
    }

    static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 missing from the JCE", e);
        }
    }

    static byte[] hmacMd5(byte[] data, byte[] secret) {
        try {
            Mac mac = Mac.getInstance("HmacMD5");
            mac.init(new SecretKeySpec(secret, "HmacMD5"));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacMD5 missing from the JCE", e);
        }
    }
}
