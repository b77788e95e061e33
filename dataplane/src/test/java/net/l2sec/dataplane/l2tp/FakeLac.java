package net.l2sec.dataplane.l2tp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/** A scripted LAC (the client side) talking to an {@link L2tpNetworkServer}, in the manner of xl2tpd. */
final class FakeLac implements L2tpTransport {
    final L2tpNetworkServer server;
    final InetSocketAddress address;
    final int tunnelId;
    final List<ControlMessage> received = new ArrayList<>();
    final List<byte[]> dataReceived = new ArrayList<>();
    final List<DataMessage> dataHeaders = new ArrayList<>();
    int serverTunnelId;
    int ns;
    int nr;
    boolean deaf; // drops everything the server sends

    FakeLac(L2tpNetworkServer server, InetSocketAddress address, int tunnelId) {
        this.server = server;
        this.address = address;
        this.tunnelId = tunnelId;
    }

    @Override
    public void send(InetSocketAddress peer, ByteBuf datagram) {
        try {
            if (!peer.equals(address)) throw new AssertionError("sent to " + peer + " instead of " + address);
            if (deaf) return;
            L2tpMessage m = L2tpCodec.decode(datagram);
            switch (m) {
                case ControlMessage c -> {
                    received.add(c);
                    if (!c.isZlb() && c.ns() == nr) nr = (nr + 1) & 0xffff;
                }
                case DataMessage d -> {
                    dataReceived.add(ByteBufUtil.getBytes(d.payload()));
                    dataHeaders.add(new DataMessage(d.tunnelId(), d.sessionId(), d.sequenced(), d.ns(), d.nr(), null));
                    d.payload().release();
                }
            }
        } catch (L2tpDecodeException e) {
            throw new AssertionError(e);
        } finally {
            datagram.release();
        }
    }

    /** Builds, numbers and delivers one control message to the server. */
    ControlMessage control(MessageType type, int tunnel, int session, List<Avp> avps) {
        ControlMessage m = ControlMessage.of(type, tunnel, session, avps).withSequence(ns, nr);
        ns = (ns + 1) & 0xffff;
        deliver(m);
        return m;
    }

    void deliver(ControlMessage m) {
        server.receive(address, L2tpCodec.encode(ByteBufAllocator.DEFAULT, m), this);
    }

    void zlb() {
        deliver(ControlMessage.zlb(serverTunnelId, ns, nr));
    }

    ControlMessage sccrq(Avp... extra) {
        List<Avp> avps = new ArrayList<>(List.of(
                Avp.ofShort(AvpType.PROTOCOL_VERSION, 0x0100),
                Avp.ofString(AvpType.HOST_NAME, "xl2tpd"),
                Avp.ofInt(AvpType.FRAMING_CAPABILITIES, 3),
                Avp.ofInt(AvpType.BEARER_CAPABILITIES, 3),
                Avp.optional(AvpType.FIRMWARE_REVISION, new byte[] {0x06, (byte) 0x90}),
                Avp.optional(AvpType.VENDOR_NAME, "xelerance.com".getBytes()),
                Avp.ofShort(AvpType.ASSIGNED_TUNNEL_ID, tunnelId),
                Avp.ofShort(AvpType.RECEIVE_WINDOW_SIZE, 4)));
        avps.addAll(List.of(extra));
        return control(MessageType.SCCRQ, 0, 0, avps);
    }

    /** SCCRQ, then SCCCN on the SCCRP; returns the SCCRP. */
    ControlMessage establish() {
        sccrq();
        ControlMessage sccrp = last(MessageType.SCCRP);
        serverTunnelId = sccrp.find(AvpType.ASSIGNED_TUNNEL_ID).shortValue();
        control(MessageType.SCCCN, serverTunnelId, 0, List.of());
        return sccrp;
    }

    /** ICRQ then ICCN for our session {@code lacSession}; returns the server's Session ID. */
    int call(int lacSession) {
        control(MessageType.ICRQ, serverTunnelId, 0, List.of(Avp.ofShort(AvpType.ASSIGNED_SESSION_ID, lacSession),
                Avp.ofInt(AvpType.CALL_SERIAL_NUMBER, 1), Avp.ofInt(AvpType.BEARER_TYPE, 0)));
        ControlMessage icrp = last(MessageType.ICRP);
        int lns = icrp.find(AvpType.ASSIGNED_SESSION_ID).shortValue();
        control(MessageType.ICCN, serverTunnelId, lns, List.of(Avp.ofInt(AvpType.FRAMING_TYPE, 1),
                Avp.ofInt(AvpType.TX_CONNECT_SPEED, 100_000_000)));
        return lns;
    }

    void data(int lnsSession, byte[] frame) {
        ByteBuf buf = ByteBufAllocator.DEFAULT.buffer();
        buf.writeShort(0x4002).writeShort(8 + frame.length).writeShort(serverTunnelId).writeShort(lnsSession).writeBytes(frame);
        server.receive(address, buf, this);
    }

    ControlMessage last(MessageType type) {
        for (int i = received.size() - 1; i >= 0; i--) if (received.get(i).type() == type) return received.get(i);
        throw new AssertionError("no " + type + " in " + received);
    }

    List<ControlMessage> all(MessageType type) {
        return received.stream().filter(m -> m.type() == type).toList();
    }

    long zlbs() {
        return received.stream().filter(ControlMessage::isZlb).count();
    }
}
