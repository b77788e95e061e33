package net.l2sec.dataplane.auth.eap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.random.RandomGenerator;
import net.l2sec.dataplane.auth.eap.EapPacket.Request;
import net.l2sec.spi.auth.AuthMethod;
import net.l2sec.spi.auth.AuthResult;
import net.l2sec.spi.auth.Authorization;
import net.l2sec.spi.auth.ChapCredentials;
import net.l2sec.spi.auth.Credentials;
import net.l2sec.spi.auth.EapCredentials;
import net.l2sec.spi.auth.MsChapV2;
import net.l2sec.spi.auth.MsChapV2Credentials;
import net.l2sec.spi.auth.RejectReason;
import org.junit.jupiter.api.Test;

/**
 * {@link EapAuthenticator} driven by hand: RFC 2759 section 9.2's example (user "User", password "clientPass", its
 * Authenticator and Peer Challenges and NT-Response) as an EAP-MSCHAPv2 conversation, the RFC 3079 keys as the MSK,
 * Nak, the Identity binding, relay round trips and every discarded Response.
 */
class EapAuthenticatorTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final String PASSWORD = "clientPass";
    private static final byte[] USER = "User".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] AUTH_CHALLENGE = HEX.parseHex("5B5D7C7D7B3F2F3E3C2C602132262628");
    private static final byte[] PEER_CHALLENGE = HEX.parseHex("21402324255E262A28295F2B3A337C7E");
    private static final byte[] NT_RESPONSE = HEX.parseHex("82309ECD8D708B5EA08FAA3981CD83544233114A3D85D6DF");
    /** RFC 3079 section 3.5.3: the server's MasterReceiveKey (Magic2), its MasterSendKey (SendStartKey128), 32 zeros. */
    private static final String MSK = "D5F0E9521E3EA9589645E86051C82226" + "8B7CDC149B993A1BA118CB153F56DCCB" + "00".repeat(32);
    private static final int FIRST_ID = 0x2a;

    /** Identifier {@link #FIRST_ID}, then each challenge from the queue (the RFC's Authenticator Challenge first). */
    static final class FixedRandom implements RandomGenerator {
        final Deque<byte[]> bytes = new ArrayDeque<>(List.of(AUTH_CHALLENGE, new byte[16], new byte[16], new byte[16]));

        @Override
        public int nextInt(int bound) {
            return FIRST_ID;
        }

        @Override
        public void nextBytes(byte[] out) {
            byte[] next = bytes.removeFirst();
            System.arraycopy(next, 0, out, 0, out.length);
        }

        @Override
        public long nextLong() {
            throw new UnsupportedOperationException("only nextInt(bound) and nextBytes");
        }
    }

    record Verification(AuthMethod method, String user, Credentials credentials, Consumer<AuthResult> onResult) {}

    record Outcome(boolean success, AuthMethod method, AuthResult.Accept accept, RejectReason reason, String detail, byte[] eap) {}

    /** Records everything; the backend's answer is given by the test (later, through {@link #decide}). */
    static final class Host implements EapAuthenticator.Host {
        final List<byte[]> sent = new ArrayList<>();
        final List<Verification> verifications = new ArrayList<>();
        final List<EapDiscard> discards = new ArrayList<>();
        Outcome outcome;

        @Override
        public void send(byte[] eapRequest) {
            sent.add(eapRequest);
        }

        @Override
        public void verify(AuthMethod method, String user, Credentials credentials, Consumer<AuthResult> onResult) {
            verifications.add(new Verification(method, user, credentials, onResult));
        }

        @Override
        public void succeeded(AuthMethod method, AuthResult.Accept accept, byte[] eapSuccess) {
            assertThat(outcome).isNull();
            outcome = new Outcome(true, method, accept, null, null, eapSuccess);
        }

        @Override
        public void failed(AuthMethod method, RejectReason reason, String detail, byte[] eapFailure) {
            assertThat(outcome).isNull();
            outcome = new Outcome(false, method, null, reason, detail, eapFailure);
        }

        @Override
        public void malformed(EapDiscard reason, String detail) {
            discards.add(reason);
        }

        Request lastRequest() throws MalformedEapException {
            return (Request) EapCodec.decode(sent.getLast());
        }

        void decide(Function<Credentials, AuthResult> backend) {
            Verification v = verifications.getLast();
            v.onResult().accept(backend.apply(v.credentials()));
        }
    }

    final Host host = new Host();

    private EapAuthenticator local(AuthMethod... methods) {
        return new EapAuthenticator(host, List.of(methods), false, new FixedRandom());
    }

    static byte[] response(int id, int type, byte[] data) {
        return EapCodec.encode(new EapPacket.Response(id, type, data));
    }

    /** An EAP-MSCHAPv2 Response (OpCode 2) with the RFC's Peer Challenge and NT-Response, or another NT-Response. */
    static byte[] msChapV2Response(int eapId, int msId, byte[] ntResponse, byte[] name) {
        byte[] d = new byte[5 + 49 + name.length];
        d[0] = 2;
        d[1] = (byte) msId;
        d[2] = (byte) (d.length >>> 8);
        d[3] = (byte) d.length;
        d[4] = 49;
        System.arraycopy(PEER_CHALLENGE, 0, d, 5, 16);
        System.arraycopy(ntResponse, 0, d, 29, 24);
        System.arraycopy(name, 0, d, 54, name.length);
        return response(eapId, 26, d);
    }

    /** What the local-users backend answers: RFC 2759 verification, the RFC 3079 MSK. */
    static AuthResult localBackend(Credentials c) {
        byte[] hash = MsChapV2.ntPasswordHash(PASSWORD);
        MsChapV2Credentials ms = (MsChapV2Credentials) c;
        return ms.verify(hash).<AuthResult>map(s -> new AuthResult.Accept("User", Optional.of(s), Authorization.defaults("local"),
                        Optional.of(MsChapV2.eapMsk(hash, ms.ntResponse()))))
                .orElse(new AuthResult.Reject(RejectReason.BAD_CREDENTIALS, "wrong password or response"));
    }

    private void identity(EapAuthenticator eap) throws Exception {
        eap.start("User@ike");
        assertThat(HEX.formatHex(host.sent.getLast())).isEqualTo("012a000501");   // Request/Identity, no Type-Data
        eap.receive(response(FIRST_ID, 1, USER));
    }

    @Test
    void localEapMsChapV2WithTheRfc2759ExampleGivesTheRfc3079Msk() throws Exception {
        var eap = local(AuthMethod.EAP_MSCHAPV2);
        identity(eap);

        // Challenge: Code 1, Id 0x2b, Length 5+4+1+16+5, Type 26, OpCode 1, MS-CHAPv2-ID, MS-Length 26, Value-Size 16, Name
        assertThat(HEX.formatHex(host.sent.getLast())).isEqualToIgnoringCase(
                "012b001f1a" + "012b001a10" + "5B5D7C7D7B3F2F3E3C2C602132262628" + HEX.formatHex("l2sec".getBytes()));
        eap.receive(msChapV2Response(0x2b, 0x2b, NT_RESPONSE, USER));

        assertThat(host.verifications).singleElement().satisfies(v -> {
            assertThat(v.method()).isEqualTo(AuthMethod.EAP_MSCHAPV2);
            assertThat(v.user()).isEqualTo("User");
            assertThat(v.credentials()).isInstanceOfSatisfying(MsChapV2Credentials.class, c -> {
                assertThat(c.authenticatorChallenge()).isEqualTo(AUTH_CHALLENGE);
                assertThat(c.peerChallenge()).isEqualTo(PEER_CHALLENGE);
                assertThat(c.ntResponse()).isEqualTo(NT_RESPONSE);
            });
        });
        assertThat(host.sent).hasSize(2);                       // nothing while the backend decides
        host.decide(EapAuthenticatorTest::localBackend);

        Request success = host.lastRequest();
        assertThat(success.identifier()).isEqualTo(0x2c);
        byte[] d = success.typeData();
        assertThat(HEX.formatHex(d, 0, 4)).isEqualTo("032b" + String.format("%04x", d.length));   // OpCode 3, the exchange's MS-CHAPv2-ID
        assertThat(new String(d, 4, d.length - 4, StandardCharsets.US_ASCII))
                .isEqualTo("S=407A5589115FD0D6209F510FE9C04566932CDA56 M=Access granted");
        assertThat(host.outcome).isNull();

        eap.receive(response(0x2c, 26, new byte[] {3}));       // the peer's Success Response ends the method
        assertThat(host.outcome.success()).isTrue();
        assertThat(host.outcome.method()).isEqualTo(AuthMethod.EAP_MSCHAPV2);
        assertThat(HEX.formatHex(host.outcome.eap())).isEqualTo("032c0004");   // EAP-Success
        assertThat(host.outcome.accept().msk()).hasValueSatisfying(m -> assertThat(HEX.formatHex(m)).isEqualToIgnoringCase(MSK));
        assertThat(host.discards).isEmpty();
        assertThat(eap.done()).isTrue();
    }

    @Test
    void aWrongResponseGetsAnMsChapV2FailureThenEapFailure() throws Exception {
        var eap = local(AuthMethod.EAP_MSCHAPV2);
        identity(eap);
        eap.receive(msChapV2Response(0x2b, 0x2b, new byte[24], USER));
        host.decide(EapAuthenticatorTest::localBackend);

        Request failure = host.lastRequest();
        String text = new String(failure.typeData(), 4, failure.typeData().length - 4, StandardCharsets.US_ASCII);
        assertThat(failure.typeData()[0]).isEqualTo((byte) 4);
        assertThat(text).startsWith("E=691 R=0 C=").endsWith(" V=3 M=Access denied");
        assertThat(eap.pendingRejection()).hasValueSatisfying(r -> assertThat(r.reason()).isEqualTo(RejectReason.BAD_CREDENTIALS));
        assertThat(host.outcome).isNull();
        eap.receive(response(0x2c, 26, new byte[] {4}));
        assertThat(eap.pendingRejection()).isEmpty();

        assertThat(host.outcome.success()).isFalse();
        assertThat(host.outcome.reason()).isEqualTo(RejectReason.BAD_CREDENTIALS);
        assertThat(HEX.formatHex(host.outcome.eap())).isEqualTo("042c0004");   // EAP-Failure
    }

    @Test
    void anMsChapV2NameOtherThanTheIdentityIsRefusedWithoutAskingTheBackend() throws Exception {
        var eap = local(AuthMethod.EAP_MSCHAPV2);
        identity(eap);
        eap.receive(msChapV2Response(0x2b, 0x2b, NT_RESPONSE, "Admin".getBytes(StandardCharsets.US_ASCII)));

        assertThat(host.verifications).isEmpty();
        assertThat(host.lastRequest().typeData()[0]).isEqualTo((byte) 4);      // MS-CHAPv2 Failure
        eap.receive(response(0x2c, 26, new byte[] {4}));
        assertThat(host.outcome.reason()).isEqualTo(RejectReason.IDENTITY_MISMATCH);
        assertThat(host.outcome.detail()).contains("User").contains("User@ike");
    }

    @Test
    void anAcceptWithoutMskIsRefusedForEapMsChapV2() throws Exception {
        var eap = local(AuthMethod.EAP_MSCHAPV2);
        identity(eap);
        eap.receive(msChapV2Response(0x2b, 0x2b, NT_RESPONSE, USER));
        host.decide(c -> ((AuthResult.Accept) localBackend(c)).withMsk(Optional.empty()));

        assertThat(host.lastRequest().typeData()[0]).isEqualTo((byte) 4);
        eap.receive(response(0x2c, 26, new byte[] {4}));
        assertThat(host.outcome.reason()).isEqualTo(RejectReason.BACKEND_ERROR);
        assertThat(host.outcome.detail()).contains("MS-MPPE");
    }

    @Test
    void aNakMovesToTheNextConfiguredMethodThePeerWants() throws Exception {
        var eap = local(AuthMethod.EAP_MSCHAPV2, AuthMethod.EAP_MD5);
        identity(eap);
        eap.receive(response(0x2b, 3, new byte[] {4}));          // Legacy Nak: wants EAP-MD5

        Request md5 = host.lastRequest();
        assertThat(md5.identifier()).isEqualTo(0x2c);
        assertThat(md5.type()).isEqualTo(4);
        byte[] challenge = java.util.Arrays.copyOfRange(md5.typeData(), 1, 17);
        var probe = new ChapCredentials("User", 0x2c, challenge, new byte[16]);
        byte[] value = probe.expectedResponse(PASSWORD.getBytes(StandardCharsets.UTF_8));
        byte[] d = new byte[17 + 4];
        d[0] = 16;
        System.arraycopy(value, 0, d, 1, 16);
        System.arraycopy(USER, 0, d, 17, 4);
        eap.receive(response(0x2c, 4, d));

        assertThat(host.verifications).singleElement().satisfies(v -> {
            assertThat(v.method()).isEqualTo(AuthMethod.EAP_MD5);
            assertThat(((ChapCredentials) v.credentials()).verify(PASSWORD.getBytes(StandardCharsets.UTF_8))).isTrue();
        });
        host.decide(c -> new AuthResult.Accept("User", Optional.empty(), Authorization.defaults("local")));
        assertThat(host.outcome.success()).isTrue();
        assertThat(host.outcome.method()).isEqualTo(AuthMethod.EAP_MD5);
        assertThat(host.outcome.accept().msk()).isEmpty();              // EAP-MD5 generates no key
        assertThat(HEX.formatHex(host.outcome.eap())).isEqualTo("032c0004");
    }

    @Test
    void aNakForNothingConfiguredFails() throws Exception {
        var eap = local(AuthMethod.EAP_MSCHAPV2);
        identity(eap);
        eap.receive(response(0x2b, 3, new byte[] {13}));         // wants EAP-TLS

        assertThat(host.outcome.success()).isFalse();
        assertThat(host.outcome.reason()).isEqualTo(RejectReason.PEER_PROTOCOL);
        assertThat(host.outcome.detail()).contains("[13]");
        assertThat(HEX.formatHex(host.outcome.eap())).isEqualTo("042b0004");
    }

    @Test
    void anIdentityThatIsNoUserNameFails() throws Exception {
        var eap = local(AuthMethod.EAP_MSCHAPV2);
        eap.start("");
        eap.receive(response(FIRST_ID, 1, "bad\nname".getBytes(StandardCharsets.US_ASCII)));
        assertThat(host.outcome.reason()).isEqualTo(RejectReason.INVALID_USER_NAME);
        assertThat(host.verifications).isEmpty();
    }

    // ---- relay ----

    @Test
    void relayRoundTripsPassEveryResponseAndTheBackendsRequestsAndTheMsk() throws Exception {
        var eap = new EapAuthenticator(host, List.of(AuthMethod.EAP_MSCHAPV2), true, new FixedRandom());
        identity(eap);

        assertThat(host.verifications).singleElement().satisfies(v -> {
            var c = (EapCredentials) v.credentials();
            assertThat(HEX.formatHex(c.eapPacket())).isEqualTo("022a000901" + HEX.formatHex(USER));
            assertThat(c.state()).isEmpty();
            assertThat(c.user()).isEqualTo("User");
        });
        byte[] serverChallenge = EapCodec.encode(new Request(7, 26, EapMsChapV2.challenge(7, AUTH_CHALLENGE, "radius".getBytes())));
        host.decide(c -> new AuthResult.Challenge(serverChallenge, new byte[] {1, 2}));
        assertThat(host.sent.getLast()).isEqualTo(serverChallenge);     // unchanged

        byte[] peerResponse = msChapV2Response(7, 7, NT_RESPONSE, USER);
        eap.receive(peerResponse);
        assertThat(host.verifications).hasSize(2);
        var second = (EapCredentials) host.verifications.getLast().credentials();
        assertThat(second.eapPacket()).isEqualTo(peerResponse);
        assertThat(second.state()).containsExactly(1, 2);

        byte[] serverSuccess = EapCodec.encode(new Request(8, 26, EapMsChapV2.success(7, new byte[20])));
        host.decide(c -> new AuthResult.Challenge(serverSuccess, new byte[] {3}));
        eap.receive(response(8, 26, new byte[] {3}));
        byte[] msk = HEX.parseHex(MSK);
        host.decide(c -> new AuthResult.Accept("User", Optional.empty(), Authorization.defaults("radius"), Optional.of(msk)));

        assertThat(host.outcome.success()).isTrue();
        assertThat(host.outcome.method()).isEqualTo(AuthMethod.EAP_MSCHAPV2);
        assertThat(host.outcome.accept().msk()).hasValue(msk);
        assertThat(HEX.formatHex(host.outcome.eap())).isEqualTo("03080004");   // answers the last Response
    }

    @Test
    void relayBindsTheMsChapV2NameToTheIdentity() throws Exception {
        var eap = new EapAuthenticator(host, List.of(AuthMethod.EAP_MSCHAPV2), true, new FixedRandom());
        identity(eap);
        host.decide(c -> new AuthResult.Challenge(EapCodec.encode(new Request(7, 26,
                EapMsChapV2.challenge(7, AUTH_CHALLENGE, "radius".getBytes()))), new byte[0]));
        eap.receive(msChapV2Response(7, 7, NT_RESPONSE, "Admin".getBytes(StandardCharsets.US_ASCII)));

        assertThat(host.verifications).hasSize(1);                      // the backend never saw it
        assertThat(host.outcome.reason()).isEqualTo(RejectReason.IDENTITY_MISMATCH);
        assertThat(HEX.formatHex(host.outcome.eap())).isEqualTo("04070004");
    }

    @Test
    void relayRejectAndAcceptWithoutMskFail() throws Exception {
        var eap = new EapAuthenticator(host, List.of(AuthMethod.EAP_MSCHAPV2), true, new FixedRandom());
        identity(eap);
        host.decide(c -> new AuthResult.Challenge(EapCodec.encode(new Request(7, 26,
                EapMsChapV2.challenge(7, AUTH_CHALLENGE, "radius".getBytes()))), new byte[0]));
        eap.receive(msChapV2Response(7, 7, NT_RESPONSE, USER));
        host.decide(c -> new AuthResult.Accept("User", Optional.empty(), Authorization.defaults("radius")));
        assertThat(host.outcome.reason()).isEqualTo(RejectReason.BACKEND_ERROR);

        var rejected = new Host();
        var eap2 = new EapAuthenticator(rejected, List.of(AuthMethod.EAP_MSCHAPV2), true, new FixedRandom());
        eap2.start("");
        eap2.receive(response(FIRST_ID, 1, USER));
        rejected.decide(c -> new AuthResult.Reject(RejectReason.BAD_CREDENTIALS, "Access-Reject"));
        assertThat(rejected.outcome.reason()).isEqualTo(RejectReason.BAD_CREDENTIALS);
        assertThat(HEX.formatHex(rejected.outcome.eap())).isEqualTo("042a0004");
    }

    @Test
    void anAcceptOfTheIdentityAloneIsRefused() throws Exception {
        var eap = new EapAuthenticator(host, List.of(AuthMethod.EAP_MSCHAPV2), true, new FixedRandom());
        identity(eap);
        host.decide(c -> new AuthResult.Accept("User", Optional.empty(), Authorization.defaults("radius"), Optional.of(new byte[64])));
        assertThat(host.outcome.success()).isFalse();
        assertThat(host.outcome.reason()).isEqualTo(RejectReason.BACKEND_ERROR);
        assertThat(host.outcome.detail()).contains("without running an EAP method");
    }

    @Test
    void aBackendChallengeThatIsNoEapRequestFails() throws Exception {
        var eap = new EapAuthenticator(host, List.of(AuthMethod.EAP_MSCHAPV2), true, new FixedRandom());
        identity(eap);
        host.decide(c -> new AuthResult.Challenge(new byte[] {3, 7, 0, 4}, new byte[0]));   // an EAP-Success
        assertThat(host.outcome.reason()).isEqualTo(RejectReason.BACKEND_ERROR);
        assertThat(host.sent).hasSize(1);
    }

    @Test
    void aBackendThatNeverDecidesIsCutOff() throws Exception {
        var eap = new EapAuthenticator(host, List.of(AuthMethod.EAP_MSCHAPV2), true, new FixedRandom());
        identity(eap);
        for (int i = 0; i < EapAuthenticator.MAX_RELAY_ROUNDS + 1 && host.outcome == null; i++) {
            int id = i & 0xff;
            host.decide(c -> new AuthResult.Challenge(EapCodec.encode(new Request(id, 2, new byte[0])), new byte[0]));
            if (host.outcome == null) eap.receive(response(id, 2, new byte[0]));
        }
        assertThat(host.outcome.reason()).isEqualTo(RejectReason.BACKEND_ERROR);
        assertThat(host.outcome.detail()).contains("without deciding");
    }

    // ---- discarded Responses: counted, the conversation goes on ----

    @Test
    void malformedResponsesAreDiscardedAndCountedAndTheConversationContinues() throws Exception {
        var eap = local(AuthMethod.EAP_MSCHAPV2);
        eap.start("");
        eap.receive(new byte[] {2, FIRST_ID, 0});                                  // truncated header
        eap.receive(new byte[] {2, FIRST_ID, 0, 9, 1, 'U'});                        // Length beyond the octets
        eap.receive(new byte[] {2, FIRST_ID, 0, 3, 1});                             // Length below the header
        eap.receive(new byte[] {2, FIRST_ID, 0, 5, 1, 'U'});                        // octets beyond Length
        eap.receive(new byte[] {2, FIRST_ID, 0, 4});                                // Response without Type
        eap.receive(EapCodec.encode(new Request(FIRST_ID, 1, USER)));               // a Request from the peer
        eap.receive(new byte[] {9, FIRST_ID, 0, 4});                                // unknown Code
        eap.receive(response(FIRST_ID + 1, 1, USER));                               // wrong Identifier
        eap.receive(response(FIRST_ID, 26, new byte[] {2}));                        // not the Identity
        assertThat(host.discards).containsExactly(EapDiscard.TRUNCATED, EapDiscard.TRUNCATED, EapDiscard.BAD_LENGTH,
                EapDiscard.BAD_LENGTH, EapDiscard.TRUNCATED, EapDiscard.NOT_A_RESPONSE, EapDiscard.NOT_A_RESPONSE,
                EapDiscard.WRONG_IDENTIFIER, EapDiscard.UNEXPECTED_TYPE);
        assertThat(host.sent).hasSize(1);
        host.discards.clear();

        eap.receive(response(FIRST_ID, 1, USER));
        byte[] good = msChapV2Response(0x2b, 0x2b, NT_RESPONSE, USER);
        byte[] msLength = good.clone();
        msLength[8] = 0x7f;                                                          // MS-Length
        byte[] valueSize = good.clone();
        valueSize[9] = 48;                                                           // Value-Size
        byte[] msId = good.clone();
        msId[6] = 0x11;                                                              // MS-CHAPv2-ID
        byte[] opCode = good.clone();
        opCode[5] = 3;
        eap.receive(msLength);
        eap.receive(valueSize);
        eap.receive(msId);
        eap.receive(opCode);
        eap.receive(response(0x2b, 26, new byte[] {2, 0x2b, 0, 5, 49}));          // Response cut short
        eap.receive(response(0x2b, 4, new byte[17]));                               // EAP-MD5 not offered
        assertThat(host.discards).containsExactly(EapDiscard.BAD_MSCHAPV2, EapDiscard.BAD_MSCHAPV2, EapDiscard.BAD_MSCHAPV2,
                EapDiscard.BAD_MSCHAPV2, EapDiscard.BAD_MSCHAPV2, EapDiscard.UNEXPECTED_TYPE);
        assertThat(host.verifications).isEmpty();
        host.discards.clear();

        eap.receive(good);
        eap.receive(good);                                                           // while the backend decides
        assertThat(host.discards).containsExactly(EapDiscard.NOT_EXPECTED);
        host.decide(EapAuthenticatorTest::localBackend);
        eap.receive(response(0x2c, 26, new byte[] {4}));                             // acknowledges a Failure it was not sent
        assertThat(host.discards).containsExactly(EapDiscard.NOT_EXPECTED, EapDiscard.BAD_MSCHAPV2);
        eap.receive(response(0x2c, 26, new byte[] {3}));
        assertThat(host.outcome.success()).isTrue();
        eap.receive(response(0x2c, 26, new byte[] {3}));                             // after the end
        assertThat(host.discards).last().isEqualTo(EapDiscard.NOT_EXPECTED);
    }

    @Test
    void anEapMd5ResponseOfTheWrongSizeIsDiscarded() throws Exception {
        var eap = local(AuthMethod.EAP_MD5);
        identity(eap);
        eap.receive(response(0x2b, 4, new byte[] {15, 1, 2}));
        eap.receive(response(0x2b, 4, new byte[] {16, 1, 2}));
        eap.receive(response(0x2b, 4, new byte[0]));
        assertThat(host.discards).containsExactly(EapDiscard.BAD_MD5, EapDiscard.BAD_MD5, EapDiscard.BAD_MD5);
        assertThat(host.verifications).isEmpty();
    }

    @Test
    void aDecisionAfterStopIsIgnored() throws Exception {
        var eap = local(AuthMethod.EAP_MSCHAPV2);
        identity(eap);
        eap.receive(msChapV2Response(0x2b, 0x2b, NT_RESPONSE, USER));
        eap.stop();
        host.decide(EapAuthenticatorTest::localBackend);
        assertThat(host.sent).hasSize(2);
        assertThat(host.outcome).isNull();
        assertThatThrownBy(() -> eap.start("")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void withoutAnEapMethodItRefusesToBeBuilt() {
        assertThatThrownBy(() -> new EapAuthenticator(host, List.of(AuthMethod.PAP), false, new FixedRandom()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
