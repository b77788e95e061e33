package net.l2sec.aaa.radius;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import net.l2sec.spi.auth.AuthMethod;
import net.l2sec.spi.auth.AuthRequest;
import net.l2sec.spi.auth.AuthResult;
import net.l2sec.spi.auth.Authenticator;
import net.l2sec.spi.auth.EapCredentials;
import net.l2sec.spi.auth.MsChapV2;
import net.l2sec.spi.session.SessionContext;

/**
 * The EAP peer side of RFC 3748 / EAP-MSCHAPv2 (draft-kamath-pppext-eap-mschapv2), as the PPP client runs it. The
 * EAP identity and the Name inside the MS-CHAPv2 Response are separate, so that a test can make them differ.
 *
 * <p>Two ways to drive it: {@link #run} relays the conversation straight to an {@link Authenticator} the way the
 * dataplane relays it (every Response as {@link EapCredentials} whose user is the EAP identity), bypassing PPP; or
 * a PPP client takes {@link #identityResponse} and {@link #answer} for the EAP packets it exchanges with the
 * concentrator (the concentrator module's end-to-end tests, through the aaa-adapter test-jar).
 */
public final class EapMsChapV2Peer {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final SessionContext SESSION =
            new SessionContext("t7/s9", new InetSocketAddress("192.0.2.10", 4500), 7, 9, Instant.parse("2026-01-01T00:00:00Z"));

    final String identity;
    final String name;
    final String password;
    boolean successVerified;
    byte[] authChallenge;
    byte[] peerChallenge;
    byte[] ntResponse;

    /** Identity and MS-CHAPv2 Name the same, as every honest client does. */
    public EapMsChapV2Peer(String user, String password) {
        this(user, user, password);
    }

    /** @param name the Name of the MS-CHAPv2 Response, which also enters its challenge hash (RFC 2759 section 8.2) */
    public EapMsChapV2Peer(String identity, String name, String password) {
        this.identity = identity;
        this.name = name;
        this.password = password;
    }

    /** True once the server's Success request carried the AuthenticatorResponse for our password (RFC 2759 section 8.7). */
    public boolean successVerified() {
        return successVerified;
    }

    /** The NT-Response we sent, or null before the server's Challenge. */
    public byte[] ntResponse() {
        return ntResponse == null ? null : ntResponse.clone();
    }

    /** The Response/Identity (type 1) to the Request/Identity with {@code identifier}. */
    public byte[] identityResponse(int identifier) {
        return eap(2, identifier, concat(new byte[] {1}, identity.getBytes(StandardCharsets.UTF_8)));
    }

    /** The EAP Response to an EAP-MSCHAPv2 Request (type 26): Challenge, Success request or Failure request. */
    public byte[] answer(byte[] req) {
        assertThat(req[0]).as("EAP Request").isEqualTo((byte) 1);
        assertThat(req[4]).as("EAP type MSCHAPv2").isEqualTo((byte) 26);
        int id = req[1] & 0xff;
        int opCode = req[5];
        return switch (opCode) {
            case 1 -> { // Challenge: OpCode, MS-CHAPv2-ID, MS-Length, Value-Size, Challenge, Name
                int msId = req[6] & 0xff;
                authChallenge = Arrays.copyOfRange(req, 10, 26);
                peerChallenge = new byte[16];
                RANDOM.nextBytes(peerChallenge);
                ntResponse = MsChapV2.generateNtResponse(authChallenge, peerChallenge, name, MsChapV2.ntPasswordHash(password));
                byte[] nameOctets = name.getBytes(StandardCharsets.UTF_8);
                ByteArrayOutputStream v = new ByteArrayOutputStream();
                v.write(2);           // OpCode Response
                v.write(msId);
                int msLength = 4 + 1 + 49 + nameOctets.length;
                v.write(msLength >> 8);
                v.write(msLength);
                v.write(49);          // Value-Size
                v.writeBytes(peerChallenge);
                v.writeBytes(new byte[8]);
                v.writeBytes(ntResponse);
                v.write(0);           // Flags
                v.writeBytes(nameOctets);
                yield eap(2, id, concat(new byte[] {26}, v.toByteArray()));
            }
            case 3 -> { // Success request: "S=<40 hex> M=..."
                String msg = new String(req, 9, req.length - 9, StandardCharsets.US_ASCII);
                byte[] expected = MsChapV2.generateAuthenticatorResponse(MsChapV2.ntPasswordHash(password), ntResponse,
                        peerChallenge, authChallenge, name);
                successVerified = msg.startsWith(MsChapV2.authenticatorResponseString(expected));
                yield eap(2, id, new byte[] {26, 3});
            }
            case 4 -> eap(2, id, new byte[] {26, 4}); // Failure request: acknowledge
            default -> throw new AssertionError("unexpected MSCHAPv2 OpCode " + opCode);
        };
    }

    /** The whole conversation relayed to {@code a} without PPP in between: its final Accept or Reject. */
    public AuthResult run(Authenticator a) throws Exception {
        byte[] response = identityResponse(1);
        byte[] state = new byte[0];
        for (int round = 0; round < 6; round++) {
            AuthResult r = a.authenticate(new AuthRequest(SESSION, AuthMethod.EAP_MSCHAPV2, new EapCredentials(identity, response, state)))
                    .toCompletableFuture().get(20, TimeUnit.SECONDS);
            if (!(r instanceof AuthResult.Challenge c)) return r;
            state = c.state();
            response = answer(c.eapPacket());
        }
        throw new AssertionError("EAP conversation did not end");
    }

    static byte[] eap(int code, int id, byte[] data) {
        return ByteBuffer.allocate(4 + data.length).put((byte) code).put((byte) id).putShort((short) (4 + data.length))
                .put(data).array();
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
