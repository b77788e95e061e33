package net.l2sec.dataplane.ppp.auth;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import net.l2sec.spi.auth.AuthMethod;
import net.l2sec.spi.auth.AuthResult;
import net.l2sec.spi.auth.ChapCredentials;
import net.l2sec.spi.auth.EapCredentials;
import net.l2sec.spi.auth.MsChapV2Credentials;
import net.l2sec.spi.auth.RejectReason;
import net.l2sec.dataplane.ppp.auth.EapPacket.Failure;
import net.l2sec.dataplane.ppp.auth.EapPacket.Request;
import net.l2sec.dataplane.ppp.auth.EapPacket.Response;
import net.l2sec.dataplane.ppp.auth.EapPacket.Success;
import net.l2sec.dataplane.ppp.frame.MalformedPacketException;
import net.l2sec.dataplane.ppp.frame.PppProtocol;

/**
 * RFC 3748 EAP, authenticator side, as a pass-through-free local exchange: Request/Identity first, then the
 * configured methods in order, EAP-MSCHAPv2 (type 26, draft-kamath-pppext-eap-mschapv2: Challenge, Response,
 * Success/Failure request acknowledged by the peer) or EAP-MD5-Challenge (type 4, RFC 3748 section 5.4). A Nak
 * (type 3) moves to the first remaining configured method the peer listed. Requests are retransmitted on the
 * Restart timer (RFC 3748 section 4.3); a Response whose Identifier does not match the outstanding Request is
 * discarded (section 4.1).
 *
 * <p>The EAP Identity is bound to the credentials: an EAP-MSCHAPv2 Response whose Name is not the Identity, octet
 * for octet, is refused ({@link RejectReason#IDENTITY_MISMATCH}) before a backend sees it, here and in
 * pass-through alike. Otherwise a peer could prove one user's password (the Name is what the MS-CHAPv2 hash covers)
 * and be known by another's name (the Identity is the RADIUS User-Name).
 */
public final class EapServer implements AuthServer {
    /** The EAP-MSCHAPv2 OpCode, the first octet of its Type-Data (draft-kamath-pppext-eap-mschapv2 section 2). */
    private enum OpCode {
        CHALLENGE(1), RESPONSE(2), SUCCESS(3), FAILURE(4);

        final byte code;

        OpCode(int code) {
            this.code = (byte) code;
        }

        /** True when {@code data} is EAP-MSCHAPv2 Type-Data with this OpCode. */
        boolean starts(byte[] data) {
            return data.length >= 1 && data[0] == code;
        }
    }

    private enum State { IDENTITY, METHOD, VERIFYING, MSCHAPV2_SUCCESS, MSCHAPV2_FAILURE, RELAY, DONE }

    private final AuthHost host;
    private final List<AuthMethod> remaining;
    private final RestartTimer restartTimer;
    private State state = State.IDENTITY;
    private int identifier;
    private String identity = "";
    /** The Identity as the peer sent it (RFC 3748 section 5.1: not null-terminated). */
    private byte[] identityOctets = new byte[0];
    private AuthMethod method;
    private byte[] challenge;
    private AuthResult.Accept accept;
    private boolean stopped;
    /** Pass-through: the backend runs the EAP method (RFC 3579); we only ask for the Identity and relay. */
    private final boolean relay;
    private byte[] relayState = new byte[0];
    private int lastResponseIdentifier;

    /** @param methods {@link AuthMethod#EAP_MSCHAPV2} and/or {@link AuthMethod#EAP_MD5}, in configured order */
    public EapServer(AuthHost host, List<AuthMethod> methods, Duration restartInterval, int maxTransmissions) {
        this(host, methods, restartInterval, maxTransmissions, false);
    }

    /**
     * @param relay true to relay every Response after the Identity to the backend as {@link EapCredentials} and send
     *              its Requests to the peer unchanged (RADIUS EAP pass-through), false to run the methods here
     */
    public EapServer(AuthHost host, List<AuthMethod> methods, Duration restartInterval, int maxTransmissions, boolean relay) {
        this.host = host;
        this.relay = relay;
        this.remaining = new ArrayList<>(methods.stream()
                .filter(m -> m == AuthMethod.EAP_MSCHAPV2 || m == AuthMethod.EAP_MD5).toList());
        if (remaining.isEmpty()) throw new IllegalArgumentException("no EAP method configured");
        this.method = remaining.getFirst();
        this.restartTimer = new RestartTimer(host.scheduler(), restartInterval, maxTransmissions);
    }

    @Override
    public PppProtocol protocol() {
        return PppProtocol.EAP;
    }

    @Override
    public void start() {
        identifier = host.random().nextInt(256);
        request(EapType.IDENTITY, new byte[0]);
    }

    @Override
    public void receive(ByteBuf packet) {
        EapPacket p;
        try {
            p = EapCodec.decode(packet);
        } catch (MalformedPacketException e) {
            host.malformed(PppProtocol.EAP);
            return;
        }
        if (!(p instanceof Response response) || response.identifier() != identifier) return;
        byte[] data = response.typeData();
        switch (state) {
            case IDENTITY -> {
                if (response.type() != EapType.IDENTITY.code()) return;
                identityOctets = data;
                identity = UserName.text(data);
                if (relay) relayResponse(response); else beginMethod();
            }
            case RELAY -> relayResponse(response);
            case METHOD -> {
                if (response.type() == EapType.NAK.code()) nak(data);
                else if (response.type() == typeOf(method).code()) methodResponse(data);
            }
            case MSCHAPV2_SUCCESS -> {
                if (response.type() != EapType.MSCHAPV2.code() || !OpCode.SUCCESS.starts(data)) return;
                finish(true);
            }
            case MSCHAPV2_FAILURE -> {
                if (response.type() != EapType.MSCHAPV2.code() || !OpCode.FAILURE.starts(data)) return;
                finish(false);
            }
            case VERIFYING, DONE -> { }
        }
    }

    // ---- pass-through (RFC 3579 section 2: the NAS relays, the RADIUS server is the EAP server) ----

    private void relayResponse(Response response) {
        verifying();
        lastResponseIdentifier = response.identifier();
        switch (EapType.of(response.type()).orElse(null)) {
            case MSCHAPV2 -> method = AuthMethod.EAP_MSCHAPV2;
            case MD5_CHALLENGE -> method = AuthMethod.EAP_MD5;
            case null, default -> { }
        }
        byte[] name = mschapv2Name(response);
        if (name != null && !Arrays.equals(name, identityOctets)) {
            host.refuse(method, name, RejectReason.IDENTITY_MISMATCH, "EAP-MSCHAPv2 Name is not the EAP Identity "
                    + identity, this::relayDecided);
            return;
        }
        host.verify(method, identityOctets, new EapCredentials(identity, EapCodec.encode(response), relayState),
                this::relayDecided);
    }

    /** The Name of an EAP-MSCHAPv2 Response (OpCode 2, Value-Size 49), or null for any other packet. */
    private static byte[] mschapv2Name(Response response) {
        byte[] data = response.typeData();
        if (response.type() != EapType.MSCHAPV2.code() || data.length < 5 + MsChapV2Messages.VALUE_SIZE
                || !OpCode.RESPONSE.starts(data) || (data[4] & 0xff) != MsChapV2Messages.VALUE_SIZE) {
            return null;
        }
        return Arrays.copyOfRange(data, 5 + MsChapV2Messages.VALUE_SIZE, data.length);
    }

    private void relayDecided(AuthResult result) {
        if (stopped) return;
        switch (result) {
            case AuthResult.Challenge c -> {
                byte[] packet = c.eapPacket();
                // only a well-formed EAP Request goes to the peer; its Identifier is the one the peer must answer
                if (packet.length < 5 || packet[0] != EapPacket.Code.REQUEST.code() || ((packet[2] & 0xff) << 8 | (packet[3] & 0xff)) != packet.length) {
                    host.malformed(PppProtocol.EAP);
                    finish(false, lastResponseIdentifier);
                    return;
                }
                relayState = c.state();
                identifier = packet[1] & 0xff;
                state = State.RELAY;
                restartTimer.start(() -> host.send(PppProtocol.EAP, packet));
            }
            case AuthResult.Accept a -> {
                accept = a;
                finish(true, lastResponseIdentifier);
            }
            case AuthResult.Reject r -> finish(false, lastResponseIdentifier);
        }
    }

    private void beginMethod() {
        state = State.METHOD;
        challenge = new byte[ChapServer.CHALLENGE_LENGTH];
        host.random().nextBytes(challenge);
        identifier = (identifier + 1) & 0xff;
        if (method == AuthMethod.EAP_MSCHAPV2) {
            // OpCode, MS-CHAPv2-ID, MS-Length, Value-Size, Challenge, Name
            byte[] d = new byte[5 + challenge.length + ChapServer.NAME.length];
            d[0] = OpCode.CHALLENGE.code;
            d[1] = (byte) identifier;
            msLength(d);
            d[4] = (byte) challenge.length;
            System.arraycopy(challenge, 0, d, 5, challenge.length);
            System.arraycopy(ChapServer.NAME, 0, d, 5 + challenge.length, ChapServer.NAME.length);
            request(EapType.MSCHAPV2, d);
        } else {
            byte[] d = new byte[1 + challenge.length + ChapServer.NAME.length];
            d[0] = (byte) challenge.length;
            System.arraycopy(challenge, 0, d, 1, challenge.length);
            System.arraycopy(ChapServer.NAME, 0, d, 1 + challenge.length, ChapServer.NAME.length);
            request(EapType.MD5_CHALLENGE, d);
        }
    }

    /** RFC 3748 section 5.3.1: the peer lists the types it wants; we pick the first one we still offer. */
    private void nak(byte[] desired) {
        remaining.remove(method);
        Optional<AuthMethod> next = remaining.stream().filter(m -> {
            for (byte b : desired) if ((b & 0xff) == typeOf(m).code()) return true;
            return false;
        }).findFirst();
        if (next.isEmpty()) {
            restartTimer.stop();
            state = State.DONE;
            host.send(PppProtocol.EAP, EapCodec.encode(new Failure(identifier)));
            host.noCommonMethod(method);
            return;
        }
        method = next.get();
        beginMethod();
    }

    private void methodResponse(byte[] data) {
        if (method == AuthMethod.EAP_MSCHAPV2) {
            // OpCode 2, MS-CHAPv2-ID, MS-Length, Value-Size 49, Response(49), Name
            if (data.length < 5 + MsChapV2Messages.VALUE_SIZE || !OpCode.RESPONSE.starts(data)
                    || (data[4] & 0xff) != MsChapV2Messages.VALUE_SIZE) {
                host.malformed(PppProtocol.EAP);
                return;
            }
            byte[] value = Arrays.copyOfRange(data, 5, 5 + MsChapV2Messages.VALUE_SIZE);
            byte[] name = Arrays.copyOfRange(data, 5 + MsChapV2Messages.VALUE_SIZE, data.length);
            verifying();
            if (!Arrays.equals(name, identityOctets)) {
                host.refuse(method, name, RejectReason.IDENTITY_MISMATCH, "EAP-MSCHAPv2 Name is not the EAP Identity "
                        + identity, this::mschapv2Decided);
                return;
            }
            var credentials = new MsChapV2Credentials(UserName.text(name), challenge, Arrays.copyOfRange(value, 0, 16),
                    Arrays.copyOfRange(value, 24, 48));
            host.verify(method, name, credentials, this::mschapv2Decided);
        } else {
            if (data.length < 1 || data.length < 1 + (data[0] & 0xff)) {
                host.malformed(PppProtocol.EAP);
                return;
            }
            byte[] value = Arrays.copyOfRange(data, 1, 1 + (data[0] & 0xff));
            var credentials = new ChapCredentials(identity, identifier, challenge, value);
            verifying();
            host.verify(method, identityOctets, credentials, result -> {
                if (stopped) return;
                if (result instanceof AuthResult.Accept a) accept = a;
                finish(accept != null);
            });
        }
    }

    private void verifying() {
        restartTimer.stop();
        state = State.VERIFYING;
    }

    private void mschapv2Decided(AuthResult result) {
        if (stopped) return;
        identifier = (identifier + 1) & 0xff;
        byte[] message;
        OpCode op;
        switch (result) {
            case AuthResult.Accept a -> {
                accept = a;
                op = OpCode.SUCCESS;
                message = MsChapV2Messages.success(a.authenticatorResponse().orElseThrow()).getBytes(StandardCharsets.US_ASCII);
                state = State.MSCHAPV2_SUCCESS;
            }
            case AuthResult.Reject _, AuthResult.Challenge _ -> {
                byte[] next = new byte[ChapServer.CHALLENGE_LENGTH];
                host.random().nextBytes(next);
                op = OpCode.FAILURE;
                message = MsChapV2Messages.failure(ChapServer.reasonOf(result), next).getBytes(StandardCharsets.US_ASCII);
                state = State.MSCHAPV2_FAILURE;
            }
        }
        byte[] d = new byte[4 + message.length];
        d[0] = op.code;
        d[1] = (byte) (identifier - 1);        // MS-CHAPv2-ID of the exchange: the Challenge's
        msLength(d);
        System.arraycopy(message, 0, d, 4, message.length);
        request(EapType.MSCHAPV2, d);
    }

    private void finish(boolean success) {
        finish(success, identifier);
    }

    /** RFC 3748 section 4.2: Success/Failure carry the Identifier of the Response they answer. */
    private void finish(boolean success, int id) {
        restartTimer.stop();
        state = State.DONE;
        host.send(PppProtocol.EAP, EapCodec.encode(success ? new Success(id) : new Failure(id)));
        if (success) host.authenticated(method, accept); else host.authenticationFailed(method);
    }

    private void request(EapType type, byte[] data) {
        byte[] packet = EapCodec.encode(new Request(identifier, type.code(), data));
        restartTimer.start(() -> host.send(PppProtocol.EAP, packet));
    }

    private static void msLength(byte[] d) {
        d[2] = (byte) (d.length >>> 8);
        d[3] = (byte) d.length;
    }

    private static EapType typeOf(AuthMethod m) {
        return m == AuthMethod.EAP_MSCHAPV2 ? EapType.MSCHAPV2 : EapType.MD5_CHALLENGE;
    }

    @Override
    public void stop() {
        stopped = true;
        restartTimer.stop();
    }
}
