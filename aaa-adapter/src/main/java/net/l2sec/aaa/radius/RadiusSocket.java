package net.l2sec.aaa.radius;

import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tinyradius.core.RadiusPacketException;
import org.tinyradius.core.packet.response.RadiusResponse;

/**
 * One UDP socket (one source port) towards one RADIUS server, shared by up to 256 outstanding requests: one per
 * Identifier of its {@link IdentifierSpace} (RFC 2865 section 3). A request {@link #reserve reserves} an Identifier,
 * encodes itself with it, {@link Exchange#transmit transmits} (and retransmits the same bytes, RFC 5080 section
 * 2.2.1), {@link Exchange#await awaits} its answer and {@link Exchange#release releases} the Identifier.
 *
 * <p>One virtual thread receives. A datagram is the answer to the request holding its Identifier only when it comes
 * from the server's address and {@link RadiusWire#verifyResponse} accepts it against that request's Request
 * Authenticator (and Message-Authenticator, BlastRADIUS); the first such answer completes the request. Anything else
 * is dropped and reported to the {@link DropListener} with its {@link InvalidResponseReason}: a datagram that
 * verifies against the request that held the Identifier before, or a second answer to a request already answered,
 * is {@link InvalidResponseReason#LATE LATE} (the server answered a retransmission as well, or after our timeout),
 * not a forgery. The answer's MS-MPPE-Send-Key and MS-MPPE-Recv-Key reach the caller decrypted
 * ({@link RadiusWire#revealMppeKeys}): only here are the secret and the Request Authenticator they need known.
 */
final class RadiusSocket implements AutoCloseable {
    /** Told about every datagram not taken as an answer. */
    @FunctionalInterface
    interface DropListener {
        void dropped(InvalidResponseReason reason, SocketAddress from, int identifier);
    }

    private static final Logger log = LoggerFactory.getLogger(RadiusSocket.class);

    private final InetSocketAddress server;
    private final byte[] secret;
    private final boolean requireMessageAuthenticator;
    private final DatagramChannel channel;
    private final IdentifierSpace<Exchange> identifiers;
    private final DropListener drops;
    private final Runnable released;
    private final Thread receiver;
    private volatile boolean closed;

    /**
     * Opens the socket (bound to the loopback address for a loopback server, else to the wildcard address; an
     * ephemeral port) and starts its receiver.
     *
     * @param firstIdentifier the first Identifier handed out
     * @param released        run after each {@link Exchange#release} (the owner wakes a request waiting for an Identifier)
     */
    RadiusSocket(InetSocketAddress server, byte[] secret, boolean requireMessageAuthenticator, int firstIdentifier,
                 String name, DropListener drops, Runnable released) throws IOException {
        this.server = Objects.requireNonNull(server);
        this.secret = secret.clone();
        this.requireMessageAuthenticator = requireMessageAuthenticator;
        this.identifiers = new IdentifierSpace<>(firstIdentifier);
        this.drops = Objects.requireNonNull(drops);
        this.released = Objects.requireNonNull(released);
        this.channel = DatagramChannel.open();
        try {
            channel.bind(new InetSocketAddress(server.getAddress().isLoopbackAddress() ? server.getAddress() : null, 0));
        } catch (IOException e) {
            channel.close();
            throw e;
        }
        this.receiver = Thread.ofVirtual().name(name).start(this::receive);
    }

    /** An Identifier for one request; empty when all 256 are outstanding. */
    Optional<Exchange> reserve() {
        if (closed) throw new RadiusUnavailableException("RADIUS socket to " + server + " is closed");
        return identifiers.take(Exchange::new);
    }

    /** Identifiers taken by outstanding requests. */
    int outstanding() {
        return identifiers.inUse();
    }

    /** Our source address (the port the server sees). */
    InetSocketAddress localAddress() throws IOException {
        return (InetSocketAddress) channel.getLocalAddress();
    }

    private void receive() {
        ByteBuffer buffer = ByteBuffer.allocate(RadiusWire.MAX_PACKET + 1);
        while (!closed) {
            SocketAddress from;
            try {
                buffer.clear();
                from = channel.receive(buffer);
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (!closed) log.warn("radius socket to {} receive failed: {}", server, e.toString());
                continue;
            }
            buffer.flip();
            byte[] packet = new byte[buffer.remaining()];
            buffer.get(packet);
            accept(packet, from);
        }
    }

    /** Hands one received datagram to the request it answers, or drops it with its reason. */
    void accept(byte[] packet, SocketAddress from) {
        if (!(from instanceof InetSocketAddress source) || !source.equals(server)) {
            drops.dropped(InvalidResponseReason.SOURCE, from, -1);
            return;
        }
        if (packet.length < RadiusWire.HEADER) {
            drops.dropped(InvalidResponseReason.MALFORMED, from, -1);
            return;
        }
        int identifier = packet[1] & 0xff;
        Optional<Exchange> current = identifiers.outstanding(identifier).filter(x -> x.sent != null);
        InvalidResponseReason reason;
        if (current.isPresent()) {
            Exchange x = current.get();
            Optional<InvalidResponseReason> bad = RadiusWire.verifyResponse(packet, x.sent, secret, requireMessageAuthenticator);
            if (bad.isEmpty()) {
                // RFC 2548 section 2.4: the MPPE keys are hidden with this server's secret and this request's authenticator
                byte[] revealed = RadiusWire.revealMppeKeys(packet, secret, x.sent.requestAuthenticator(), (name, why) ->
                        log.warn("radius server {} sent an {} that does not decrypt ({}): left out of its answer, which"
                                + " then has no MSK for EAP-MSCHAPv2; check the server's MPPE key settings", server, name, why));
                Optional<RadiusResponse> response = decode(revealed);
                if (response.isEmpty()) {
                    reason = InvalidResponseReason.MALFORMED;
                } else if (x.answer.complete(response.get())) {
                    return;
                } else {
                    reason = InvalidResponseReason.LATE; // a second answer, to a retransmission
                }
            } else {
                reason = answersPrevious(identifier, packet) ? InvalidResponseReason.LATE : bad.get();
            }
        } else {
            reason = answersPrevious(identifier, packet) ? InvalidResponseReason.LATE : InvalidResponseReason.IDENTIFIER;
        }
        drops.dropped(reason, from, identifier);
    }

    /** Whether {@code packet} is a genuine answer to the request that held {@code identifier} before. */
    private boolean answersPrevious(int identifier, byte[] packet) {
        return identifiers.previous(identifier).filter(p -> p.sent != null)
                .filter(p -> RadiusWire.verifyResponse(packet, p.sent, secret, requireMessageAuthenticator).isEmpty())
                .isPresent();
    }

    private static Optional<RadiusResponse> decode(byte[] packet) {
        try {
            int length = ((packet[2] & 0xff) << 8) | (packet[3] & 0xff);
            return Optional.of(RadiusResponse.fromByteBuf(RadiusDictionary.get(), Unpooled.wrappedBuffer(packet, 0, length)));
        } catch (RadiusPacketException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Closes the socket; requests still waiting fail with {@link RadiusUnavailableException}. */
    @Override
    public void close() {
        closed = true;
        try {
            channel.close();
        } catch (IOException e) {
            log.debug("closing the RADIUS socket to {}", server, e);
        }
        for (Exchange x : identifiers.allOutstanding()) {
            x.answer.completeExceptionally(new RadiusUnavailableException("RADIUS socket to " + server + " closed"));
        }
        try {
            receiver.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Arrays.fill(secret, (byte) 0);
    }

    /** One request's hold on an Identifier of this socket. */
    final class Exchange {
        private final int identifier;
        private final CompletableFuture<RadiusResponse> answer = new CompletableFuture<>();
        /** What was transmitted with this Identifier (null until the first transmission). */
        private volatile RadiusWire.Encoded sent;

        private Exchange(int identifier) {
            this.identifier = identifier;
        }

        int identifier() {
            return identifier;
        }

        /** Sends {@code request}, encoded with this Identifier; again for a retransmission. */
        void transmit(RadiusWire.Encoded request) throws IOException {
            if (request.identifier() != identifier) {
                throw new IllegalArgumentException("encoded with Identifier " + request.identifier() + ", holds " + identifier);
            }
            sent = request;
            if (closed) throw new RadiusUnavailableException("RADIUS socket to " + server + " closed");
            channel.send(ByteBuffer.wrap(request.packet()), server);
        }

        /** The verified answer, waiting at most {@code timeout}. */
        RadiusResponse await(Duration timeout) throws TimeoutException, InterruptedException {
            try {
                return answer.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : new RadiusUnavailableException(String.valueOf(e.getCause()));
            }
        }

        /** Frees the Identifier; an answer arriving later counts as {@link InvalidResponseReason#LATE}. */
        void release() {
            if (identifiers.release(identifier, this)) released.run();
        }
    }

    @Override
    public String toString() {
        return "RadiusSocket[server=" + server + ", outstanding=" + outstanding() + "]";
    }
}
