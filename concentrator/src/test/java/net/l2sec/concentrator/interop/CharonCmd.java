package net.l2sec.concentrator.interop;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * strongSwan's {@code charon-cmd} (Debian package charon-cmd 5.9) as a REAL IKEv2 client on the host, in a network
 * namespace of its own joined to the concentrator's namespace by a veth pair ({@value #SERVER_ADDRESS} there,
 * {@value #CLIENT_ADDRESS} here; RFC 5737 documentation addresses): charon binds its own IKE ports, so it cannot share
 * the concentrator's namespace, and its routes, virtual IP and TUN device stay in a namespace the test deletes.
 *
 * <p>ESP runs in user space: the {@code kernel-libipsec} plugin (libcharon-extra-plugins) makes a TUN device
 * ({@code ipsec0}) that carries the virtual IP, and the policy routes of table 220 send everything but the server's
 * own address through it, so the host kernel needs no XFRM. libipsec handles ESP in UDP only (RFC 3948): charon
 * then fakes NAT detection ("local host is behind NAT" in its log) and the concentrator sees a client behind NAT.
 *
 * <p>Everything charon-cmd reads and writes is in the run's directory: {@code strongswan.conf} (via the {@code
 * STRONGSWAN_CONF} environment variable; /etc is never read), its log {@code charon.log} and the {@code resolv.conf}
 * its resolve plugin writes the DNS servers it got into.
 */
final class CharonCmd implements AutoCloseable {
    static final String SERVER_ADDRESS = "198.51.100.1";
    static final String CLIENT_ADDRESS = "198.51.100.2";
    /**
     * What charon-cmd needs here and nothing else: openssl for every algorithm (kdf for the IKEv2 PRF+ of 5.9.8), the
     * PEM/PKCS#1/X.509 parsers for the files given, kernel-libipsec for ESP and kernel-netlink for addresses and
     * routes, resolve for the DNS servers.
     */
    private static final String PLUGINS = "random nonce openssl kdf pem pkcs1 pkcs8 x509 pubkey constraints "
            + "kernel-libipsec kernel-netlink socket-default resolve";
    private static final Pattern TUN_ADDRESS = Pattern.compile("(?m)^\\d+: (ipsec\\d+)\\s+inet (\\d+\\.\\d+\\.\\d+\\.\\d+)/32");

    private final String ns;
    private final Path work;
    private int runs;

    private CharonCmd(String ns, Path work) {
        this.ns = ns;
        this.work = work;
    }

    /** A namespace for the client with a veth pair to {@code lab}'s namespace, addressed and up. */
    static CharonCmd create(ConcentratorInNamespace lab) throws Exception {
        long pid = ProcessHandle.current().pid();
        String ns = "l2sec-charon-" + pid;
        String server = "l2cs" + pid;       // interface names: at most 15 characters
        String client = "l2cc" + pid;
        ConcentratorInNamespace.run("ip", "netns", "add", ns);
        try {
            ConcentratorInNamespace.run("ip", "link", "add", server, "type", "veth", "peer", "name", client);
            ConcentratorInNamespace.run("ip", "link", "set", server, "netns", lab.namespace());
            ConcentratorInNamespace.run("ip", "link", "set", client, "netns", ns);
            ConcentratorInNamespace.run("ip", "-n", lab.namespace(), "addr", "add", SERVER_ADDRESS + "/24", "dev", server);
            ConcentratorInNamespace.run("ip", "-n", ns, "addr", "add", CLIENT_ADDRESS + "/24", "dev", client);
            ConcentratorInNamespace.run("ip", "-n", lab.namespace(), "link", "set", server, "up");
            ConcentratorInNamespace.run("ip", "-n", ns, "link", "set", client, "up");
            ConcentratorInNamespace.run("ip", "-n", ns, "link", "set", "lo", "up");
        } catch (Exception e) {
            ConcentratorInNamespace.run("ip", "netns", "del", ns);    // the veth pair goes with it
            throw e;
        }
        return new CharonCmd(ns, Files.createDirectories(lab.work().resolve("charon-cmd")));
    }

    String namespace() {
        return ns;
    }

    /**
     * Starts {@code charon-cmd --profile ikev2-pub}: IKEv2, authenticating with {@code certificate} and its RSA
     * {@code key} as {@code identity}, expecting the server to prove {@code remoteIdentity} with a certificate of
     * {@code ca}. It runs in the foreground until {@link Run#close()}.
     */
    Run connect(String name, Path certificate, Path key, Path ca, String identity, String remoteIdentity) throws IOException {
        Path dir = Files.createDirectories(work.resolve((++runs) + "-" + name));
        Files.writeString(dir.resolve("strongswan.conf"), """
                charon-cmd {
                  load = %s
                  plugins {
                    resolve {
                      file = %s
                    }
                  }
                  filelog {
                    test {
                      path = %s
                      default = 1
                      ike = 2
                      cfg = 2
                      flush_line = yes
                      time_format = %%T
                    }
                  }
                }
                """.formatted(PLUGINS, dir.resolve("resolv.conf"), dir.resolve("charon.log")));
        List<String> cmd = List.of("ip", "netns", "exec", ns, "charon-cmd", "--host", SERVER_ADDRESS,
                "--identity", identity, "--remote-identity", remoteIdentity, "--cert", certificate.toString(),
                "--cert", ca.toString(), "--rsa", key.toString(), "--profile", "ikev2-pub");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("output").toFile());
        pb.environment().put("STRONGSWAN_CONF", dir.resolve("strongswan.conf").toString());
        System.out.println("----- " + String.join(" ", cmd));
        return new Run(String.join(" ", cmd), dir, pb.start());
    }

    /** One charon-cmd process and its files. */
    final class Run implements AutoCloseable {
        private final String command;
        private final Path dir;
        private final Process process;

        private Run(String command, Path dir, Process process) {
            this.command = command;
            this.dir = dir;
            this.process = process;
        }

        /** The command line, for the README and the report. */
        String command() {
            return command;
        }

        String log() {
            return read(dir.resolve("charon.log")) + read(dir.resolve("output"));
        }

        /** What the resolve plugin wrote (the DNS servers of the configuration payload), empty when nothing. */
        String resolvConf() {
            return read(dir.resolve("resolv.conf"));
        }

        /** Waits until charon's log has {@code text}; fails with the log when charon-cmd ends first or after {@code timeout}. */
        void await(String text, Duration timeout) throws Exception {
            Instant deadline = Instant.now().plus(timeout);
            while (!log().contains(text)) {
                if (!process.isAlive() && !log().contains(text)) {
                    throw new AssertionError("charon-cmd ended (exit " + process.exitValue() + ") without \"" + text + "\":\n" + log());
                }
                if (Instant.now().isAfter(deadline)) {
                    throw new AssertionError("no \"" + text + "\" from charon-cmd within " + timeout + ":\n" + log());
                }
                Thread.sleep(100);
            }
        }

        /** Waits (bounded) for charon-cmd to end by itself, as it does when its IKE SA failed; false if it still runs. */
        boolean awaitExit(Duration timeout) throws InterruptedException {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }

        /** SIGTERM (charon deletes its SAs and ends), after 10 s SIGKILL; prints the log. */
        @Override
        public void close() throws Exception {
            if (process.isAlive()) {
                process.destroy();
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(5, TimeUnit.SECONDS);
                }
            }
            System.out.println("----- charon-cmd " + dir + " (exit " + (process.isAlive() ? "none" : process.exitValue())
                    + ")\n" + log());
        }
    }

    /** The TUN device kernel-libipsec made and the virtual IP on it. */
    record Tunnel(String device, String virtualIp) {}

    /** The libipsec TUN device with its /32 virtual IP, or null while there is none. */
    Tunnel tunnel() throws Exception {
        Matcher m = TUN_ADDRESS.matcher(ConcentratorInNamespace.run("ip", "-n", ns, "-o", "-4", "addr", "show"));
        return m.find() ? new Tunnel(m.group(1), m.group(2)) : null;
    }

    /** {@code ip route get}: which device and table the client's kernel sends {@code address} through. */
    String routeTo(String address) throws Exception {
        return ConcentratorInNamespace.run("ip", "-n", ns, "route", "get", address);
    }

    /** A packet counter of {@code device} ({@code tx_packets}, {@code rx_packets}) as the client's kernel counts it. */
    long counter(String device, String counter) throws Exception {
        return Long.parseLong(exec("cat", "/sys/class/net/" + device + "/statistics/" + counter).trim());
    }

    /** {@code count} pings to {@code address} from the client's namespace, 0.2 s apart, 10 s at most; ping's output. */
    String ping(String address, int count) throws Exception {
        Process p = new ProcessBuilder("ip", "netns", "exec", ns, "ping", "-n", "-c", String.valueOf(count), "-i", "0.2",
                "-W", "2", "-w", "10", address).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(20, TimeUnit.SECONDS)) p.destroyForcibly();
        System.out.println("----- ping " + address + "\n" + out);
        return out;
    }

    private String exec(String... cmd) throws Exception {
        List<String> all = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        all.addAll(List.of(cmd));
        return ConcentratorInNamespace.run(all.toArray(String[]::new));
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            return "";
        }
    }

    /** Deletes the namespace (and with it the veth pair); stop every {@link Run} first. */
    @Override
    public void close() throws Exception {
        ConcentratorInNamespace.run("ip", "netns", "del", ns);
    }
}
