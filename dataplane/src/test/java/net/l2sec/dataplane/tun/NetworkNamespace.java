package net.l2sec.dataplane.tun;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away named network namespace ({@code ip netns add}) for tests that create interfaces, and a way to run
 * code inside it: on Linux, namespace membership is per thread, so {@link #call} runs its task on a fresh platform
 * thread that first joins the namespace with setns(2) and verifies it did before running anything.
 */
@SuppressWarnings("restricted")
final class NetworkNamespace implements AutoCloseable {
    private static final int O_RDONLY = 0;
    private static final int O_CLOEXEC = 0x80000;
    private static final int CLONE_NEWNET = 0x40000000;

    private final String name;

    private NetworkNamespace(String name) {
        this.name = name;
    }

    static boolean runningAsRoot() {
        try {
            Process p = new ProcessBuilder("id", "-u").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
            return p.waitFor(10, TimeUnit.SECONDS) && out.equals("0");
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** {@code ip netns add l2sec-tun-test-<random>}. */
    static NetworkNamespace create() throws IOException, InterruptedException {
        String name = "l2sec-tun-test-" + Integer.toHexString(ThreadLocalRandom.current().nextInt() >>> 1);
        ip("netns", "add", name);
        return new NetworkNamespace(name);
    }

    String name() {
        return name;
    }

    /** Runs {@code ip -n NAME args...} and returns its output; fails on a non-zero exit. */
    String ipIn(String... args) throws IOException, InterruptedException {
        String[] all = new String[args.length + 2];
        all[0] = "-n";
        all[1] = name;
        System.arraycopy(args, 0, all, 2, args.length);
        return ip(all);
    }

    private static String ip(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("ip"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
        return out;
    }

    /**
     * Runs {@code task} on a new platform thread that is inside this namespace. The thread refuses to run the task
     * unless /proc/thread-self/ns/net is the namespace's inode afterwards, so nothing leaks into the host's.
     */
    <T> T call(Callable<T> task) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread t = Thread.ofPlatform().name("netns-" + name).start(() -> {
            try {
                enter();
                result.complete(task.call());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        try {
            return result.get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception ex) throw ex;
            throw e;
        } finally {
            t.join(10_000);
        }
    }

    private void enter() throws Throwable {
        Path nsFile = Path.of("/var/run/netns", name);
        Linker linker = Linker.nativeLinker();
        MethodHandle open = linker.downcallHandle(linker.defaultLookup().find("open").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT),
                Linker.Option.firstVariadicArg(2));
        MethodHandle setns = linker.downcallHandle(linker.defaultLookup().find("setns").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        MethodHandle close = linker.downcallHandle(linker.defaultLookup().find("close").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        try (Arena a = Arena.ofConfined()) {
            int fd = (int) open.invokeExact(a.allocateFrom(nsFile.toString()), O_RDONLY | O_CLOEXEC, 0);
            if (fd < 0) throw new IOException("cannot open " + nsFile);
            int r = (int) setns.invokeExact(fd, CLONE_NEWNET);
            int ignored = (int) close.invokeExact(fd);
            if (r != 0) throw new IOException("setns(" + nsFile + ", CLONE_NEWNET) failed");
        }
        String self = Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString();
        Object inode = Files.getAttribute(nsFile, "unix:ino");
        if (!self.equals("net:[" + inode + "]")) {
            throw new IllegalStateException("thread is in " + self + ", not in namespace " + name + " (inode " + inode + ")");
        }
    }

    /** {@code ip netns del NAME}. */
    @Override
    public void close() throws IOException {
        try {
            ip("netns", "del", name);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted deleting namespace " + name, e);
        }
    }
}
