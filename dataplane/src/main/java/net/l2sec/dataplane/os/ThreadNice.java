package net.l2sec.dataplane.os;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The nice value of the calling thread, on Linux: {@code setpriority(PRIO_PROCESS, gettid(), nice)} through the
 * Foreign Function & Memory API; Linux applies it to that one thread (setpriority(2), "a thread's nice value").
 * The crypto workers run at a higher nice value than the event loops, so the scheduler lets an event loop that
 * wakes with a client's packet run at once instead of after a Diffie-Hellman computation's time slice on the
 * same core. Raising one's own nice value needs no privilege. Elsewhere, or if the call fails, nothing changes.
 */
public final class ThreadNice {
    private static final Logger log = LoggerFactory.getLogger(ThreadNice.class);
    private static final int PRIO_PROCESS = 0;
    private static final MethodHandle SETPRIORITY;
    private static final MethodHandle GETTID;
    private static volatile boolean reported;

    static {
        MethodHandle set = null;
        MethodHandle tid = null;
        if (System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
            try {
                Linker linker = Linker.nativeLinker();
                SymbolLookup libc = linker.defaultLookup();
                set = linker.downcallHandle(libc.find("setpriority").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
                tid = linker.downcallHandle(libc.find("gettid").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT));
            } catch (RuntimeException | LinkageError e) {
                set = null;
                tid = null;
            }
        }
        SETPRIORITY = set;
        GETTID = tid;
    }

    private ThreadNice() {}

    /** Sets the calling thread's nice value (-20 to 19); false (reported once in the log) when it cannot. */
    public static boolean apply(int nice) {
        if (SETPRIORITY == null) return unsupported("setpriority/gettid not available here");
        try {
            int tid = (int) GETTID.invokeExact();
            int rc = (int) SETPRIORITY.invokeExact(PRIO_PROCESS, tid, nice);
            return rc == 0 || unsupported("setpriority returned " + rc);
        } catch (Throwable t) {
            return unsupported(t.toString());
        }
    }

    private static boolean unsupported(String why) {
        if (!reported) {
            reported = true;
            log.info("thread nice value not set ({}): crypto workers run at the event loops' priority", why);
        }
        return false;
    }
}
