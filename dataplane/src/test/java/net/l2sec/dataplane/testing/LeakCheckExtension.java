package net.l2sec.dataplane.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import net.l2sec.dataplane.RecyclingBuffers;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Registered for every test class (JUnit extension auto-detection): after the class, collects garbage and
 * makes the leak detector poll its queue; any ByteBuf that became unreachable without release() fails the class.
 */
public final class LeakCheckExtension implements BeforeAllCallback, AfterAllCallback {

    @Override
    public void beforeAll(ExtensionContext context) {
        drainLeaks(); // a leak from an earlier class is that class's failure, already reported
    }

    @Override
    public void afterAll(ExtensionContext context) {
        List<String> leaks = drainLeaks();
        if (!leaks.isEmpty()) {
            throw new AssertionError(leaks.size() + " leaked buffer(s) in " + context.getDisplayName() + ":\n"
                    + String.join("\n----\n", leaks));
        }
    }

    static List<String> drainLeaks() {
        for (int i = 0; i < 3; i++) {
            System.gc();
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            // the detector reports collected, unreleased buffers when the next buffer is tracked
            for (int j = 0; j < 8; j++) {
                ByteBuf a = PooledByteBufAllocator.DEFAULT.directBuffer(16);
                ByteBuf b = UnpooledByteBufAllocator.DEFAULT.heapBuffer(16);
                a.release();
                b.release();
                RecyclingBuffers.take(UnpooledByteBufAllocator.DEFAULT, 16).release(); // its own detector
            }
        }
        List<String> out = new ArrayList<>(FailingLeakDetector.LEAKS);
        FailingLeakDetector.LEAKS.clear();
        return out;
    }
}
