package net.l2sec.dataplane.ike;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.channels.DatagramChannel;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import net.l2sec.dataplane.ike.keymat.DhGroup;
import net.l2sec.dataplane.ike.keymat.IkeCipher;
import net.l2sec.dataplane.ike.keymat.IkeHash;
import net.l2sec.dataplane.ike.message.Payload;
import net.l2sec.dataplane.ike.message.PayloadChain;
import net.l2sec.dataplane.udp.ChannelDatagramSender;
import net.l2sec.dataplane.ipsec.DatagramSender;
import net.l2sec.dataplane.udp.IkeDatagramHandler;
import net.l2sec.dataplane.time.EventLoopScheduler;
import net.l2sec.dataplane.udp.LocalAddressSockets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The responder on real sockets of a host with two local addresses (127.0.0.1 and 127.0.0.2, both local on
 * Linux): each Main Mode is answered from the address its initiator sent to, and that address is the one in our
 * NAT-D payload and our identity. Datagrams to an address without a socket are dropped and counted until the
 * address is bound; an address that goes away stops being served.
 */
class LocalAddressRepliesTest {
    static final InetAddress FIRST = address("127.0.0.1");
    static final InetAddress SECOND = address("127.0.0.2");
    static final InetAddress LATER = address("127.0.0.3");

    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final AtomicInteger unbound = new AtomicInteger();
    EventLoopGroup group;
    EventLoop loop;
    LocalAddressSockets ike;
    LocalAddressSockets natt;
    int port;

    @BeforeEach
    void start() throws Exception {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        loop = group.next();
        port = freePort();
        ike = new LocalAddressSockets("ike", loop, new InetSocketAddress("0.0.0.0", port), registry);
        natt = new LocalAddressSockets("natt", loop, new InetSocketAddress("0.0.0.0", freePort()), registry);
        DatagramSender sender = ChannelDatagramSender.over(ike, natt);
        IkeResponder responder = loop.submit(() -> new IkeResponder(MainModeQuickModeTest.settings(false),
                new IkeHarness.FakeChildSas(), sender, new EventLoopScheduler(loop), registry)).get();
        ike.open(local -> new IkeDatagramHandler(responder, local), unbound::incrementAndGet);
        natt.open(local -> new IkeDatagramHandler(responder, local), unbound::incrementAndGet);
        update(FIRST, SECOND);
    }

    @AfterEach
    void stop() throws Exception {
        ike.close();
        natt.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    @Test
    void eachInitiatorIsAnsweredFromTheAddressItSentToWhichIsAlsoInNatDAndTheIdentity() throws Exception {
        for (InetAddress dialled : List.of(SECOND, FIRST)) {
            try (DatagramSocket client = client()) {
                InetSocketAddress server = new InetSocketAddress(dialled, port);
                TestInitiator i = initiator(client);
                Reply mm2 = exchange(client, server, i.mm1());
                assertThat(mm2.from()).as("message 2 from the address dialled").isEqualTo(server);
                i.mm2(mm2.message());
                Reply mm4 = exchange(client, server, i.mm3());
                assertThat(mm4.from()).isEqualTo(server);
                List<Payload.NatD> natd = i.mm4(mm4.message()).all(Payload.NatD.class);
                assertThat(natd.get(1).hash()).as("our NAT-D is of the address dialled: no NAT on our side")
                        .isEqualTo(MainModeQuickModeTest.natdOf(i, server));
                Reply mm6 = exchange(client, server, i.mm5(false));
                assertThat(mm6.from()).isEqualTo(server);
                PayloadChain c = i.mm6(mm6.message());
                assertThat(c.first(Payload.Id.class).data()).as("ID_R without local-id").isEqualTo(dialled.getAddress());
            }
        }
        assertThat(unbound).hasValue(0);
    }

    @Test
    void aDatagramToAnAddressWithoutASocketIsDroppedUntilTheAddressIsBoundAndAGoneAddressIsNoLongerServed()
            throws Exception {
        try (DatagramSocket client = client()) {
            InetSocketAddress later = new InetSocketAddress(LATER, port);
            TestInitiator i = initiator(client);
            byte[] mm1 = i.mm1();
            send(client, later, mm1);
            assertThat(receive(client, 500)).as("no answer from an address we have no socket on").isNull();
            assertThat(unbound).as("the addresses are read again at once").hasValue(1);
            assertThat(registry.get("l2sec.listen.unbound.datagrams").tag("socket", "ike").counter().count()).isEqualTo(1);

            update(FIRST, SECOND, LATER);
            assertThat(exchange(client, later, mm1).from()).as("the retransmission is answered from the new address")
                    .isEqualTo(later);
            assertThat(registry.get("l2sec.listen.addresses").tag("socket", "ike").gauge().value()).isEqualTo(3);

            update(FIRST);
            // the kernel closes a socket once its selector lets go of it: the client retransmits meanwhile
            byte[] toGone = initiator(client).mm1();
            for (int tries = 0; tries < 50 && unbound.get() < 2; tries++) {
                send(client, new InetSocketAddress(SECOND, port), toGone);
                assertThat(receive(client, 100)).as("no answer from an address that went away").isNull();
            }
            assertThat(unbound).hasValue(2);
            assertThat(loop.submit(() -> ike.addresses()).get()).containsExactly(FIRST);
        }
    }

    record Reply(InetSocketAddress from, byte[] message) {
    }

    TestInitiator initiator(DatagramSocket client) {
        return new TestInitiator(null, "127.0.0.1", client.getLocalPort(), client.getLocalPort())
                .suite(IkeCipher.AES_CBC, 128, IkeHash.SHA2_256, DhGroup.ECP256);
    }

    /** Updates both socket sets and waits until every new socket is bound. */
    void update(InetAddress... addresses) throws Exception {
        loop.submit(() -> {
            ike.update(Set.of(addresses));
            natt.update(Set.of(addresses));
        }).sync();
        for (int tries = 0; tries < 100; tries++) {
            boolean bound = true;
            for (InetAddress a : addresses) {
                bound &= loop.submit(() -> ike.channelFor(a).isActive() && natt.channelFor(a).isActive()).get();
            }
            if (bound) return;
            Thread.sleep(10);
        }
        throw new AssertionError("sockets not bound");
    }

    static Reply exchange(DatagramSocket client, InetSocketAddress server, byte[] message) throws Exception {
        send(client, server, message);
        Reply r = receive(client, 5_000);
        assertThat(r).as("answer from " + server).isNotNull();
        return r;
    }

    static void send(DatagramSocket client, InetSocketAddress to, byte[] message) throws Exception {
        client.send(new DatagramPacket(message, message.length, to));
    }

    static Reply receive(DatagramSocket client, int timeoutMillis) throws Exception {
        byte[] buf = new byte[4096];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        client.setSoTimeout(timeoutMillis);
        try {
            client.receive(p);
        } catch (SocketTimeoutException e) {
            return null;
        }
        return new Reply((InetSocketAddress) p.getSocketAddress(), Arrays.copyOf(buf, p.getLength()));
    }

    static DatagramSocket client() throws Exception {
        return new DatagramSocket(new InetSocketAddress(FIRST, 0));
    }

    static int freePort() throws Exception {
        try (DatagramChannel c = DatagramChannel.open()) {
            c.bind(new InetSocketAddress("0.0.0.0", 0));
            return ((InetSocketAddress) c.getLocalAddress()).getPort();
        }
    }

    static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
