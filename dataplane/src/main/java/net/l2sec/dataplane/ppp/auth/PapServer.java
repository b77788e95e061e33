package net.l2sec.dataplane.ppp.auth;

import io.netty.buffer.ByteBuf;
import net.l2sec.spi.auth.AuthMethod;
import net.l2sec.spi.auth.AuthResult;
import net.l2sec.spi.auth.PapCredentials;
import net.l2sec.dataplane.ppp.auth.PapPacket.AuthenticateAck;
import net.l2sec.dataplane.ppp.auth.PapPacket.AuthenticateNak;
import net.l2sec.dataplane.ppp.auth.PapPacket.AuthenticateRequest;
import net.l2sec.dataplane.ppp.frame.MalformedPacketException;
import net.l2sec.dataplane.ppp.frame.PppProtocol;

/**
 * RFC 1334 PAP, authenticator side: the peer sends Authenticate-Request (and retransmits it); we answer once the
 * backend decided, and answer a retransmission of the decided request with the same reply (section 2.2.2).
 */
public final class PapServer implements AuthServer {
    private enum State { WAITING, VERIFYING, DONE }

    private final AuthHost host;
    private State state = State.WAITING;
    private PapPacket reply;
    private boolean stopped;

    public PapServer(AuthHost host) {
        this.host = host;
    }

    @Override
    public PppProtocol protocol() {
        return PppProtocol.PAP;
    }

    @Override
    public void start() {}

    @Override
    public void receive(ByteBuf packet) {
        PapPacket p;
        try {
            p = PapCodec.decode(packet);
        } catch (MalformedPacketException e) {
            host.malformed(PppProtocol.PAP);
            return;
        }
        if (!(p instanceof AuthenticateRequest request)) return;   // Ack/Nak only travel to the peer
        switch (state) {
            case VERIFYING -> { }                                   // the backend is on it; drop the duplicate
            case DONE -> host.send(PppProtocol.PAP, PapCodec.encode(withIdentifier(reply, request.identifier())));
            case WAITING -> {
                state = State.VERIFYING;
                var credentials = new PapCredentials(UserName.text(request.peerId()), request.password());
                host.verify(AuthMethod.PAP, request.peerId(), credentials, result -> decided(request.identifier(), result));
            }
        }
    }

    private void decided(int identifier, AuthResult result) {
        if (stopped) return;
        state = State.DONE;
        switch (result) {
            case AuthResult.Accept accept -> {
                reply = new AuthenticateAck(identifier, "Access granted");
                host.send(PppProtocol.PAP, PapCodec.encode(reply));
                host.authenticated(AuthMethod.PAP, accept);
            }
            case AuthResult.Reject _, AuthResult.Challenge _ -> {   // a Challenge here is normalized away by the session
                reply = new AuthenticateNak(identifier, "Access denied");
                host.send(PppProtocol.PAP, PapCodec.encode(reply));
                host.authenticationFailed(AuthMethod.PAP);
            }
        }
    }

    private static PapPacket withIdentifier(PapPacket p, int identifier) {
        return switch (p) {
            case AuthenticateAck a -> new AuthenticateAck(identifier, a.message());
            case AuthenticateNak n -> new AuthenticateNak(identifier, n.message());
            case AuthenticateRequest r -> r;
        };
    }

    @Override
    public void stop() {
        stopped = true;
    }
}
