package net.l2sec.aaa.radius;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import net.l2sec.spi.session.SessionContext;
import net.l2sec.spi.auth.AuthMethod;
import net.l2sec.spi.auth.AuthRequest;
import net.l2sec.spi.auth.AuthResult;
import net.l2sec.spi.auth.ChapCredentials;
import net.l2sec.spi.auth.Credentials;
import net.l2sec.spi.auth.EapCredentials;
import net.l2sec.spi.auth.MsChapV2Credentials;
import net.l2sec.spi.auth.PapCredentials;
import net.l2sec.spi.auth.ProvenIdentity;
import net.l2sec.spi.auth.RejectReason;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.tinyradius.core.attribute.type.RadiusAttribute;
import org.tinyradius.core.attribute.type.VendorSpecificAttribute;
import org.tinyradius.core.dictionary.Dictionary;
import org.tinyradius.core.packet.request.RadiusRequest;
import org.tinyradius.core.packet.response.RadiusResponse;

/** Response mapping of {@link RadiusAuthenticator} with a canned {@link RadiusSender}. */
class RadiusAuthenticatorTest {
    private static final Dictionary D = RadiusDictionary.get();
    private static final SessionContext SESSION =
            new SessionContext("t1/s2", new InetSocketAddress("198.51.100.7", 4500), 1, 2, Instant.EPOCH);
    private static final RadiusClientSettings SETTINGS = new RadiusClientSettings(
            List.of(new RadiusServer("r", new InetSocketAddress("127.0.0.1", 1812), Optional.empty(), new byte[] {1})),
            Duration.ofSeconds(1), 0, Duration.ofSeconds(1), "nas", Optional.empty(), RadiusClientSettings.DEFAULT_GROUP_ATTRIBUTES);

    private final AtomicReference<RadiusRequest> sent = new AtomicReference<>();

    private AuthResult run(Credentials c, AuthMethod m, int code, List<RadiusAttribute> attrs) throws Exception {
        return run(SESSION, c, m, code, attrs);
    }

    private AuthResult run(SessionContext session, Credentials c, AuthMethod m, int code, List<RadiusAttribute> attrs)
            throws Exception {
        RadiusSender sender = req -> {
            sent.set(req);
            try {
                return CompletableFuture.completedFuture(RadiusResponse.create(D, (byte) code, (byte) 0, new byte[16], attrs));
            } catch (Exception e) {
                return CompletableFuture.failedFuture(e);
            }
        };
        return new RadiusAuthenticator(SETTINGS, sender).authenticate(new AuthRequest(session, m, c))
                .toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    private static MsChapV2Credentials ms() {
        return new MsChapV2Credentials("alice", new byte[16], new byte[16], new byte[24]);
    }

    private static RadiusAttribute msVsa(int type, String value) {
        return new VendorSpecificAttribute(D, 311, List.of(D.createAttribute(311, type, ("\u0001" + value).getBytes(StandardCharsets.US_ASCII))));
    }

    @Test
    void msChapErrorCodesMapToReasons() throws Exception {
        assertThat(reason("E=691 R=1 C=00 V=3")).isEqualTo(RejectReason.BAD_CREDENTIALS);
        assertThat(reason("E=647 R=0 V=3")).isEqualTo(RejectReason.ACCOUNT_DISABLED);
        assertThat(reason("E=648 R=0 V=3")).isEqualTo(RejectReason.ACCOUNT_DISABLED);
        assertThat(reason("E=646 R=0 V=3")).isEqualTo(RejectReason.POLICY_DENIED);
        assertThat(reason("E=649 R=0 V=3")).isEqualTo(RejectReason.POLICY_DENIED);
    }

    private RejectReason reason(String error) throws Exception {
        return ((AuthResult.Reject) run(ms(), AuthMethod.MSCHAPV2, 3, List.of(msVsa(2, error)))).reason();
    }

    @Test
    void rejectDetailCarriesSanitizedReplyMessage() throws Exception {
        AuthResult r = run(ms(), AuthMethod.MSCHAPV2, 3, List.of(D.createAttribute("Reply-Message", "go away\nnow")));
        assertThat(r).isInstanceOfSatisfying(AuthResult.Reject.class, x -> {
            assertThat(x.reason()).isEqualTo(RejectReason.BAD_CREDENTIALS);
            assertThat(x.detail()).contains("\"go away\\nnow\"").doesNotContain("\n");
        });
    }

    @Test
    void msChapAcceptWithoutSuccessIsBackendError() throws Exception {
        AuthResult r = run(ms(), AuthMethod.MSCHAPV2, 2, List.of());
        assertThat(r).isEqualTo(new AuthResult.Reject(RejectReason.BACKEND_ERROR, "Access-Accept without MS-CHAP2-Success"));
    }

    @Test
    void msChapRequestCarriesChallengeAndResponseVsas() throws Exception {
        String s = "S=" + "0123456789ABCDEF0123456789ABCDEF01234567";
        AuthResult r = run(ms(), AuthMethod.MSCHAPV2, 2, List.of(msVsa(26, s)));
        assertThat(r).isInstanceOfSatisfying(AuthResult.Accept.class, a ->
                assertThat(a.authenticatorResponse()).hasValueSatisfying(v -> assertThat(v).hasSize(20).startsWith(0x01, 0x23)));
        assertThat(sent.get().getFlattenedAttributes()).anySatisfy(a -> {
            assertThat(a.getVendorId()).isEqualTo(311);
            assertThat(a.getType()).isEqualTo(25);
            assertThat(a.getValue()).hasSize(50);
        });
        assertThat(sent.get().getAttribute("NAS-Port").map(RadiusAttribute::getValueString)).contains(String.valueOf(SESSION.nasPort()));
        assertThat(sent.get().getAttribute("Tunnel-Medium-Type").map(RadiusAttribute::getValueString)).contains("IPv4");
    }

    /** The attribute of {@code type} (RFC 2865 numbering) as it goes on the wire, type and length octets included. */
    private byte[] wire(int type) {
        return sent.get().getAttribute(type).orElseThrow(() -> new AssertionError("no attribute " + type)).toByteArray();
    }

    @Test
    void attributesBuiltByDictionaryNameHaveTheirRfcTypesAndLayouts() throws Exception {
        byte[] challenge = new byte[16];
        challenge[0] = 0x42;
        byte[] response = new byte[16];
        response[15] = 0x17;
        run(new ChapCredentials("alice", 9, challenge, response), AuthMethod.CHAP_MD5, 3, List.of());
        // RFC 2865 5.3: CHAP-Password (3) = CHAP Ident + 16-octet response; 5.40: CHAP-Challenge (60)
        assertThat(wire(3)).hasSize(19).startsWith(3, 19, 9).endsWith(0x17);
        assertThat(wire(60)).hasSize(18).startsWith(60, 18, 0x42);
        // RFC 2865 5.5: NAS-Port (5), 4 octets
        assertThat(wire(5)).containsExactly(java.nio.ByteBuffer.allocate(6).put((byte) 5).put((byte) 6)
                .putInt((int) SESSION.nasPort()).array());
        // RFC 2868 3.1-3.3: Tunnel-Type (64) L2TP (3), Tunnel-Medium-Type (65) IPv4 (1), Tunnel-Client-Endpoint (66),
        // all with tag 1
        assertThat(wire(64)).containsExactly(64, 6, 1, 0, 0, 3);
        assertThat(wire(65)).containsExactly(65, 6, 1, 0, 0, 1);
        assertThat(new String(wire(66), StandardCharsets.US_ASCII)).endsWith("\u0001198.51.100.7");
        assertThat(wire(66)[0]).isEqualTo((byte) 66);

        run(new EapCredentials("alice", new byte[] {2, 7, 0, 6, 1, 0x61}, new byte[] {5, 6}), AuthMethod.EAP_MSCHAPV2, 3, List.of());
        // RFC 3579 3.1: EAP-Message (79); RFC 2865 5.24: State (24) echoed
        assertThat(wire(79)).containsExactly(79, 8, 2, 7, 0, 6, 1, 0x61);
        assertThat(wire(24)).containsExactly(24, 4, 5, 6);
    }

    @Test
    void anIkev2ClientsAccessRequestNamesAnEspTunnelAndNoPpp() throws Exception {
        SessionContext ikev2 = SessionContext.ikev2("ike2=1", new InetSocketAddress("198.51.100.7", 4500), 7, Instant.EPOCH,
                null);
        run(ikev2, new EapCredentials("alice", new byte[] {2, 7, 0, 6, 1, 0x61}, new byte[0]), AuthMethod.EAP_MSCHAPV2, 3, List.of());
        assertThat(wire(64)).as("RFC 2868 Tunnel-Type ESP (9), tag 1").containsExactly(64, 6, 1, 0, 0, 9);
        assertThat(wire(61)).as("NAS-Port-Type Virtual").containsExactly(61, 6, 0, 0, 0, 5);
        assertThat(wire(5)).as("NAS-Port: the session id").containsExactly(5, 6, 0, 0, 0, 7);
        assertThat(sent.get().getAttribute(7)).as("no Framed-Protocol").isEmpty();
        assertThat(sent.get().getAttribute("Acct-Session-Id").map(RadiusAttribute::getValueString)).contains("00000000-00000007");
    }

    @Test
    void longEapPacketIsSplitAndChallengeReassembled() throws Exception {
        byte[] eap = new byte[600];
        eap[0] = 2;
        eap[2] = (byte) (600 >> 8);
        eap[3] = (byte) 600;
        byte[] big = new byte[300];
        big[0] = 1;
        AuthResult r = run(new EapCredentials("alice", eap, new byte[] {9}), AuthMethod.EAP_MSCHAPV2, 11, List.of(
                D.createAttribute(-1, 79, java.util.Arrays.copyOf(big, 253)),
                D.createAttribute(-1, 79, java.util.Arrays.copyOfRange(big, 253, 300)),
                D.createAttribute(-1, 24, new byte[] {7, 7})));
        assertThat(sent.get().filterAttributes(79)).extracting(a -> a.getValue().length).containsExactly(253, 253, 94);
        assertThat(sent.get().getAttribute(24).map(RadiusAttribute::getValue)).hasValue(new byte[] {9});
        assertThat(r).isInstanceOfSatisfying(AuthResult.Challenge.class, c -> {
            assertThat(c.eapPacket()).isEqualTo(big);
            assertThat(c.state()).isEqualTo(new byte[] {7, 7});
        });
    }

    @Test
    void unavailableIsBackendTimeout() throws Exception {
        RadiusSender sender = req -> CompletableFuture.failedFuture(new RadiusUnavailableException("x"));
        AuthResult r = new RadiusAuthenticator(SETTINGS, sender).authenticate(new AuthRequest(SESSION, AuthMethod.MSCHAPV2, ms()))
                .toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertThat(r).isEqualTo(new AuthResult.Reject(RejectReason.BACKEND_TIMEOUT, "no RADIUS server answered"));
    }

    /**
     * An IKEv2 PSK or certificate client has no credential an Access-Request could carry: refused as
     * method_unsupported (so the policy asks the next backend) without a packet, with a log line saying why.
     */
    @Test
    void aProvenIdentityIsRefusedWithoutAPacket() throws Exception {
        Logger logger = (Logger) LoggerFactory.getLogger(RadiusAuthenticator.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        try {
            for (AuthMethod m : List.of(AuthMethod.IKEV2_PSK, AuthMethod.IKEV2_CERTIFICATE)) {
                AuthResult r = run(new ProvenIdentity("alice", "certificate CN=alice issued by CN=Corp CA serial 1f"), m, 2, List.of());
                assertThat(r).isEqualTo(new AuthResult.Reject(RejectReason.METHOD_UNSUPPORTED,
                        "RADIUS cannot authorize an IKEv2 PSK or certificate client: an Access-Request needs a password"
                                + " or EAP to send (route ikev2-psk and ikev2-certificate to local or ldap)"));
            }
        } finally {
            logger.detachAppender(appender);
        }
        assertThat(sent.get()).as("no Access-Request sent").isNull();
        assertThat(appender.list).hasSize(2);
        assertThat(appender.list.getFirst().getFormattedMessage()).startsWith(
                "radius auth session=t1/s2 user=alice method=ikev2-psk result=reject reason=method_unsupported detail=RADIUS cannot");
        assertThat(appender.list.getLast().getFormattedMessage()).contains("method=ikev2-certificate");
    }

    /**
     * RFC 3162 section 2.3 and RFC 4818 wire form: Reserved, Prefix-Length, the significant octets (here 2001:db8:77::/48
     * as 00 30 20 01 0d b8 00 77); the dictionary (tinyradius) refuses bits past the length; an impossible length or a short value is ignored,
     * as is a Framed-Interface-Id that is not 8 octets (RFC 3162 section 2.2).
     */
    @Test
    void ipv6AssignmentsFromTheirWireForm() throws Exception {
        var pap = new PapCredentials("alice", "pw".getBytes(StandardCharsets.UTF_8));
        var z = ((AuthResult.Accept) run(pap, AuthMethod.PAP, 2, List.of(
                D.createAttribute(-1, 97, java.util.HexFormat.of().parseHex("003020010db80077")),
                D.createAttribute(-1, 96, java.util.HexFormat.of().parseHex("0000000000000042")),
                D.createAttribute(-1, 123, java.util.HexFormat.of().parseHex("003820010db8aa00ff"))))).authorization().ipv6();
        assertThat(z.framedPrefix()).hasValueSatisfying(p -> assertThat(p.toString()).isEqualTo("2001:db8:77:0:0:0:0:0/48"));
        assertThat(z.interfaceId()).hasValue(0x42);
        assertThat(z.delegatedPrefix()).hasValueSatisfying(p -> assertThat(p.toString()).isEqualTo("2001:db8:aa00:ff00:0:0:0:0/56"));
        // malformed prefixes (length 129, bits past the length) the dictionary refuses already, as it parses the packet
        assertThatThrownBy(() -> D.createAttribute(-1, 97, java.util.HexFormat.of().parseHex("00812001")))
                .isInstanceOf(IllegalArgumentException.class);
        var bad = ((AuthResult.Accept) run(pap, AuthMethod.PAP, 2, List.of(
                D.createAttribute(-1, 96, java.util.HexFormat.of().parseHex("000042"))))).authorization().ipv6();
        assertThat(bad.isEmpty()).as(bad.toString()).isTrue();
    }

    /** The accepted user is the Access-Accept's User-Name when it has one, else the presented name (RFC 2865 section 5.1). */
    @Test
    void theAcceptedUserIsTheServersUserNameElseThePresentedOne() throws Exception {
        var pap = new PapCredentials("ALICE@corp", "pw".getBytes(StandardCharsets.UTF_8));
        assertThat(run(pap, AuthMethod.PAP, 2, List.of(D.createAttribute("User-Name", "alice"))))
                .isInstanceOfSatisfying(AuthResult.Accept.class, a -> assertThat(a.user()).isEqualTo("alice"));
        assertThat(run(pap, AuthMethod.PAP, 2, List.of()))
                .isInstanceOfSatisfying(AuthResult.Accept.class, a -> assertThat(a.user()).isEqualTo("ALICE@corp"));
    }

    /** A name with a line break and a forged field stays on its log line, escaped; so does the server's reply text. */
    @Test
    void namesAndServerTextAreEscapedInTheLogLine() throws Exception {
        Logger logger = (Logger) LoggerFactory.getLogger(RadiusAuthenticator.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        try {
            var pap = new PapCredentials("eve\nINFO forged result=accept", "pw".getBytes(StandardCharsets.UTF_8));
            run(pap, AuthMethod.PAP, 3, List.of(D.createAttribute("Reply-Message", "no\r\nINFO radius auth user=root result=accept")));
        } finally {
            logger.detachAppender(appender);
        }
        String line = appender.list.getLast().getFormattedMessage();
        assertThat(line).doesNotContain("\n").doesNotContain("\r")
                .contains("user=\"eve\\nINFO forged result=accept\"")
                .contains("result=reject reason=bad_credentials")
                .contains("detail=Access-Reject: \"no\\r\\nINFO radius auth user=root result=accept\"");
    }

    /** RFC 2865 section 5.22's examples and forms: the prefix's class gives a missing length, host bits are masked. */
    @Test
    void framedRoutesAreReadAsSplitTunnelRoutes() throws Exception {
        assertThat(RadiusAuthenticator.framedRoute("192.168.1.0/24 192.168.1.1 1 2 -1 3 400")).contains(
                net.l2sec.spi.auth.Ipv4Route.parse("192.168.1.0/24"));
        assertThat(RadiusAuthenticator.framedRoute("192.168.1.0 192.168.1.1 1")).contains(net.l2sec.spi.auth.Ipv4Route.parse("192.168.1.0/24"));
        assertThat(RadiusAuthenticator.framedRoute("10.1.0.0/16 0.0.0.0 1")).contains(net.l2sec.spi.auth.Ipv4Route.parse("10.1.0.0/16"));
        assertThat(RadiusAuthenticator.framedRoute("10.1.2.3")).contains(net.l2sec.spi.auth.Ipv4Route.parse("10.0.0.0/8"));
        assertThat(RadiusAuthenticator.framedRoute("172.16.5.0 0.0.0.0 1")).contains(net.l2sec.spi.auth.Ipv4Route.parse("172.16.0.0/16"));
        assertThat(RadiusAuthenticator.framedRoute("10.1.2.3/16 0.0.0.0 1")).contains(net.l2sec.spi.auth.Ipv4Route.parse("10.1.0.0/16"));
        for (String bad : new String[] {"", "  ", "10.1.0.0/33 0.0.0.0 1", "10.1.0.0/0", "corp.example.com/16", "10.1/16 0.0.0.0", "10.1.0.0/x"}) {
            assertThat(RadiusAuthenticator.framedRoute(bad)).as(bad).isEmpty();
        }
    }

    @Test
    void anAcceptsFramedRoutesReachTheAuthorization() throws Exception {
        String s = "S=" + "0123456789ABCDEF0123456789ABCDEF01234567";
        AuthResult r = run(ms(), AuthMethod.MSCHAPV2, 2, List.of(msVsa(26, s), D.createAttribute("Framed-Route", "10.1.0.0/16 0.0.0.0 1"),
                D.createAttribute("Framed-Route", "not a route"), D.createAttribute("Framed-Route", "192.168.50.0/24 0.0.0.0 1")));
        assertThat(((AuthResult.Accept) r).authorization().routes()).containsExactly(
                net.l2sec.spi.auth.Ipv4Route.parse("10.1.0.0/16"), net.l2sec.spi.auth.Ipv4Route.parse("192.168.50.0/24"));
    }

    private static RadiusAttribute wispr(int type, int bitsPerSecond) {
        byte[] v = java.nio.ByteBuffer.allocate(4).putInt(bitsPerSecond).array();
        return new VendorSpecificAttribute(D, 14122, List.of(D.createAttribute(14122, type, v)));
    }

    /** WISPr-Bandwidth-Max-Up (14122/7) and -Down (14122/8), bits per second, become the session's rate limit. */
    @Test
    void wisprBandwidthAttributesBecomeTheRateLimit() throws Exception {
        String s = "S=" + "0123456789ABCDEF0123456789ABCDEF01234567";
        AuthResult r = run(ms(), AuthMethod.MSCHAPV2, 2, List.of(msVsa(26, s), wispr(8, 10_000_000), wispr(7, 2_000_000)));
        assertThat(((AuthResult.Accept) r).authorization().rateLimit()).contains(new net.l2sec.spi.auth.RateLimit(10_000_000, 2_000_000));
        AuthResult downOnly = run(ms(), AuthMethod.MSCHAPV2, 2, List.of(msVsa(26, s), wispr(8, 5_000_000), wispr(7, 100)));
        assertThat(((AuthResult.Accept) downOnly).authorization().rateLimit()).as("100 bit/s is ignored")
                .contains(new net.l2sec.spi.auth.RateLimit(5_000_000, 0));
        AuthResult none = run(ms(), AuthMethod.MSCHAPV2, 2, List.of(msVsa(26, s)));
        assertThat(((AuthResult.Accept) none).authorization().rateLimit()).isEmpty();
    }
}
