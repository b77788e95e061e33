package net.l2sec.aaa.ldap;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.directory.api.ldap.model.message.BindRequestImpl;
import org.apache.directory.api.ldap.model.message.ResultCodeEnum;
import org.apache.directory.ldap.client.api.LdapConnectionConfig;
import org.apache.directory.ldap.client.api.LdapNetworkConnection;
import org.junit.jupiter.api.Assumptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Samba Active Directory domain controller on 127.0.0.1 (ports 389, 636, 3268, 3269), provisioned into a
 * temporary directory, for integration tests. Only the {@code ldap} server service runs (no DNS, Kerberos, SMB,
 * winbindd, NetBIOS); {@code interfaces = lo} with {@code bind interfaces only} keeps it on loopback.
 *
 * <p>TLS: the fixture makes its own CA and a server certificate for {@code IP:127.0.0.1} and {@code DNS:localhost}
 * with {@code openssl} and configures Samba with them ({@code tls certfile/keyfile/cafile}), so clients connect to
 * {@code ldaps://127.0.0.1} with host-name verification on and {@link #caCertificate()} as their trust store.
 * (Samba's auto-generated certificate names {@code dc1.l2sec.test}, which does not resolve here.)
 *
 * <p>Directory content: users {@link #ALICE} (in {@link #STAFF}), {@link #BOB} (in {@link #CONTRACTORS}),
 * {@link #CAROL} (disabled), {@link #DAVE} (locked out by wrong binds at start, lockout threshold
 * {@value #LOCKOUT_THRESHOLD}), the service account {@link #SERVICE_ACCOUNT}; group {@link #STAFF} is a member of
 * {@link #VPN_USERS}. Every user has the UPN {@code name@l2sec.test}.
 *
 * <p>The ports are fixed, so fixtures in concurrent JVMs on one machine take turns through a file lock in
 * /var/tmp. Provisioning takes about 12 s and start about 2 s on the development machine.
 */
public final class SambaAdDc implements AutoCloseable {
    public static final String REALM = "L2SEC.TEST";
    public static final String DNS_DOMAIN = "l2sec.test";
    public static final String DOMAIN = "L2SEC";
    public static final String BASE_DN = "DC=l2sec,DC=test";
    public static final String ADMIN_PASSWORD = "Adm1n-Pass!x";
    public static final String SERVICE_ACCOUNT = "svc-vpn";
    public static final String SERVICE_PASSWORD = "Svc-Vpn-Pass-4!";
    public static final String ALICE = "alice";
    public static final String ALICE_PASSWORD = "Alice-Pass-1!";
    public static final String BOB = "bob";
    public static final String BOB_PASSWORD = "Bob-Pass-2!x";
    public static final String CAROL = "carol";
    public static final String CAROL_PASSWORD = "Carol-Pass-3!x";
    public static final String DAVE = "dave";
    public static final String DAVE_PASSWORD = "Dave-Pass-5!x";
    public static final String STAFF = "Staff";
    public static final String CONTRACTORS = "Contractors";
    public static final String VPN_USERS = "VPN-Users";
    public static final int LOCKOUT_THRESHOLD = 5;
    public static final String HOST = "127.0.0.1";

    private static final Logger log = LoggerFactory.getLogger(SambaAdDc.class);
    private static final Path LOCK_FILE = Path.of("/var/tmp/l2sec-samba-ad-dc.lock");
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

    private final Path dir;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private Process samba;

    private SambaAdDc(Path dir, FileChannel lockChannel, FileLock lock) {
        this.dir = dir;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /** True when samba, samba-tool and openssl are installed. */
    public static boolean installed() {
        return Stream.of("samba", "samba-tool", "openssl").allMatch(SambaAdDc::onPath);
    }

    /**
     * Skips the calling test (JUnit assumption) when Samba is not installed, unless system property
     * {@code l2sec.interop.required} is "true": then fails.
     */
    public static void assumeInstalled() {
        boolean ok = installed();
        if (!ok && Boolean.getBoolean("l2sec.interop.required")) {
            throw new AssertionError("Samba AD DC (samba, samba-tool, samba-ad-provision) and openssl are required but not installed");
        }
        Assumptions.assumeTrue(ok, "Samba AD DC not installed");
    }

    /** Provisions, populates and starts a DC; {@link #close()} stops it and deletes its directory. */
    public static SambaAdDc start() throws IOException, InterruptedException {
        assumeInstalled();
        FileChannel channel = FileChannel.open(LOCK_FILE, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = acquire(channel);
        Path dir = Files.createTempDirectory("l2sec-samba-");
        SambaAdDc dc = new SambaAdDc(dir, channel, lock);
        try {
            Instant t0 = Instant.now();
            dc.provision();
            Instant t1 = Instant.now();
            dc.launch();
            dc.lockOut(DAVE);
            log.info("samba ad dc ready dir={} provision+populate={}ms start={}ms", dir,
                    Duration.between(t0, t1).toMillis(), Duration.between(t1, Instant.now()).toMillis());
            return dc;
        } catch (IOException | InterruptedException | RuntimeException | Error e) {
            dc.close();
            throw e;
        }
    }

    private static FileLock acquire(FileChannel channel) throws IOException, InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(5));
        while (true) {
            FileLock l = channel.tryLock();
            if (l != null) return l;
            if (Instant.now().isAfter(deadline)) throw new IOException("another Samba AD DC fixture holds " + LOCK_FILE + " for over 5 minutes");
            Thread.sleep(500);
        }
    }

    public URI ldapsUrl() {
        return URI.create("ldaps://" + HOST + ":636");
    }

    /** Plain LDAP; Samba requires StartTLS on it before a simple bind. */
    public URI ldapUrl() {
        return URI.create("ldap://" + HOST + ":389");
    }

    /** PEM of the CA that signed the DC's certificate. */
    public Path caCertificate() {
        return dir.resolve("tls/ca.pem");
    }

    public String userDn(String user) {
        return "CN=" + user + ",CN=Users," + BASE_DN;
    }

    public String groupDn(String group) {
        return "CN=" + group + ",CN=Users," + BASE_DN;
    }

    public String upn(String user) {
        return user + "@" + DNS_DOMAIN;
    }

    public String serviceDn() {
        return userDn(SERVICE_ACCOUNT);
    }

    /** AD settings for this DC over LDAPS, bound as {@link #SERVICE_ACCOUNT}. */
    public LdapSettings settings() {
        return LdapSettings.activeDirectory(List.of(ldapsUrl()), false, Optional.of(caCertificate()), serviceDn(),
                SERVICE_PASSWORD.getBytes(StandardCharsets.UTF_8), BASE_DN);
    }

    public Path directory() {
        return dir;
    }

    // ------------------------------------------------------------------ setup

    private Path conf() {
        return dir.resolve("etc/smb.conf");
    }

    private void provision() throws IOException, InterruptedException {
        Path target = dir.resolve("dc");
        run("samba-tool", "domain", "provision", "--targetdir=" + target, "--realm=" + REALM, "--domain=" + DOMAIN,
                "--server-role=dc", "--dns-backend=NONE", "--adminpass=" + ADMIN_PASSWORD, "--host-name=dc1",
                "--option=interfaces=lo", "--option=bind interfaces only=yes");
        makeCertificates();
        Files.createDirectories(dir.resolve("etc"));
        Files.createDirectories(dir.resolve("run"));
        Files.createDirectories(dir.resolve("log"));
        Files.writeString(conf(), """
                [global]
                \tnetbios name = DC1
                \tworkgroup = %s
                \trealm = %s
                \tserver role = active directory domain controller
                \tserver services = ldap
                \tinterfaces = lo
                \tbind interfaces only = yes
                \tdisable netbios = yes
                \tprivate dir = %s/private
                \tlock directory = %s
                \tstate directory = %s/state
                \tcache directory = %s/cache
                \tbinddns dir = %s/bind-dns
                \tpid directory = %s/run
                \tncalrpc dir = %s/run/ncalrpc
                \tlog file = %s/log/log.%%m
                \tlog level = 1
                \ttls enabled = yes
                \ttls keyfile = %s/tls/key.pem
                \ttls certfile = %s/tls/cert.pem
                \ttls cafile = %s/tls/ca.pem
                \tunix password sync = no
                """.formatted(DOMAIN, REALM, target, target, target, target, target, dir, dir, dir, dir, dir, dir));
        String[] db = {"-H", target.resolve("private/sam.ldb").toString(), "-s", conf().toString()};
        tool(db, "user", "create", SERVICE_ACCOUNT, SERVICE_PASSWORD);
        tool(db, "user", "create", ALICE, ALICE_PASSWORD);
        tool(db, "user", "create", BOB, BOB_PASSWORD);
        tool(db, "user", "create", CAROL, CAROL_PASSWORD);
        tool(db, "user", "create", DAVE, DAVE_PASSWORD);
        tool(db, "user", "disable", CAROL);
        tool(db, "group", "add", STAFF);
        tool(db, "group", "add", CONTRACTORS);
        tool(db, "group", "add", VPN_USERS);
        tool(db, "group", "addmembers", STAFF, ALICE);
        tool(db, "group", "addmembers", CONTRACTORS, BOB);
        tool(db, "group", "addmembers", VPN_USERS, STAFF);
        tool(db, "domain", "passwordsettings", "set", "--account-lockout-threshold=" + LOCKOUT_THRESHOLD,
                "--reset-account-lockout-after=30", "--account-lockout-duration=30");
    }

    private void makeCertificates() throws IOException, InterruptedException {
        Path tls = Files.createDirectories(dir.resolve("tls"));
        Files.writeString(tls.resolve("ext.cnf"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
                + "extendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n");
        run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", tls.resolve("ca.key").toString(),
                "-out", tls.resolve("ca.pem").toString(), "-days", "7", "-subj", "/CN=l2sec test CA",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", tls.resolve("key.pem").toString(),
                "-out", tls.resolve("req.csr").toString(), "-subj", "/CN=localhost");
        run("openssl", "x509", "-req", "-in", tls.resolve("req.csr").toString(), "-CA", tls.resolve("ca.pem").toString(),
                "-CAkey", tls.resolve("ca.key").toString(), "-CAcreateserial", "-out", tls.resolve("cert.pem").toString(),
                "-days", "7", "-extfile", tls.resolve("ext.cnf").toString());
        // Samba refuses a key file others can read
        Files.setPosixFilePermissions(tls.resolve("key.pem"), PosixFilePermissions.fromString("rw-------"));
    }

    private void launch() throws IOException, InterruptedException {
        for (int port : new int[] {389, 636}) {
            if (accepts(port)) throw new IOException("127.0.0.1:" + port + " is already in use; cannot start the Samba AD DC fixture");
        }
        Path out = dir.resolve("samba.out");
        samba = new ProcessBuilder(exe("samba"), "-i", "-M", "single", "-s", conf().toString())
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        // a test JVM that dies without close() must not leave a DC holding the fixed ports
        Process started = samba;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> started.destroyForcibly(), "samba-ad-dc-stop"));
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        while (!(accepts(636) && accepts(389))) {
            if (!samba.isAlive()) throw new IOException("samba exited with " + samba.exitValue() + ": " + tail(out));
            if (Instant.now().isAfter(deadline)) throw new IOException("samba did not listen on 389/636 within " + START_TIMEOUT + ": " + tail(out));
            Thread.sleep(200);
        }
    }

    /** Wrong binds until AD locks the account (data 775). */
    private void lockOut(String user) throws IOException {
        TlsTrust trust;
        try {
            trust = TlsTrust.load(Optional.of(caCertificate()));
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException(e);
        }
        LdapConnectionConfig config = new LdapConnectionConfig();
        config.setLdapHost(HOST);
        config.setLdapPort(636);
        config.setUseSsl(true);
        config.setTrustManagers(trust.forHost(HOST));
        config.setTimeout(10_000);
        for (int i = 0; i < LOCKOUT_THRESHOLD; i++) {
            try (LdapNetworkConnection c = new LdapNetworkConnection(config)) {
                c.connect();
                var r = c.bind(new BindRequestImpl().setName(userDn(user)).setCredentials("wrong-" + i).setSimple(true)).getLdapResult();
                if (r.getResultCode() != ResultCodeEnum.INVALID_CREDENTIALS) {
                    throw new IOException("wrong bind as " + user + " gave " + r.getResultCode());
                }
            } catch (org.apache.directory.api.ldap.model.exception.LdapException e) {
                throw new IOException("locking out " + user, e);
            }
        }
    }

    private void tool(String[] db, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add("samba-tool");
        cmd.addAll(List.of(args));
        cmd.addAll(List.of(db));
        run(cmd.toArray(String[]::new));
    }

    private void run(String... cmd) throws IOException, InterruptedException {
        Path out = Files.createTempFile(dir, "cmd-", ".out");
        List<String> resolved = new ArrayList<>(List.of(cmd));
        resolved.set(0, exe(cmd[0]));
        Process p = new ProcessBuilder(resolved).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (!p.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(cmd[0] + " " + cmd[1] + " did not finish within " + COMMAND_TIMEOUT);
        }
        if (p.exitValue() != 0) throw new IOException(String.join(" ", List.of(cmd).subList(0, Math.min(3, cmd.length)))
                + " exited with " + p.exitValue() + ": " + tail(out));
    }

    private static String tail(Path file) {
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(HOST, port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean onPath(String exe) {
        return locate(exe).isPresent();
    }

    /** The executable in PATH or in /usr/sbin, /sbin (samba lives in sbin, which a test JVM's PATH may lack). */
    private static Optional<Path> locate(String exe) {
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")));
        dirs.addAll(List.of("/usr/sbin", "/sbin", "/usr/bin"));
        return dirs.stream().filter(d -> !d.isEmpty()).map(d -> Path.of(d, exe)).filter(Files::isExecutable).findFirst();
    }

    private static String exe(String name) {
        return locate(name).map(Path::toString).orElse(name);
    }

    /** Stops samba (bounded), deletes the directory, releases the machine-wide lock. */
    @Override
    public void close() {
        try {
            if (samba != null) {
                samba.descendants().forEach(ProcessHandle::destroy);
                samba.destroy();
                if (!samba.waitFor(20, TimeUnit.SECONDS)) {
                    samba.descendants().forEach(ProcessHandle::destroyForcibly);
                    samba.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            deleteTree(dir);
            try {
                lock.release();
                lockChannel.close();
            } catch (IOException ignored) {
                // the lock goes with the process anyway
            }
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // temp dir
        }
    }
}
