package net.l2sec.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

/** Prepending in place when the buffer allows it, exactly one copy otherwise, and exact reference counts. */
class PacketBuffersTest {
    private static final byte[] PACKET = {0x45, 0, 0, 8, 1, 2, 3, 4};

    private static ByteBuf withHeadroom() {
        return PacketBuffers.allocate(PooledByteBufAllocator.DEFAULT, PACKET.length).writeBytes(PACKET);
    }

    @Test
    void allocateLeavesHeadroomAndTailroom() {
        ByteBuf b = withHeadroom();
        assertThat(b.readerIndex()).isEqualTo(PacketBuffers.HEADROOM);
        assertThat(b.writableBytes()).isGreaterThanOrEqualTo(PacketBuffers.TAILROOM);
        assertThat(b.hasArray()).as("heap: the JCE works on the array").isTrue();
        b.release();
    }

    @Test
    void enoughHeadroomWritesInFrontOfTheSameBuffer() {
        ByteBuf b = withHeadroom();
        ByteBuf framed = PacketBuffers.prepend(b, 4, 16);
        assertThat(framed).as("no allocation").isSameAs(b);
        assertThat(framed.refCnt()).isEqualTo(1);
        assertThat(framed.readerIndex()).isEqualTo(PacketBuffers.HEADROOM - 4);
        assertThat(framed.writableBytes()).isGreaterThanOrEqualTo(16);
        framed.setInt(framed.readerIndex(), 0xff030021);
        assertThat(ByteBufUtil.hexDump(framed)).isEqualTo("ff030021" + ByteBufUtil.hexDump(PACKET));
        framed.release();
    }

    @Test
    void layersStackUpToTheHeadroom() {
        ByteBuf b = withHeadroom();
        ByteBuf p = b;
        for (int header : new int[] {4, 12, 8, 8 + 16}) p = PacketBuffers.prepend(p, header);
        assertThat(p).isSameAs(b);
        assertThat(p.readableBytes()).isEqualTo(PACKET.length + 48);
        p = PacketBuffers.prepend(p, PacketBuffers.HEADROOM - 48 + 1); // one octet too many: copied
        assertThat(p).isNotSameAs(b);
        assertThat(b.refCnt()).isZero();
        assertThat(p.refCnt()).isEqualTo(1);
        p.release();
    }

    @Test
    void sharedBufferIsCopiedOnceAndLeftIntact() {
        ByteBuf tun = withHeadroom();
        ByteBuf framed = PacketBuffers.prepend(tun.retain(), 4);
        assertThat(framed).isNotSameAs(tun);
        assertThat(tun.refCnt()).as("the retained reference was released").isEqualTo(1);
        assertThat(tun.readerIndex()).isEqualTo(PacketBuffers.HEADROOM);
        assertThat(ByteBufUtil.getBytes(tun)).containsExactly(PACKET);
        assertThat(framed.refCnt()).isEqualTo(1);
        assertThat(framed.readerIndex()).isEqualTo(PacketBuffers.HEADROOM - 4);
        assertThat(framed.writableBytes()).isGreaterThanOrEqualTo(PacketBuffers.TAILROOM);
        assertThat(ByteBufUtil.hexDump(framed, framed.readerIndex() + 4, PACKET.length)).isEqualTo(ByteBufUtil.hexDump(PACKET));
        framed.release();
        tun.release();
    }

    @Test
    void noHeadroomIsCopied() {
        ByteBuf bare = Unpooled.wrappedBuffer(PACKET.clone());
        ByteBuf framed = PacketBuffers.prepend(bare, 4);
        assertThat(framed).isNotSameAs(bare);
        assertThat(bare.refCnt()).isZero();
        assertThat(ByteBufUtil.hexDump(framed, framed.readerIndex() + 4, PACKET.length)).isEqualTo(ByteBufUtil.hexDump(PACKET));
        framed.release();
    }

    @Test
    void tooLittleTailroomIsCopied() {
        ByteBuf b = PooledByteBufAllocator.DEFAULT.heapBuffer(PacketBuffers.HEADROOM + PACKET.length, PacketBuffers.HEADROOM + PACKET.length);
        b.setIndex(PacketBuffers.HEADROOM, PacketBuffers.HEADROOM).writeBytes(PACKET);
        ByteBuf sealed = PacketBuffers.prepend(b, 8, 1);
        assertThat(sealed).isNotSameAs(b);
        assertThat(b.refCnt()).isZero();
        assertThat(sealed.writableBytes()).isGreaterThanOrEqualTo(PacketBuffers.TAILROOM);
        sealed.release();
    }

    @Test
    void derivedReadOnlyAndCompositeBuffersAreNeverWritten() {
        ByteBuf parent = withHeadroom();
        parent.setZero(0, PacketBuffers.HEADROOM); // pooled memory is not cleared
        ByteBuf slice = parent.retainedSlice(PacketBuffers.HEADROOM - 16, PACKET.length + 16).skipBytes(16);
        assertThat(PacketBuffers.writable(slice)).isFalse();
        ByteBuf framed = PacketBuffers.prepend(slice, 4);
        assertThat(slice.refCnt()).isZero();
        assertThat(parent.refCnt()).isEqualTo(1);
        assertThat(parent.getInt(PacketBuffers.HEADROOM - 4)).as("nothing written in front of the slice").isZero();
        framed.release();

        ByteBuf readOnly = withHeadroom().asReadOnly();
        assertThat(PacketBuffers.writable(readOnly)).isFalse();
        readOnly.release();

        CompositeByteBuf composite = PooledByteBufAllocator.DEFAULT.compositeHeapBuffer().addComponent(true, withHeadroom());
        assertThat(PacketBuffers.writable(composite)).isFalse();
        PacketBuffers.prepend(composite, 4).release();
        assertThat(composite.refCnt()).isZero();
        parent.release();
    }
}
