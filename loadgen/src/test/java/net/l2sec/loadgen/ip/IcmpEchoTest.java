package net.l2sec.loadgen.ip;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.net.Inet4Address;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class IcmpEchoTest {
    @Test
    void aRequestTurnedIntoAReplyIsReadBack() throws Exception {
        Inet4Address a = (Inet4Address) InetAddress.getByName("10.99.0.10");
        Inet4Address b = (Inet4Address) InetAddress.getByName("10.99.0.1");
        ByteBuf p = IcmpEcho.request(UnpooledByteBufAllocator.DEFAULT, a, b, 42, 7, 100, 123456789L);
        try {
            int at = p.readerIndex();
            assertThat(p.readableBytes()).isEqualTo(100);
            assertThat(IcmpEcho.checksum(p, at, 20)).as("IPv4 header checksum").isZero();
            assertThat(IcmpEcho.checksum(p, at + 20, 80)).as("ICMP checksum").isZero();
            assertThat(IcmpEcho.reply(p)).as("a request is no reply").isNull();
            // what the far end does: swap the addresses, type 0, fix both checksums
            byte[] src = new byte[4], dst = new byte[4];
            p.getBytes(at + 12, src).getBytes(at + 16, dst);
            p.setBytes(at + 12, dst).setBytes(at + 16, src).setShort(at + 10, 0);
            p.setShort(at + 10, IcmpEcho.checksum(p, at, 20));
            p.setByte(at + 20, 0).setShort(at + 22, 0).setShort(at + 22, IcmpEcho.checksum(p, at + 20, 80));
            IcmpEcho.Reply r = IcmpEcho.reply(p);
            assertThat(r).isEqualTo(new IcmpEcho.Reply(0x0a630001, 42, 7, 123456789L));
            p.setByte(at + 50, p.getByte(at + 50) ^ 1);
            assertThat(IcmpEcho.reply(p)).as("corrupted").isNull();
        } finally {
            p.release();
        }
    }
}
