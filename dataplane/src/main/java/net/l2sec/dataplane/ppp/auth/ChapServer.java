package net.l2sec.dataplane.ppp.auth;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import net.l2sec.spi.auth.AuthMethod;
import net.l2sec.spi.auth.AuthResult;
import net.l2sec.spi.auth.ChapCredentials;
import net.l2sec.spi.auth.Credentials;
import net.l2sec.spi.auth.MsChapV2Credentials;
import net.l2sec.dataplane.ppp.auth.ChapPacket.Challenge;
import net.l2sec.dataplane.ppp.auth.ChapPacket.Failure;
import net.l2sec.dataplane.ppp.auth.ChapPacket.Response;
import net.l2sec.dataplane.ppp.auth.ChapPacket.Success;
import net.l2sec.dataplane.ppp.frame.MalformedPacketException;
import net.l2sec.dataplane.ppp.frame.PppProtocol;

/**
 * CHAP authenticator side for MD5 (RFC 1994) and MS-CHAPv2 (RFC 2759). We send a 16-octet Challenge (resent on
 * the Restart timer until a Response arrives), verify the Response through the backend and answer Success or
 * Failure; a retransmitted Response after the decision gets the same answer again (RFC 1994 section 4.2).
 */
public final class ChapServer implements AuthServer {
    public static final int CHALLENGE_LENGTH = 16;
    static final byte[] NAME = "l2sec".getBytes(StandardCharsets.US_ASCII);

    private enum State { CHALLENGED, VERIFYING, DONE }

    private final AuthHost host;
    private final AuthMethod method;
    private final RestartTimer restartTimer;
    private State state = State.CHALLENGED;
    private int identifier;
    private byte[] challenge;
    private ChapPacket reply;
    private boolean stopped;

    /** @param method {@link AuthMethod#CHAP_MD5} or {@link AuthMethod#MSCHAPV2} */
    public ChapServer(AuthHost host, AuthMethod method, Duration restartInterval, int maxTransmissions) {
        if (method != AuthMethod.CHAP_MD5 && method != AuthMethod.MSCHAPV2) throw new IllegalArgumentException(method.name());
        this.host = host;
        this.method = method;
        this.restartTimer = new RestartTimer(host.scheduler(), restartInterval, maxTransmissions);
    }

    @Override
    public PppProtocol protocol() {
        return PppProtocol.CHAP;
    }

    @Override
    public void start() {
        identifier = host.random().nextInt(256);
        challenge = new byte[CHALLENGE_LENGTH];
        host.random().nextBytes(challenge);
        byte[] packet = ChapCodec.encode(new Challenge(identifier, challenge, NAME));
        restartTimer.start(() -> host.send(PppProtocol.CHAP, packet));
    }

    @Override
    public void receive(ByteBuf packet) {
        ChapPacket p;
        try {
            p = ChapCodec.decode(packet);
        } catch (MalformedPacketException e) {
            host.malformed(PppProtocol.CHAP);
            return;
        }
        if (!(p instanceof Response response) || response.identifier() != identifier) return;  // section 4.1
        switch (state) {
            case VERIFYING -> { }
            case DONE -> host.send(PppProtocol.CHAP, ChapCodec.encode(reply));
            case CHALLENGED -> verify(response);
        }
    }

    private void verify(Response response) {
        String name = UserName.text(response.name());
        byte[] value = response.value();
        Credentials credentials;
        if (method == AuthMethod.MSCHAPV2) {
            // RFC 2759 section 4: Peer-Challenge(16) Reserved(8) NT-Response(24) Flags(1)
            if (value.length != MsChapV2Messages.VALUE_SIZE) {
                host.malformed(PppProtocol.CHAP);
                return;
            }
            credentials = new MsChapV2Credentials(name, challenge, Arrays.copyOfRange(value, 0, 16),
                    Arrays.copyOfRange(value, 24, 48));
        } else {
            credentials = new ChapCredentials(name, identifier, challenge, value);
        }
        restartTimer.stop();
        state = State.VERIFYING;
        host.verify(method, response.name(), credentials, this::decided);
    }

    private void decided(AuthResult result) {
        if (stopped) return;
        state = State.DONE;
        switch (result) {
            case AuthResult.Accept accept -> {
                String message = method == AuthMethod.MSCHAPV2
                        ? MsChapV2Messages.success(accept.authenticatorResponse().orElseThrow())
                        : "Access granted";
                reply = new Success(identifier, message);
                host.send(PppProtocol.CHAP, ChapCodec.encode(reply));
                host.authenticated(method, accept);
            }
            case AuthResult.Reject _, AuthResult.Challenge _ -> {   // a Challenge here is normalized away by the session
                String message;
                if (method == AuthMethod.MSCHAPV2) {
                    byte[] next = new byte[CHALLENGE_LENGTH];
                    host.random().nextBytes(next);
                    message = MsChapV2Messages.failure(reasonOf(result), next);
                } else {
                    message = "Access denied";
                }
                reply = new Failure(identifier, message);
                host.send(PppProtocol.CHAP, ChapCodec.encode(reply));
                host.authenticationFailed(method);
            }
        }
    }

    @Override
    public void stop() {
        stopped = true;
        restartTimer.stop();
    }

    static net.l2sec.spi.auth.RejectReason reasonOf(AuthResult result) {
        return result instanceof AuthResult.Reject r ? r.reason() : net.l2sec.spi.auth.RejectReason.BACKEND_ERROR;
    }
}
