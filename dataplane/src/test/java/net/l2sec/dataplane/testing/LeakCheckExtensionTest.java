package net.l2sec.dataplane.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import net.l2sec.dataplane.RecyclingBuffers;
import org.junit.jupiter.api.Test;

/** The leak check itself can fail: an unreleased, unreachable buffer is found. */
class LeakCheckExtensionTest {

    @Test
    void unreleasedBufferIsReported() {
        assertThat(LeakCheckExtension.drainLeaks()).isEmpty();
        leak();
        assertThat(LeakCheckExtension.drainLeaks()).isNotEmpty()
                .anySatisfy(l -> assertThat(l).contains("ByteBuf"));
    }

    @Test
    void releasedBufferIsNotReported() {
        ByteBuf b = PooledByteBufAllocator.DEFAULT.directBuffer(64);
        b.writeLong(1);
        b.release();
        assertThat(LeakCheckExtension.drainLeaks()).isEmpty();
    }

    @Test
    void unreleasedRecyclingBufferIsReported() {
        assertThat(LeakCheckExtension.drainLeaks()).isEmpty();
        RecyclingBuffers.take(UnpooledByteBufAllocator.DEFAULT, 1400).writeLong(42);
        assertThat(LeakCheckExtension.drainLeaks()).isNotEmpty()
                .anySatisfy(l -> assertThat(l).contains("ByteBuf"));
        ByteBuf b = RecyclingBuffers.take(UnpooledByteBufAllocator.DEFAULT, 1400);
        b.release();
        assertThat(LeakCheckExtension.drainLeaks()).isEmpty();
    }

    private static void leak() {
        PooledByteBufAllocator.DEFAULT.directBuffer(64).writeLong(42);
    }
}
