package net.l2sec.concentrator;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import net.l2sec.aaa.local.LocalUsers;
import net.l2sec.concentrator.admin.AdminClient;
import net.l2sec.concentrator.config.ConcentratorConfig;
import net.l2sec.concentrator.config.ConfigException;
import net.l2sec.concentrator.config.ConfigLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * Command line: {@code run [config]}, {@code check [config]}, {@code nt-hash USER} (password on standard input),
 * {@code admin ...} (the admin interface's client, see {@link AdminClient#USAGE}).
 * Exit status: 0 ok, 1 runtime failure, 2 usage, 3 invalid configuration.
 */
public final class Main {
    private static final Logger log = LoggerFactory.getLogger(Main.class);
    private static final String DEFAULT_CONFIG = "conf/concentrator.yaml";

    private Main() {}

    public static void main(String[] args) {
        String command = args.length > 0 ? args[0] : "run";
        int status = switch (command) {
            case "run" -> run(config(args));
            case "check" -> check(config(args));
            case "nt-hash" -> ntHash(args);
            case "admin" -> new AdminClient(System.out, System.err)
                    .run(Arrays.copyOfRange(args, 1, args.length));
            default -> usage();
        };
        if (status != 0) System.exit(status);
    }

    private static Path config(String[] args) {
        return Path.of(args.length > 1 ? args[1] : DEFAULT_CONFIG);
    }

    private static int usage() {
        System.err.println("usage: l2sec-concentrator run [CONFIG] | check [CONFIG] | nt-hash USER | admin COMMAND   (default CONFIG "
                + DEFAULT_CONFIG + ")");
        System.err.println(AdminClient.USAGE);
        return 2;
    }

    private static int check(Path file) {
        try {
            ConfigLoader.load(file);
            System.out.println(file + ": ok");
            return 0;
        } catch (ConfigException e) {
            e.problems().forEach(System.err::println);
            return 3;
        }
    }

    private static int ntHash(String[] args) {
        if (args.length != 2) return usage();
        try {
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String password = System.console() != null
                    ? new String(System.console().readPassword("password for %s: ", args[1])) : in.readLine();
            if (password == null || password.isEmpty()) {
                System.err.println("no password given on standard input");
                return 2;
            }
            System.out.println(LocalUsers.ntHashLine(args[1], password));
            return 0;
        } catch (Exception e) {
            System.err.println("cannot read the password: " + e.getMessage());
            return 1;
        }
    }

    private static int run(Path file) {
        ConcentratorConfig config;
        try {
            config = ConfigLoader.load(file);
        } catch (ConfigException e) {
            e.problems().forEach(p -> log.error("config refused: {}", p));
            return 3;
        }
        Concentrator concentrator;
        try {
            concentrator = Concentrator.start(config);
        } catch (Exception e) {
            log.error("cannot start: {}", e.getMessage());
            log.debug("start failure", e);
            return 1;
        }
        // SIGHUP: reload the configuration file (systemctl reload)
        try {
            Signal.handle(new Signal("HUP"), signal -> Thread.ofVirtual().name("reload").start(() -> {
                log.info("SIGHUP: reloading {}", file);
                concentrator.reload(file);
            }));
        } catch (IllegalArgumentException e) {
            log.warn("SIGHUP reload unavailable: {}", e.getMessage());
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("shutdown").unstarted(() -> {
            log.info("shutting down");
            concentrator.close();
            stopped.countDown();
        }));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }
}
