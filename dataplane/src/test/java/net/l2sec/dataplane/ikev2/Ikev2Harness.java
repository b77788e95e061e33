package net.l2sec.dataplane.ikev2;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import net.l2sec.dataplane.ike.CryptoWorkers;
import net.l2sec.dataplane.ike.IkeSettings;
import net.l2sec.dataplane.ike.auth.PemFiles;
import net.l2sec.dataplane.ipsec.ChildSaSpec;
import net.l2sec.dataplane.ipsec.ChildSaTable;
import net.l2sec.dataplane.ipsec.TunnelEnd;
import net.l2sec.dataplane.ipsec.TunnelSender;
import net.l2sec.dataplane.time.ManualScheduler;
import net.l2sec.spi.auth.AuthMethod;
import net.l2sec.spi.auth.AuthRequest;
import net.l2sec.spi.auth.AuthResult;
import net.l2sec.spi.auth.Authenticator;
import net.l2sec.spi.auth.Authorization;
import net.l2sec.spi.auth.MsChapV2;
import net.l2sec.spi.auth.MsChapV2Credentials;
import net.l2sec.spi.auth.RejectReason;
import net.l2sec.spi.session.ClientIdentity;
import net.l2sec.spi.session.EndCause;
import net.l2sec.spi.session.SessionContext;

/**
 * One IKEv2 responder with everything around it faked in memory: a manual clock, crypto inline, the datagrams it
 * sends captured, an SA table that records installs, sessions that hand out 10.99.0.10 upwards, and a user
 * {@code alice} / {@code password} whose MS-CHAPv2 response is checked and gives the EAP-MSCHAPv2 MSK.
 */
final class Ikev2Harness {
    static final InetSocketAddress LOCAL_500 = new InetSocketAddress("192.0.2.1", 500);
    static final InetSocketAddress LOCAL_4500 = new InetSocketAddress("192.0.2.1", 4500);
    static final String USER = "alice";
    static final String PASSWORD = "password";

    final ManualScheduler scheduler = new ManualScheduler();
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final List<Sent> sent = new ArrayList<>();
    final FakeSas sas = new FakeSas();
    final FakeSessions sessions = new FakeSessions();
    final LocalUsers users = new LocalUsers();
    final Ikev2Responder responder;

    record Sent(InetSocketAddress local, InetSocketAddress peer, byte[] message) {}

    Ikev2Harness() throws Exception {
        this(IkeSettings.defaults().withCertificates(PemFiles.load(cert("server.crt.pem"), cert("server.pkcs8.key.pem"),
                cert("ca.crt.pem")), false), Ikev2Settings.defaults());
    }

    Ikev2Harness(IkeSettings settings, Ikev2Settings v2) {
        responder = new Ikev2Responder(settings, v2, sas, (local, peer, payload) -> {
            try {
                byte[] b = ByteBufUtil.getBytes(payload);
                if (local.getPort() == 4500) {
                    if (b.length < 4 || b[0] != 0 || b[1] != 0 || b[2] != 0 || b[3] != 0) throw new AssertionError("no non-ESP marker");
                    b = java.util.Arrays.copyOfRange(b, 4, b.length);
                }
                sent.add(new Sent(local, peer, b));
            } finally {
                payload.release();
            }
        }, scheduler, registry, CryptoWorkers.inline(), sessions, users);
    }

    static java.nio.file.Path cert(String name) throws Exception {
        return java.nio.file.Path.of(Ikev2Harness.class.getResource("/ike/certs/" + name).toURI());
    }

    /** Delivers {@code m} from {@code from} to our {@code local}, runs what is due, returns what was sent. */
    List<Sent> deliver(InetSocketAddress from, InetSocketAddress local, byte[] m) {
        int before = sent.size();
        responder.receive(from, local, Unpooled.wrappedBuffer(m));
        scheduler.runPending();
        return new ArrayList<>(sent.subList(before, sent.size()));
    }

    /** Every datagram of the reply to {@code m} (fragments). */
    List<byte[]> replies(InetSocketAddress from, InetSocketAddress local, byte[] m) {
        List<Sent> out = deliver(from, local, m);
        if (out.isEmpty()) throw new AssertionError("no reply");
        return out.stream().map(Sent::message).toList();
    }

    /** The single reply to {@code m}. */
    byte[] exchange(InetSocketAddress from, InetSocketAddress local, byte[] m) {
        List<Sent> out = deliver(from, local, m);
        if (out.size() != 1) throw new AssertionError(out.size() + " datagrams sent, expected 1");
        return out.getFirst().message();
    }

    double counter(String name, String tag, String value) {
        var c = registry.find(name).tag(tag, value).counter();
        return c == null ? 0 : c.count();
    }

    /** A whole EAP-MSCHAPv2 login of {@code client}; the final IKE_AUTH response's payloads. */
    List<net.l2sec.dataplane.ikev2.message.Payload> login(Ikev2TestClient client, String user, String password) throws Exception {
        InetSocketAddress at500 = client.address;
        InetSocketAddress at4500 = new InetSocketAddress(client.address.getAddress(), client.address.getPort() + 1);
        client.initResponse(exchange(at500, LOCAL_500, client.initRequest()));
        var first = client.open(replies(at4500, LOCAL_4500, client.firstAuth()));
        if (!client.serverAuthenticated(first)) throw new AssertionError("server AUTH does not verify");
        return continueEap(client, first, user, password);
    }

    /** The EAP-MSCHAPv2 rounds after the first IKE_AUTH response {@code first}; the final response's payloads. */
    List<net.l2sec.dataplane.ikev2.message.Payload> continueEap(Ikev2TestClient client, List<net.l2sec.dataplane.ikev2.message.Payload> first,
                                                                String user, String password) throws Exception {
        InetSocketAddress at4500 = new InetSocketAddress(client.address.getAddress(), client.address.getPort() + 1);
        var identityRequest = Ikev2TestClient.find(first, net.l2sec.dataplane.ikev2.message.Payload.Eap.class).packet();
        var challenge = client.open(exchange(at4500, LOCAL_4500, client.request(net.l2sec.dataplane.ikev2.message.ExchangeType.IKE_AUTH,
                List.of(new net.l2sec.dataplane.ikev2.message.Payload.Eap(Ikev2TestClient.eapIdentity(identityRequest[1], user))))));
        byte[] challengeRequest = Ikev2TestClient.find(challenge, net.l2sec.dataplane.ikev2.message.Payload.Eap.class).packet();
        var success = client.open(exchange(at4500, LOCAL_4500, client.request(net.l2sec.dataplane.ikev2.message.ExchangeType.IKE_AUTH,
                List.of(new net.l2sec.dataplane.ikev2.message.Payload.Eap(client.mschapv2Response(challengeRequest, user, password))))));
        byte[] successRequest = Ikev2TestClient.find(success, net.l2sec.dataplane.ikev2.message.Payload.Eap.class).packet();
        if (successRequest[0] != 1) return success; // an EAP-Failure (code 4)
        if (successRequest[5] == 4) {
            // the MS-CHAPv2 Failure Request (OpCode 4, "E=691 ..."): acknowledged, then the EAP-Failure comes
            return client.open(exchange(at4500, LOCAL_4500, client.request(net.l2sec.dataplane.ikev2.message.ExchangeType.IKE_AUTH,
                    List.of(new net.l2sec.dataplane.ikev2.message.Payload.Eap(new byte[] {2, successRequest[1], 0, 6, 26, 4})))));
        }
        var eapSuccess = client.open(exchange(at4500, LOCAL_4500, client.request(net.l2sec.dataplane.ikev2.message.ExchangeType.IKE_AUTH,
                List.of(new net.l2sec.dataplane.ikev2.message.Payload.Eap(Ikev2TestClient.mschapv2SuccessAck(successRequest))))));
        byte[] eap = Ikev2TestClient.find(eapSuccess, net.l2sec.dataplane.ikev2.message.Payload.Eap.class).packet();
        if (eap[0] != 3) throw new AssertionError("no EAP-Success: code " + eap[0]);
        return client.open(exchange(at4500, LOCAL_4500, client.finalAuth()));
    }

    /** Records the SAs IKE installs; tunnel senders count what they are given. */
    static final class FakeSas implements ChildSaTable {
        final List<ChildSaSpec> installed = new ArrayList<>();
        final List<Integer> removed = new ArrayList<>();
        final List<String> removedAll = new ArrayList<>();
        final List<InetSocketAddress> moves = new ArrayList<>();

        @Override
        public void install(ChildSaSpec spec) {
            throw new AssertionError("IKEv2 installs tunnel mode only");
        }

        @Override
        public void installTunnel(ChildSaSpec spec, TunnelEnd end) {
            installed.add(spec);
        }

        @Override
        public TunnelSender tunnelSender(String ikeSaTag) {
            return packet -> {
                packet.release();
                return true;
            };
        }

        @Override
        public void movePeer(String ikeSaTag, InetSocketAddress peer, InetSocketAddress local) {
            moves.add(peer);
        }

        @Override
        public void remove(int inboundSpi, String cause) {
            removed.add(inboundSpi);
        }

        @Override
        public void removeAll(String ikeSaTag, String cause) {
            removedAll.add(ikeSaTag);
        }

        @Override
        public boolean inboundSince(int inboundSpi, long sinceNanos) {
            return false;
        }
    }

    static final class FakeSessions implements RemoteAccess {
        final AtomicInteger ids = new AtomicInteger();
        final List<EndCause> closed = new ArrayList<>();
        final List<Consumer<EndCause>> disconnects = new ArrayList<>();
        final List<AuthMethod> methods = new ArrayList<>();
        /** Where sessions were told their client moved. */
        final List<InetSocketAddress> moves = new ArrayList<>();
        int opened;
        boolean refuse;

        @Override
        public SessionContext context(String ikeSaTag, InetSocketAddress peer, ClientIdentity client) {
            return SessionContext.ikev2(ikeSaTag, peer, ids.incrementAndGet(), Instant.EPOCH, client);
        }

        @Override
        public Opening open(SessionContext context, AuthMethod method, AuthResult.Accept accept, ClientIdentity client,
                            boolean wantsIpv6, TunnelSender toClient, Consumer<EndCause> disconnectRequested) {
            methods.add(method);
            if (refuse) return new Opening.Refused(EndCause.POOL_EXHAUSTED, "test");
            disconnects.add(disconnectRequested);
            try {
                Inet4Address address = (Inet4Address) InetAddress.getByAddress(new byte[] {10, 99, 0, (byte) (10 + opened++)});
                return new Opening.Opened(new Session() {
                    @Override
                    public void close(EndCause cause) {
                        closed.add(cause);
                    }

                    @Override
                    public void receive(ByteBuf innerIpPacket) {
                        innerIpPacket.release();
                    }

                    @Override
                    public void peerMoved(InetSocketAddress peer) {
                        moves.add(peer);
                    }
                }, address, Optional.empty(), List.of(InetAddress.getByName("10.99.0.1")), List.of(), List.of(), Optional.empty());
            } catch (java.net.UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** alice / password, verified as the local user file does: the MSK with the accept. */
    static final class LocalUsers implements Authenticator {
        final List<AuthRequest> requests = new ArrayList<>();
        /** Identities IKE proved (PSK, certificate) that are authorized. */
        final java.util.Set<String> authorized = new java.util.HashSet<>(List.of(USER, "client.l2sec.test"));

        @Override
        public CompletionStage<AuthResult> authenticate(AuthRequest request) {
            requests.add(request);
            if (request.credentials() instanceof net.l2sec.spi.auth.ProvenIdentity id) {
                // authorization only: the identities this directory knows
                return CompletableFuture.completedFuture(authorized.contains(id.user())
                        ? new AuthResult.Accept(id.user(), Optional.empty(), Authorization.defaults("test"))
                        : new AuthResult.Reject(RejectReason.UNKNOWN_USER, "unknown"));
            }
            if (request.credentials() instanceof MsChapV2Credentials c && c.user().equals(USER)) {
                byte[] hash = MsChapV2.ntPasswordHash(PASSWORD);
                Optional<byte[]> response = c.verify(hash);
                if (response.isPresent()) {
                    return CompletableFuture.completedFuture(new AuthResult.Accept(USER, response, Authorization.defaults("test"),
                            Optional.of(MsChapV2.eapMsk(hash, c.ntResponse()))));
                }
                return CompletableFuture.completedFuture(new AuthResult.Reject(RejectReason.BAD_CREDENTIALS, "wrong password"));
            }
            return CompletableFuture.completedFuture(new AuthResult.Reject(RejectReason.UNKNOWN_USER, "unknown"));
        }
    }
}
