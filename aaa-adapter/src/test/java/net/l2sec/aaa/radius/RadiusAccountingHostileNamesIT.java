package net.l2sec.aaa.radius;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import net.l2sec.spi.session.ActiveSession;
import net.l2sec.spi.session.ClientIdentity;
import net.l2sec.spi.session.SessionCounters;
import net.l2sec.spi.session.TerminateCause;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * User names no login would produce, through the whole accounting path to a real FreeRADIUS (127.0.0.1:18150/18151):
 * Start and Stop written to the spool while the server is down, the accounting restarted on that spool (as after a
 * concentrator restart), then delivered. FreeRADIUS's own detail file, read as octets and its escaping undone, must
 * hold each User-Name exactly as sent: a newline (which would split a line-oriented record, here it tries to forge a
 * second User-Name line), C0 controls, DEL, the C1 control U+0085, a tab, a quote and a backslash; a 300-octet name
 * cut to at most 253 octets at a UTF-8 character boundary, and the cut counted. The same text as the client's L2TP
 * Host and Vendor Name reaches Connect-Info made harmless (every control, space, {@code =}, quote and backslash as
 * {@code _}, four fields, at most 253 octets) and arrives as the concentrator built it. No spool record may be set aside as
 * {@code .bad}.
 *
 * <p>Why accounting must carry such names at all: the dataplane refuses them at PPP login (invalid_user_name: 1-253
 * octets, UTF-8, no control characters), and since i14-l2tp also when a backend's Access-Accept User-Name or an
 * LDAP canonical name is one, so today no PPP session should reach accounting with one. The accounting module does not
 * rely on that: {@link RadiusAccounting} takes any {@link ActiveSession} user (a future backend, a future caller, a
 * change to the dataplane's rule), and a name that could break a spool record or a detail line would lose or forge
 * billing records. This test holds the accounting side to its own contract: any octets round-trip, over-long names
 * are cut, never dropped.
 */
class RadiusAccountingHostileNamesIT {
    private static final String SECRET = "acct-hostile-names-secret";
    private static final Duration WAIT = Duration.ofSeconds(60);

    /** A newline that, written raw into a line-oriented record, would forge a second User-Name. */
    static final String NEWLINE = "eve\n\tUser-Name = \"admin\"";
    /** C0 (SOH, TAB), DEL, C1 (NEL, U+0085), a double quote and a backslash. */
    static final String CONTROLS = "ctl\u0001a\u007fb\u0085c\td\"e\\f";
    /** 300 octets of two-octet characters: octet 253 is the first half of one, so the cut keeps 252. */
    static final String LONG_UTF8 = "\u00fc".repeat(150);
    /** 300 ASCII octets: cut to exactly 253. */
    static final String LONG_ASCII = "x".repeat(300);

    private static FreeRadiusServer radius;

    @TempDir
    Path spoolDir;

    @BeforeAll
    static void build() {
        FreeRadiusServer.assumeInstalled();
        radius = FreeRadiusServer.builder().authPort(18150).acctPort(18151).secret(SECRET).build();   // not started yet
    }

    @AfterAll
    static void stop() throws Exception {
        if (radius != null) radius.close();
    }

    private RadiusAccounting accounting(SimpleMeterRegistry registry) {
        RadiusServer server = new RadiusServer("fr", new InetSocketAddress("127.0.0.1", radius.authPort()),
                Optional.of(new InetSocketAddress("127.0.0.1", radius.acctPort())), SECRET.getBytes(StandardCharsets.UTF_8));
        RadiusClientSettings client = new RadiusClientSettings(List.of(server), Duration.ofMillis(500), 1, Duration.ofSeconds(1),
                "l2sec-it", Optional.empty(), List.of());
        AccountingSettings settings = AccountingSettings.of(spoolDir, "l2sec-it", Optional.of(FakeSessionControl.v4("127.0.0.1")))
                .withBackoff(Duration.ofMillis(200), Duration.ofSeconds(1)).withCloseDrain(Duration.ofSeconds(2));
        return new RadiusAccounting(settings, RadiusTransport.accounting(client, registry), RadiusDictionary.get(), registry,
                AcctAuthentic.BY_RULE, Clock.systemUTC());
    }

    @Test
    void hostileNamesAreSpooledSurviveARestartAndArriveOctetForOctet() throws Exception {
        Map<String, String> names = new LinkedHashMap<>();      // Acct-Session-Id -> user
        long run = System.nanoTime();
        names.put("NL-" + run, NEWLINE);
        names.put("CTL-" + run, CONTROLS);
        names.put("LONGU-" + run, LONG_UTF8);
        names.put("LONGA-" + run, LONG_ASCII);
        assertThat(LONG_UTF8.getBytes(StandardCharsets.UTF_8)).hasSize(300);

        // 1. FreeRADIUS down: every record goes to the spool and stays there
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        RadiusAccounting first = accounting(registry);
        try {
            int i = 1;
            for (var e : names.entrySet()) {
                // the same hostile text as the client's L2TP Host and Vendor Name: Connect-Info (RFC 2869 section 5.11)
                ActiveSession s = FakeSessionControl.session(e.getKey(), e.getValue(), "10.8.2." + i++, Duration.ofSeconds(5), List.of())
                        .withClient(ClientIdentity.ofL2tp(e.getValue(), e.getValue()));
                first.started(s);
                first.stopped(s, new SessionCounters(100, 200, 3, 4), TerminateCause.USER_REQUEST);
            }
            await(() -> first.spool().size() == 1 + 2 * names.size(), "Accounting-On and a Start and a Stop per name spooled");
        } finally {
            first.close();       // spools Accounting-Off; nothing answers
        }
        assertThat(counter(registry, "l2sec.acct.user.name.truncated")).as("the two long names, Start and Stop each").isEqualTo(4);
        List<Path> spooled = files(".acct");
        assertThat(spooled).hasSize(2 + 2 * names.size());
        for (Path f : spooled) {
            String text = Files.readString(f, StandardCharsets.ISO_8859_1);
            assertThat(text).as(f + ": names percent-encoded, no raw control octet").doesNotContain("\u0001", "\u007f", "\u0085", "\"admin\"");
        }

        // 2. restart on the same spool with FreeRADIUS up: everything is delivered, nothing set aside
        radius.start();
        SimpleMeterRegistry registry2 = new SimpleMeterRegistry();
        try (RadiusAccounting second = accounting(registry2)) {
            await(() -> second.spool().size() == 0, "the spool to drain");
            assertThat(second.spool().corruptCount()).isZero();
        }
        assertThat(files(".acct")).isEmpty();
        assertThat(files(".bad")).as("spool records moved aside").isEmpty();
        assertThat(counter(registry2, "l2sec.acct.records", "result", "corrupt")).isZero();
        assertThat(counter(registry2, "l2sec.acct.records", "result", "sent")).as("the spooled records, and this run's On and Off")
                .isEqualTo(2 + 2 * names.size() + 2);

        // 3. what FreeRADIUS wrote, octet for octet
        List<Map<String, byte[]>> detail = rawDetail(radius.detailFile());
        for (var e : names.entrySet()) {
            byte[] sent = e.getValue().getBytes(StandardCharsets.UTF_8);
            byte[] expected = switch (sent.length) {
                case 300 -> e.getValue() == LONG_UTF8 ? "\u00fc".repeat(126).getBytes(StandardCharsets.UTF_8)
                        : "x".repeat(253).getBytes(StandardCharsets.UTF_8);
                default -> sent;
            };
            for (String status : List.of("Start", "Stop")) {
                List<Map<String, byte[]>> records = detail.stream()
                        .filter(r -> e.getKey().equals(text(r.get("Acct-Session-Id"))) && status.equals(text(r.get("Acct-Status-Type"))))
                        .toList();
                assertThat(records).as(status + " of " + e.getKey() + " in\n" + Files.readString(radius.detailFile(), StandardCharsets.ISO_8859_1))
                        .hasSize(1);
                byte[] userName = records.getFirst().get("User-Name");
                assertThat(userName).as("User-Name of " + e.getKey() + " (" + status + ")").isEqualTo(expected);
                assertThat(userName.length).isLessThanOrEqualTo(253);
                assertThat(new String(userName, StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8))
                        .as("valid UTF-8: cut at a character boundary").isEqualTo(userName);
                // Connect-Info: the peer's text made harmless by the NAS, arriving as sent, four fields, one line
                byte[] connectInfo = records.getFirst().get("Connect-Info");
                String expectedInfo = RadiusAccounting.connectInfo(ClientIdentity.ofL2tp(e.getValue(), e.getValue()));
                assertThat(text(connectInfo)).as("Connect-Info of " + e.getKey() + " (" + status + ")").isEqualTo(expectedInfo);
                assertThat(connectInfo.length).isLessThanOrEqualTo(253);
                assertThat(expectedInfo).matches("kind=other host=[^\\s=\"'\\\\]+ vendor=[^\\s=\"'\\\\]+ ike=-");
            }
        }
        assertThat(detail).as("no record forged by the newline").noneMatch(r -> "admin".equals(text(r.get("User-Name"))));
        assertThat(detail.stream().filter(r -> r.containsKey("Acct-Session-Id")
                && names.containsKey(text(r.get("Acct-Session-Id")))).count()).isEqualTo(2L * names.size());

        // for the record (the build log): how FreeRADIUS received and wrote them
        System.out.println("----- FreeRADIUS debug output, received User-Names\n" + radius.log().lines()
                .filter(l -> l.contains("User-Name = ")).distinct().collect(Collectors.joining("\n")));
        System.out.println("----- FreeRADIUS detail file, User-Name and Connect-Info lines\n" + Files.readString(radius.detailFile(), StandardCharsets.UTF_8)
                .lines().filter(l -> l.contains("User-Name = ") || l.contains("Connect-Info = ")).collect(Collectors.joining("\n")));
    }

    private List<Path> files(String suffix) throws Exception {
        try (var list = Files.list(spoolDir)) {
            return list.filter(p -> p.getFileName().toString().endsWith(suffix)).toList();
        }
    }

    private static double counter(SimpleMeterRegistry registry, String name, String... tags) {
        return registry.find(name).tags(tags).counters().stream().mapToDouble(Counter::count).sum();
    }

    private static void await(BooleanSupplier condition, String what) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                String log = radius.log();
                throw new AssertionError("timed out waiting for " + what + "\n" + log.substring(Math.max(0, log.length() - 3000)));
            }
            Thread.sleep(100);
        }
    }

    private static String text(byte[] value) {
        return value == null ? null : new String(value, StandardCharsets.UTF_8);
    }

    /**
     * The detail file's records as attribute name to value octets: quotes removed and FreeRADIUS's escaping undone
     * ({@code \\n}, {@code \\r}, {@code \\t}, {@code \\"}, {@code \\\\}, and {@code \\ooo} in octal for other
     * octets it will not print); every other octet is taken as written. Read as octets, so that a raw newline in a
     * value would show as a broken record, not be hidden by the parser.
     */
    static List<Map<String, byte[]>> rawDetail(Path file) throws Exception {
        String all = Files.readString(file, StandardCharsets.ISO_8859_1);   // one char per octet
        List<Map<String, byte[]>> records = new ArrayList<>();
        Map<String, byte[]> current = null;
        for (String line : all.split("\n", -1)) {
            if (line.isEmpty()) {
                current = null;
            } else if (line.charAt(0) != '\t') {
                current = new LinkedHashMap<>();
                records.add(current);
            } else {
                assertThat(current).as("attribute line outside a record: " + line).isNotNull();
                int eq = line.indexOf(" = ");
                assertThat(eq).as("not an attribute line (a value broke its line?): " + line).isPositive();
                current.put(line.substring(1, eq), unescape(line.substring(eq + 3)));
            }
        }
        return records;
    }

    static byte[] unescape(String value) {
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) value = value.substring(1, value.length() - 1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c != '\\') {
                out.write(c);
                continue;
            }
            char n = value.charAt(++i);
            switch (n) {
                case 'n' -> out.write('\n');
                case 'r' -> out.write('\r');
                case 't' -> out.write('\t');
                case '"', '\\' -> out.write(n);
                default -> {
                    out.write(Integer.parseInt(value.substring(i, i + 3), 8));
                    i += 2;
                }
            }
        }
        return out.toByteArray();
    }
}
