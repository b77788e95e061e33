package net.l2sec.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.IllegalReferenceCountException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class RecyclingBuffersTest {
    private static final UnpooledByteBufAllocator ALLOC = UnpooledByteBufAllocator.DEFAULT;

    @Test
    void theLastReleasedBufferComesBackFirstAndAsNew() {
        ByteBuf first = RecyclingBuffers.take(ALLOC, 1424);
        ByteBuf second = RecyclingBuffers.take(ALLOC, 1424);
        assertThat(second).isNotSameAs(first);
        first.writeLong(1).readByte();
        first.markReaderIndex().markWriterIndex();
        first.release();
        second.release();
        int kept = RecyclingBuffers.kept();

        ByteBuf again = RecyclingBuffers.take(ALLOC, 100);
        assertThat(again).isSameAs(second); // last in, first out
        assertThat(RecyclingBuffers.kept()).isEqualTo(kept - 1);
        ByteBuf then = RecyclingBuffers.take(ALLOC, 100);
        assertThat(then).isSameAs(first);
        // as new: one reference, empty, marks at 0, full capacity
        assertThat(then.refCnt()).isOne();
        assertThat(then.readerIndex()).isZero();
        assertThat(then.writerIndex()).isZero();
        assertThat(then.capacity()).isEqualTo(RecyclingBuffers.CAPACITY);
        then.writeLong(7).resetReaderIndex().resetWriterIndex();
        assertThat(then.readerIndex()).isZero();
        assertThat(then.writerIndex()).isZero();
        then.release();
        again.release();
    }

    @Test
    void aReleasedBufferIsDeadUntilTakenAgain() {
        ByteBuf b = RecyclingBuffers.take(ALLOC, 64);
        b.retain();
        b.release();
        assertThat(b.refCnt()).isOne(); // still held: not back on the stack
        int kept = RecyclingBuffers.kept();
        b.release();
        assertThat(RecyclingBuffers.kept()).isEqualTo(kept + 1);
        assertThatThrownBy(() -> b.getByte(0)).isInstanceOf(IllegalReferenceCountException.class);
        assertThatThrownBy(b::release).isInstanceOf(IllegalReferenceCountException.class);
        assertThat(RecyclingBuffers.kept()).isEqualTo(kept + 1); // a double release does not stack it twice
        RecyclingBuffers.take(ALLOC, 64).release();
    }

    @Test
    void aBufferReleasedOnAnotherThreadIsNotKept() throws InterruptedException {
        ByteBuf b = RecyclingBuffers.take(ALLOC, 64);
        int kept = RecyclingBuffers.kept();
        Thread other = Thread.ofPlatform().start(b::release);
        other.join();
        assertThat(RecyclingBuffers.kept()).isEqualTo(kept);
        ByteBuf next = RecyclingBuffers.take(ALLOC, 64);
        assertThat(next).isNotSameAs(b);
        next.release();
    }

    @Test
    void eachThreadHasItsOwnBuffers() throws InterruptedException {
        ByteBuf mine = RecyclingBuffers.take(ALLOC, 64);
        mine.release();
        AtomicReference<ByteBuf> theirs = new AtomicReference<>();
        Thread other = Thread.ofPlatform().start(() -> {
            ByteBuf b = RecyclingBuffers.take(ALLOC, 64);
            theirs.set(b);
            b.release();
        });
        other.join();
        assertThat(theirs.get()).isNotSameAs(mine);
        ByteBuf again = RecyclingBuffers.take(ALLOC, 64);
        assertThat(again).isSameAs(mine);
        again.release();
    }

    @Test
    void largerRequestsComeFromTheAllocatorAndGrownBuffersAreNotKept() {
        ByteBuf large = RecyclingBuffers.take(ALLOC, RecyclingBuffers.CAPACITY + 1);
        assertThat(large.capacity()).isGreaterThan(RecyclingBuffers.CAPACITY);
        assertThat(large.alloc()).isSameAs(ALLOC);
        int kept = RecyclingBuffers.kept();
        large.release();
        assertThat(RecyclingBuffers.kept()).isEqualTo(kept);

        ByteBuf grown = RecyclingBuffers.take(ALLOC, 16);
        kept = RecyclingBuffers.kept();
        grown.writeZero(RecyclingBuffers.CAPACITY + 100);
        grown.release();
        assertThat(RecyclingBuffers.kept()).isEqualTo(kept);
    }

    @Test
    void keepsAtMostItsLimit() {
        ByteBuf[] many = new ByteBuf[RecyclingBuffers.MAX_KEPT + 8];
        for (int i = 0; i < many.length; i++) many[i] = RecyclingBuffers.take(ALLOC, 64);
        for (ByteBuf b : many) b.release();
        assertThat(RecyclingBuffers.kept()).isEqualTo(RecyclingBuffers.MAX_KEPT);
    }
}
