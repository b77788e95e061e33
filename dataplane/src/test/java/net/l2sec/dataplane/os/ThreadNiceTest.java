package net.l2sec.dataplane.os;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

@EnabledOnOs(OS.LINUX)
class ThreadNiceTest {
    /** Field 19 of /proc/thread-self/stat (after the command name in parentheses): the thread's nice value. */
    private static int niceOfThisThread() throws Exception {
        String stat = Files.readString(Path.of("/proc/thread-self/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Integer.parseInt(f[16]);
    }

    @Test
    void setsTheNiceValueOfTheCallingThreadOnly() throws Exception {
        int before = niceOfThisThread();
        AtomicReference<Object> seen = new AtomicReference<>();
        Thread t = Thread.ofPlatform().start(() -> {
            try {
                boolean ok = ThreadNice.apply(7);
                seen.set(ok ? niceOfThisThread() : "refused");
            } catch (Exception e) {
                seen.set(e);
            }
        });
        t.join();
        assertThat(seen.get()).isEqualTo(7);
        assertThat(niceOfThisThread()).as("the caller's thread is unchanged").isEqualTo(before);
    }
}
