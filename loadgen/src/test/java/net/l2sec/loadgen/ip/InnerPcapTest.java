package net.l2sec.loadgen.ip;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InnerPcapTest {
    @TempDir
    Path dir;

    /** The classic pcap layout: a 24-octet global header with LINKTYPE_RAW, then per packet a 16-octet record header. */
    @Test
    void writesAPcapFileWithRawIpRecords() throws Exception {
        Path f = dir.resolve("x.pcap");
        ByteBuf packet = Unpooled.buffer().writeBytes(new byte[] {0x45, 0, 0, 20, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16});
        packet.readerIndex(0);
        try (InnerPcap pcap = new InnerPcap(f)) {
            pcap.write(packet);
            pcap.write(packet);
        }
        assertThat(packet.readerIndex()).as("not consumed").isZero();
        packet.release();
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(f)).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(b.remaining()).isEqualTo(24 + 2 * (16 + 20));
        assertThat(b.getInt(0)).isEqualTo(0xa1b2c3d4);
        assertThat(b.getShort(4)).isEqualTo((short) 2);
        assertThat(b.getShort(6)).isEqualTo((short) 4);
        assertThat(b.getInt(20)).isEqualTo(101);
        assertThat(b.getInt(24 + 8)).isEqualTo(20);
        assertThat(b.getInt(24 + 12)).isEqualTo(20);
        assertThat(b.get(24 + 16)).isEqualTo((byte) 0x45);
    }
}
