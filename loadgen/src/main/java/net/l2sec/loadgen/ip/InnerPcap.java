package net.l2sec.loadgen.ip;

import io.netty.buffer.ByteBuf;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code --pcap FILE}: the decrypted inner IPv4 packets the clients send and receive through their tunnels, in the
 * classic pcap format with link type {@code LINKTYPE_RAW} (101: each record an IP packet, no link header), for
 * tshark or Wireshark. Any event loop may write; records are whole and in the order written.
 */
public final class InnerPcap implements AutoCloseable {
    /** LINKTYPE_RAW: the packet begins with an IPv4 or IPv6 header. */
    static final int LINKTYPE_RAW = 101;
    static final int SNAPLEN = 65535;

    private final OutputStream out;

    public InnerPcap(Path file) throws IOException {
        this.out = new BufferedOutputStream(Files.newOutputStream(file));
        ByteBuffer header = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        header.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(SNAPLEN).putInt(LINKTYPE_RAW);
        out.write(header.array());
    }

    /** One packet: the readable bytes of {@code packet} (not consumed, not released). */
    public void write(ByteBuf packet) {
        int length = packet.readableBytes();
        byte[] data = new byte[length];
        packet.getBytes(packet.readerIndex(), data);
        long micros = System.currentTimeMillis() * 1000 + (System.nanoTime() / 1000) % 1000;
        ByteBuffer record = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        record.putInt((int) (micros / 1_000_000)).putInt((int) (micros % 1_000_000)).putInt(length).putInt(length);
        synchronized (this) {
            try {
                out.write(record.array());
                out.write(data);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Override
    public synchronized void close() throws IOException {
        out.close();
    }
}
