package net.l2sec.dataplane;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledHeapByteBuf;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import io.netty.util.ResourceLeakTracker;
import io.netty.util.concurrent.FastThreadLocal;

/**
 * Heap buffers for packets that are released on the thread that took them, right after: the plaintext of a
 * received ESP packet, which ESP, L2TP and PPP hand to the TUN device within the same call on the event loop. Each
 * thread keeps the buffers released on it in a last-in-first-out stack and hands out the last one first, so the
 * next packet is decrypted into memory that is still in the core's cache, and taking and releasing a buffer is a
 * reference count and a stack operation. (A pooled allocator's thread cache is a first-in-first-out queue: it
 * hands out the buffer released longest ago, and costs several times more per buffer.)
 *
 * <p>The buffers are ordinary reference-counted {@link ByteBuf}s: whoever holds the last reference releases it, on
 * any thread; released on another thread, a buffer is simply dropped for the garbage collector. Netty's leak
 * detector tracks them as it tracks pooled buffers (at its configured level; at PARANOID every buffer), so a
 * buffer never released is reported. A buffer's capacity is {@link #CAPACITY}; larger requests get a buffer from
 * the given allocator.
 */
public final class RecyclingBuffers {
    /** Octets per buffer: the plaintext of any ESP packet of a 1500-octet path MTU and then some. */
    public static final int CAPACITY = 2048;
    /** Buffers a thread keeps; more released ones are dropped. */
    static final int MAX_KEPT = 32;

    private static final ResourceLeakDetector<ByteBuf> LEAKS =
            ResourceLeakDetectorFactory.instance().newResourceLeakDetector(ByteBuf.class);

    private static final FastThreadLocal<Stack> STACKS = new FastThreadLocal<>() {
        @Override
        protected Stack initialValue() {
            return new Stack(Thread.currentThread());
        }
    };

    private RecyclingBuffers() {}

    /**
     * An empty heap buffer of at least {@code capacity} octets: this thread's last released one when it is large
     * enough, else a new one ({@code alloc} for requests above {@link #CAPACITY}).
     */
    public static ByteBuf take(ByteBufAllocator alloc, int capacity) {
        if (capacity > CAPACITY) return alloc.heapBuffer(capacity);
        Stack stack = STACKS.get();
        Buffer b = stack.pop();
        if (b == null) b = new Buffer(alloc, stack);
        b.leak = LEAKS.track(b);
        return b;
    }

    /** Buffers this thread keeps now; for tests. */
    static int kept() {
        return STACKS.get().size;
    }

    private static final class Stack {
        final Thread owner;
        final Buffer[] buffers = new Buffer[MAX_KEPT];
        int size;

        Stack(Thread owner) {
            this.owner = owner;
        }

        Buffer pop() {
            if (size == 0) return null;
            Buffer b = buffers[--size];
            buffers[size] = null;
            b.reuse();
            return b;
        }

        void push(Buffer b) {
            if (size < MAX_KEPT) buffers[size++] = b;
        }
    }

    private static final class Buffer extends UnpooledHeapByteBuf {
        private final Stack stack;
        private ResourceLeakTracker<ByteBuf> leak;

        Buffer(ByteBufAllocator alloc, Stack stack) {
            super(alloc, new byte[CAPACITY], Integer.MAX_VALUE);
            this.stack = stack;
            clear();
        }

        void reuse() {
            resetRefCnt();
            clear();
            markReaderIndex().markWriterIndex(); // marks at 0, as on a new buffer
        }

        @Override
        protected void deallocate() {
            ResourceLeakTracker<ByteBuf> tracker = leak;
            if (tracker != null) {
                leak = null;
                tracker.close(this);
            }
            // a buffer that grew (ensureWritable) is not kept: the stack holds buffers of CAPACITY octets
            if (Thread.currentThread() == stack.owner && capacity() == CAPACITY) stack.push(this);
        }

        @Override
        public ByteBuf touch(Object hint) {
            ResourceLeakTracker<ByteBuf> tracker = leak;
            if (tracker != null) tracker.record(hint);
            return this;
        }

        @Override
        public ByteBuf touch() {
            return touch(null);
        }
    }
}
