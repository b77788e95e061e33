package net.l2sec.aaa.radius;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import net.l2sec.spi.auth.AuthMethod;
import net.l2sec.spi.auth.AuthRequest;
import net.l2sec.spi.auth.AuthResult;
import net.l2sec.spi.auth.MsChapV2;
import net.l2sec.spi.auth.MsChapV2Credentials;
import net.l2sec.spi.session.SessionContext;
import org.junit.jupiter.api.Test;
import org.tinyradius.core.packet.response.RadiusResponse;

/**
 * MS-MPPE-Send-Key / MS-MPPE-Recv-Key (RFC 2548 sections 2.4.2 and 2.4.3): encrypted here, independently of the
 * production code, with the RFC's algorithm (a fixed salt, JCE MD5), decrypted by {@link RadiusSocket} with the
 * server's secret and the request's authenticator, and turned into the MSK by {@link RadiusAuthenticator}: for the RFC
 * 2759 / RFC 3079 example it must be the MSK a local EAP-MSCHAPv2 computes.
 */
class MppeKeysTest {
    private static final HexFormat HEX = HexFormat.of();
    /** The secret {@link RadiusTransportTest#reply} signs with. */
    private static final byte[] SECRET = "unit-secret".getBytes(StandardCharsets.UTF_8);
    private static final byte[] AUTH_CHALLENGE = HEX.parseHex("5B5D7C7D7B3F2F3E3C2C602132262628");
    private static final byte[] PEER_CHALLENGE = HEX.parseHex("21402324255E262A28295F2B3A337C7E");
    private static final byte[] NT_RESPONSE = HEX.parseHex("82309ECD8D708B5EA08FAA3981CD83544233114A3D85D6DF");
    /** RFC 3079 section 3.5.3 keys of the server: MasterReceiveKey (Magic2) and MasterSendKey (the RFC's SendStartKey128). */
    private static final byte[] RECV_KEY = HEX.parseHex("D5F0E9521E3EA9589645E86051C82226");
    private static final byte[] SEND_KEY = HEX.parseHex("8B7CDC149B993A1BA118CB153F56DCCB");

    /**
     * RFC 2548 section 2.4.2, written from the RFC: P = Key-Length | Key | zero padding to a multiple of 16;
     * b(1) = MD5(S + R + A), c(1) = p(1) xor b(1), b(i) = MD5(S + c(i-1)); the value is A | c(1) | c(2) ...
     */
    static byte[] encrypt(byte[] key, int salt, byte[] secret, byte[] requestAuthenticator) throws Exception {
        byte[] p = new byte[(1 + key.length + 15) / 16 * 16];
        p[0] = (byte) key.length;
        System.arraycopy(key, 0, p, 1, key.length);
        byte[] a = {(byte) (salt >>> 8), (byte) salt};
        byte[] out = new byte[2 + p.length];
        out[0] = a[0];
        out[1] = a[1];
        var md5 = java.security.MessageDigest.getInstance("MD5");
        byte[] previous = null;
        for (int i = 0; i < p.length; i += 16) {
            md5.update(secret);
            if (previous == null) {
                md5.update(requestAuthenticator);
                md5.update(a);
            } else {
                md5.update(previous);
            }
            byte[] b = md5.digest();
            for (int j = 0; j < 16; j++) out[2 + i + j] = (byte) (p[i + j] ^ b[j]);
            previous = Arrays.copyOfRange(out, 2 + i, 2 + i + 16);
        }
        return out;
    }

    private static final byte[] REQUEST_AUTHENTICATOR = HEX.parseHex("000102030405060708090a0b0c0d0e0f");

    @Test
    void decryptsWhatTheRfcAlgorithmEncryptsForEveryKeyLength() throws Exception {
        for (int length : new int[] {1, 15, 16, 31, 32, 64}) {
            byte[] key = new byte[length];
            for (int i = 0; i < length; i++) key[i] = (byte) (i * 7 + 1);
            byte[] value = encrypt(key, 0x8123, SECRET, REQUEST_AUTHENTICATOR);
            assertThat(RadiusWire.decryptMppeKey(value, SECRET, REQUEST_AUTHENTICATOR)).as("%d octets", length).isEqualTo(key);
        }
        // a known answer for the 16-octet key, pinned so that encrypt() and the decryption cannot drift together
        byte[] value = encrypt(SEND_KEY, 0x8001, SECRET, REQUEST_AUTHENTICATOR);
        assertThat(value).hasSize(2 + 32);
        byte[] b1 = RadiusWire.md5(SECRET, REQUEST_AUTHENTICATOR, new byte[] {(byte) 0x80, 1});
        assertThat((byte) (value[2] ^ b1[0])).isEqualTo((byte) 16);                    // Key-Length
        assertThat((byte) (value[3] ^ b1[1])).isEqualTo(SEND_KEY[0]);
    }

    @Test
    void aValueThatDoesNotDecryptIsRefused() throws Exception {
        byte[] good = encrypt(SEND_KEY, 0x8001, SECRET, REQUEST_AUTHENTICATOR);
        byte[] lowSalt = good.clone();
        lowSalt[0] = 0x01;                                                               // salt's high bit clear
        assertThatThrownBy(() -> RadiusWire.decryptMppeKey(lowSalt, SECRET, REQUEST_AUTHENTICATOR)).hasMessageContaining("high bit");
        assertThatThrownBy(() -> RadiusWire.decryptMppeKey(Arrays.copyOf(good, 20), SECRET, REQUEST_AUTHENTICATOR))
                .hasMessageContaining("multiple of 16");
        assertThatThrownBy(() -> RadiusWire.decryptMppeKey(new byte[] {(byte) 0x80, 0}, SECRET, REQUEST_AUTHENTICATOR))
                .hasMessageContaining("multiple of 16");
        byte[] tooLong = encrypt(new byte[40], 0x8001, SECRET, REQUEST_AUTHENTICATOR);   // Key-Length 40 in 48 octets
        byte[] cut = Arrays.copyOf(tooLong, 2 + 32);                                    // now 40 > 31
        assertThatThrownBy(() -> RadiusWire.decryptMppeKey(cut, SECRET, REQUEST_AUTHENTICATOR)).hasMessageContaining("Key-Length");
    }

    /** A Vendor-Specific attribute of Microsoft (311) holding the given sub-attributes. */
    static byte[] microsoft(byte[]... subAttributes) {
        ByteArrayOutputStream sub = new ByteArrayOutputStream();
        for (byte[] s : subAttributes) sub.writeBytes(s);
        ByteBuffer b = ByteBuffer.allocate(6 + sub.size());
        b.put((byte) 26).put((byte) (6 + sub.size())).putInt(RadiusDictionary.MICROSOFT).put(sub.toByteArray());
        return b.array();
    }

    static byte[] sub(int type, byte[] value) {
        byte[] s = new byte[2 + value.length];
        s[0] = (byte) type;
        s[1] = (byte) s.length;
        System.arraycopy(value, 0, s, 2, value.length);
        return s;
    }

    private RadiusResponse answer(byte[]... attributes) throws Exception {
        var fake = new RadiusTransportTest.FakeServer(req -> List.of());
        try (RadiusSocket socket = new RadiusSocket(fake.address(), SECRET, true, 1, "test", (r, f, id) -> {
            throw new AssertionError("dropped: " + r);
        }, () -> {})) {
            RadiusSocket.Exchange x = socket.reserve().orElseThrow();
            var auth = new RadiusAuthenticator(SETTINGS, r -> { throw new AssertionError(); });
            RadiusWire.Encoded sent = RadiusWire.encodeRequest(auth.accessRequest(request()), x.identifier(), SECRET);
            ByteArrayOutputStream attrs = new ByteArrayOutputStream();
            for (byte[] a : attributes) {
                attrs.writeBytes(a.length > 0 && a[0] == 0 ? build(a, sent.requestAuthenticator()) : a);
            }
            x.transmit(sent);
            socket.accept(RadiusTransportTest.reply(sent.packet(), RadiusWire.ACCESS_ACCEPT, true, attrs.toByteArray(), false), fake.address());
            RadiusResponse response = x.await(Duration.ofSeconds(5));
            x.release();
            return response;
        } finally {
            fake.close();
        }
    }

    /** Marker attributes (first octet 0) the test builds once the request authenticator is known: 0, type, keyLength. */
    private static byte[] build(byte[] marker, byte[] requestAuthenticator) throws Exception {
        byte[] key = marker[1] == RadiusWire.MS_MPPE_RECV_KEY ? RECV_KEY : SEND_KEY;
        if (marker.length > 2) key = Arrays.copyOf(key, marker[2]);
        return microsoft(sub(marker[1], encrypt(key, 0x8000 | marker[1], SECRET, requestAuthenticator)));
    }

    private static final SessionContext SESSION =
            new SessionContext("t1/s2", new InetSocketAddress("198.51.100.7", 4500), 1, 2, Instant.EPOCH);
    private static final RadiusClientSettings SETTINGS = new RadiusClientSettings(
            List.of(new RadiusServer("r", new InetSocketAddress("127.0.0.1", 1812), Optional.empty(), new byte[] {1})),
            Duration.ofSeconds(1), 0, Duration.ofSeconds(1), "nas", Optional.empty(), RadiusClientSettings.DEFAULT_GROUP_ATTRIBUTES);

    private static AuthRequest request() {
        return new AuthRequest(SESSION, AuthMethod.MSCHAPV2, new MsChapV2Credentials("User", AUTH_CHALLENGE, PEER_CHALLENGE, NT_RESPONSE));
    }

    private static byte[] success() {
        byte[] s = ("\u0001S=407A5589115FD0D6209F510FE9C04566932CDA56").getBytes(StandardCharsets.US_ASCII);
        return microsoft(sub(26, s));
    }

    @Test
    void anAccessAcceptsMppeKeysBecomeTheMskALocalEapMsChapV2Computes() throws Exception {
        RadiusResponse response = answer(success(), new byte[] {0, RadiusWire.MS_MPPE_RECV_KEY}, new byte[] {0, RadiusWire.MS_MPPE_SEND_KEY});

        AuthResult result = new RadiusAuthenticator(SETTINGS, r -> { throw new AssertionError(); }).decide(request(), response);

        byte[] local = MsChapV2.eapMsk(MsChapV2.ntPasswordHash("clientPass"), NT_RESPONSE);
        assertThat(result).isInstanceOfSatisfying(AuthResult.Accept.class, a -> {
            assertThat(a.msk()).hasValue(local);
            assertThat(HEX.formatHex(a.msk().orElseThrow())).isEqualToIgnoringCase(
                    "D5F0E9521E3EA9589645E86051C82226" + "8B7CDC149B993A1BA118CB153F56DCCB" + "00".repeat(32));
            assertThat(a.toString()).doesNotContainIgnoringCase("d5f0");
        });
    }

    @Test
    void thirtyTwoOctetKeysOfAnEapMethodMakeA64OctetMsk() throws Exception {
        byte[] recv = new byte[32], send = new byte[32];
        Arrays.fill(recv, (byte) 0x11);
        Arrays.fill(send, (byte) 0x22);
        var fake = new RadiusTransportTest.FakeServer(req -> List.of());
        try (RadiusSocket socket = new RadiusSocket(fake.address(), SECRET, true, 1, "test", (r, f, id) -> { }, () -> {})) {
            RadiusSocket.Exchange x = socket.reserve().orElseThrow();
            var auth = new RadiusAuthenticator(SETTINGS, r -> { throw new AssertionError(); });
            RadiusWire.Encoded sent = RadiusWire.encodeRequest(auth.accessRequest(request()), x.identifier(), SECRET);
            byte[] vsa = microsoft(sub(17, encrypt(recv, 0x8a01, SECRET, sent.requestAuthenticator())),
                    sub(16, encrypt(send, 0x8a02, SECRET, sent.requestAuthenticator())));
            x.transmit(sent);
            socket.accept(RadiusTransportTest.reply(sent.packet(), RadiusWire.ACCESS_ACCEPT, true, vsa, false), fake.address());
            RadiusResponse response = x.await(Duration.ofSeconds(5));
            byte[] expected = new byte[64];
            System.arraycopy(recv, 0, expected, 0, 32);
            System.arraycopy(send, 0, expected, 32, 32);
            assertThat(RadiusAuthenticator.msk(response)).hasValue(expected);
        } finally {
            fake.close();
        }
    }

    @Test
    void withoutBothKeysOrWithOneThatDoesNotDecryptThereIsNoMsk() throws Exception {
        assertThat(RadiusAuthenticator.msk(answer(success(), new byte[] {0, RadiusWire.MS_MPPE_RECV_KEY}))).isEmpty();
        assertThat(RadiusAuthenticator.msk(answer(success()))).isEmpty();
        // a Send-Key whose salt lacks its high bit: left out, the rest of the answer intact
        byte[] bad = microsoft(sub(16, Arrays.copyOf(new byte[] {0x01, 0x02}, 2 + 32)));
        RadiusResponse response = answer(success(), new byte[] {0, RadiusWire.MS_MPPE_RECV_KEY}, bad);
        assertThat(RadiusAuthenticator.msk(response)).isEmpty();
        AuthResult r = new RadiusAuthenticator(SETTINGS, x -> { throw new AssertionError(); }).decide(request(), response);
        assertThat(r).isInstanceOfSatisfying(AuthResult.Accept.class, a -> {
            assertThat(a.authenticatorResponse()).isPresent();
            assertThat(a.msk()).isEmpty();
        });
    }
}
