package net.l2sec.dataplane;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/** Calls into state confined to an event loop from another thread (admin, RADIUS Disconnect/CoA). */
public final class LoopCalls {
    private LoopCalls() {}

    /**
     * Runs {@code work} on {@code loop} and completes the returned stage there with its result, or exceptionally
     * with what it threw or with the loop's refusal (a loop that is shutting down).
     */
    public static <T> CompletionStage<T> supplyOn(Executor loop, Supplier<T> work) {
        CompletableFuture<T> f = new CompletableFuture<>();
        try {
            loop.execute(() -> {
                try {
                    f.complete(work.get());
                } catch (RuntimeException e) {
                    f.completeExceptionally(e);
                }
            });
        } catch (RuntimeException e) {
            f.completeExceptionally(e);
        }
        return f;
    }
}
