package net.l2sec.concentrator;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import net.l2sec.concentrator.config.ConcentratorConfig;
import net.l2sec.concentrator.config.ConfigLoader;
import net.l2sec.dataplane.ikev2.Ikev2Settings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which ipsec changes a reload cannot apply: IKEv2 turned on or off needs a restart, its other settings do not. */
class IpsecReloadTest {
    private static final String BASE = """
            l2tp:
              require-ipsec: true
            pools:
              - name: default
                range: 10.99.0.10-10.99.0.20
            aaa:
              local:
                users-file: users
            ipsec:
              psk: a-long-enough-pre-shared-key
            """;

    @TempDir
    Path dir;

    private ConcentratorConfig.Ipsec load(String extra) throws Exception {
        PrivateFiles.write(dir.resolve("users"), "alice plain:password\n");
        Path f = dir.resolve("c.yaml");
        java.nio.file.Files.writeString(f, BASE + extra);
        return ConfigLoader.load(f).ipsec();
    }

    @Test
    void turningIkev2OnOrOffNeedsARestartItsTimersDoNot() throws Exception {
        ConcentratorConfig.Ipsec on = load("");
        ConcentratorConfig.Ipsec off = load("  ikev2:\n    enabled: false\n");
        ConcentratorConfig.Ipsec tuned = load("  ikev2:\n    cookie-threshold: 0\n    auth-timeout: 30s\n    mobike: false\n");
        assertThat(tuned.ikev2()).isEqualTo(new Ikev2Settings(true, 0, false, Duration.ofSeconds(30)));

        assertThat(IpsecWiring.restartNeededWhileOn(on, on)).isEmpty();
        assertThat(IpsecWiring.restartNeededWhileOn(on, off)).containsExactly(IpsecWiring.IKEV2_ENABLED);
        assertThat(IpsecWiring.restartNeededWhileOn(off, on)).containsExactly("ipsec.ikev2.enabled");
        assertThat(IpsecWiring.restartNeededWhileOn(on, tuned)).isEmpty();
    }
}
