package net.l2sec.concentrator;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import net.l2sec.concentrator.config.ConcentratorConfig;
import net.l2sec.concentrator.config.ConfigLoader;
import net.l2sec.dataplane.session.SessionRegistry;
import net.l2sec.spi.auth.AuthResult;
import net.l2sec.spi.auth.Authenticator;
import net.l2sec.spi.auth.RejectReason;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reload tells an L2TP settings change by value: a file read again (new objects, a tunnel secret in a new array)
 * needs no restart, a changed timer or secret does; pools and PPP settings are applied.
 */
class L2tpWiringReloadTest {
    private static final String BASE = """
            server:
              name: lns1
            l2tp:
              listen: 127.0.0.1:0
              require-ipsec: false
              tunnel-secret-file: l2tp.secret
              hello-interval: 60s
            pools:
              - name: default
                range: 10.99.0.10-10.99.0.20
            aaa:
              local:
                users-file: users
            """;

    @TempDir
    Path dir;
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    /** Two workers: a reload reaches each one's PPP factory on its own loop. */
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    private final Workers workers = new Workers(group, 2, registry);
    private final EventLoop loop = workers.first().loop();
    private LocalAddresses addresses;
    private L2tpWiring l2tp;

    @BeforeEach
    void start() throws Exception {
        PrivateFiles.write(dir.resolve("users"), "alice plain:password\n");
        PrivateFiles.write(dir.resolve("l2tp.secret"), "tunnel-secret-1\n");
        Authenticator refuseAll = request -> CompletableFuture.completedFuture(new AuthResult.Reject(RejectReason.BAD_CREDENTIALS, "test"));
        addresses = new LocalAddresses(workers, net.l2sec.dataplane.udp.Transport.NIO, registry);
        l2tp = L2tpWiring.start(load(BASE), refuseAll, new SessionRegistry(), worker -> ReferenceCountUtil::release,
                workers, registry, addresses);
    }

    @AfterEach
    void stop() {
        for (Workers.Worker w : workers.all()) {
            CompletableFuture.runAsync(() -> l2tp.stopTunnels(w.index()), w.loop()).join();
        }
        l2tp.closeSockets();
        addresses.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private ConcentratorConfig load(String yaml) throws Exception {
        Path f = dir.resolve("c" + System.nanoTime() + ".yaml");
        Files.writeString(f, yaml);
        return ConfigLoader.load(f);
    }

    private <T> T onLoop(Supplier<T> work) {
        try {
            return CompletableFuture.supplyAsync(work, loop).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new CompletionException(e);
        }
    }

    @Test
    void theSameFileReadAgainNeedsNoRestart() throws Exception {
        ConcentratorConfig before = load(BASE);
        ConcentratorConfig again = load(BASE);
        assertThat(again.l2tp().settings().tunnelSecret().get()).isNotSameAs(before.l2tp().settings().tunnelSecret().get());
        assertThat(again.l2tp()).isEqualTo(before.l2tp());
        assertThat(l2tp.reload(before, again)).isEmpty();
    }

    @Test
    void aChangedTimerOrSecretNeedsARestart() throws Exception {
        ConcentratorConfig before = load(BASE);
        ConcentratorConfig hello = load(BASE.replace("hello-interval: 60s", "hello-interval: 30s"));
        assertThat(l2tp.reload(before, hello)).containsExactly("l2tp (timers, limits, tunnel secret)");

        PrivateFiles.write(dir.resolve("l2tp.secret"), "tunnel-secret-2\n");      // same length, other octets
        ConcentratorConfig secret = load(BASE);
        assertThat(secret.l2tp().settings().toString()).isEqualTo(before.l2tp().settings().toString());
        assertThat(l2tp.reload(before, secret)).containsExactly("l2tp (timers, limits, tunnel secret)");

        ConcentratorConfig name = load(BASE.replace("name: lns1", "name: lns2"));
        assertThat(l2tp.reload(before, name)).containsExactly("l2tp (timers, limits, tunnel secret)");

        var elsewhere = new ConcentratorConfig.L2tp(new InetSocketAddress("127.0.0.1", 1701), true, before.l2tp().settings());
        assertThat(L2tpWiring.restartNeeded(before.l2tp(), elsewhere)).containsExactly("l2tp.listen", "l2tp.require-ipsec");
    }

    @Test
    void poolsAndPppSettingsApply() throws Exception {
        ConcentratorConfig before = load(BASE);
        ConcentratorConfig next = load(BASE.replace("""
                  - name: default
                    range: 10.99.0.10-10.99.0.20
                """, """
                  - name: default
                    range: 10.99.0.10-10.99.0.20
                  - name: lab
                    range: 10.99.0.200-10.99.0.210
                """) + "ppp:\n  mru: 1300\n");
        assertThat(l2tp.reload(before, next)).isEmpty();
        assertThat(l2tp.pool("lab")).hasValueSatisfying(p -> assertThat(p.size()).isEqualTo(11));
        assertThat(registry.find("l2sec.pool.addresses").tag("pool", "lab").gauges()).hasSize(2);

        ConcentratorConfig shrunk = load(BASE.replace("10.99.0.10-10.99.0.20", "10.99.0.10-10.99.0.15"));
        assertThat(l2tp.reload(next, shrunk)).isEmpty();
        assertThat(l2tp.pool("lab")).isEmpty();
        assertThat(registry.find("l2sec.pool.addresses").tag("pool", "lab").gauges()).isEmpty();
        assertThat(l2tp.pool("default")).hasValueSatisfying(p -> assertThat(p.size()).isEqualTo(6));
        assertThat(onLoop(l2tp::poolNames)).containsExactly("default");
    }

    private static final String IPV6 = BASE.replace("pools:", """
            tunnel-interface:
              address6: 2001:db8:99::1/48
            pools6:
              - name: default6
                prefix: 2001:db8:99::/48
            pools:""") + "ppp:\n  dns6: [2001:db8:99::53]\n";

    /** pools6 (and the TUN device's IPv6 address) change at a restart only: the reload says so and keeps IPv6 as it was. */
    @Test
    void ipv6PoolsNeedARestart() throws Exception {
        ConcentratorConfig before = load(BASE);
        ConcentratorConfig withIpv6 = load(IPV6);
        assertThat(withIpv6.ppp().ipv6().enabled()).isTrue();
        assertThat(l2tp.reload(before, withIpv6)).containsExactly("pools6");
        assertThat(l2tp.pool6("default6")).as("not started by a reload").isEmpty();
        assertThat(onLoop(l2tp::pool6Names)).isEmpty();
        // read again: still not running, so still reported (compared with what runs, not with the last file read)
        assertThat(l2tp.reload(withIpv6, load(IPV6))).containsExactly("pools6");
        assertThat(l2tp.pool6Names()).isEmpty();
    }
}
