package net.l2sec.aaa.local;

import java.io.Console;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.l2sec.aaa.ConfigFileException;
import net.l2sec.spi.auth.MsChapV2;

/**
 * The {@code conf/users} file: local accounts a network team edits by hand.
 *
 * <h2>Format</h2>
 * One user per line, fields separated by blanks:
 * <pre>
 * # comment
 * name  scheme:value  [disabled]  [# comment]
 * alice nt:8846F7EAEE8FB117AD06BDD830B7586C
 * bob   plain:correct-horse
 * carol pbkdf2-sha256:600000:&lt;salt base64&gt;:&lt;hash base64&gt;
 * dave  nt:... disabled
 * </pre>
 * Lines whose first non-blank character is {@code #} and blank lines are ignored; after the secret only the word
 * {@code disabled} and a {@code #} comment may follow. Names are case-sensitive, unique, and contain no blanks.
 * The file is UTF-8.
 *
 * <h2>Stored forms and the PPP methods they can verify</h2>
 * <table>
 * <caption>methods per stored form</caption>
 * <tr><th>scheme</th><th>value</th><th>PAP</th><th>CHAP-MD5, EAP-MD5</th><th>MS-CHAPv2, EAP-MSCHAPv2</th></tr>
 * <tr><td>{@code plain}</td><td>the password itself (no blanks)</td><td>yes</td><td>yes</td><td>yes</td></tr>
 * <tr><td>{@code nt}</td><td>32 hex digits: MD4 of the UTF-16LE password (RFC 2759 section 8.3)</td><td>yes</td>
 *     <td>no</td><td>yes</td></tr>
 * <tr><td>{@code pbkdf2-sha256}</td><td>{@code iterations:salt:hash}, salt and hash in base64
 *     (PBKDF2-HMAC-SHA256, RFC 8018)</td><td>yes</td><td>no</td><td>no</td></tr>
 * </table>
 * A method the stored form cannot verify is rejected as {@code METHOD_UNSUPPORTED}. {@code plain} and {@code nt}
 * are password equivalents: whoever reads the file can log in, so keep it mode 0600. IKEv2 clients that
 * authenticate with the pre-shared key or a certificate need only their line (any stored form, not disabled): IKE
 * has verified them, the secret is not read.
 *
 * <h2>Errors</h2>
 * A malformed file is refused as a whole with {@code file:line: reason}; the reason never repeats the secret
 * field (nor any field after it, which could be the rest of a password containing a blank).
 *
 * <h2>Producing lines</h2>
 * {@link #ntHashLine(String, String)} and {@link #pbkdf2Line(String, String)}, or from a shell (the password is
 * read from the terminal without echo):
 * <pre>java -cp aaa-adapter.jar:dataplane.jar:bcprov.jar net.l2sec.aaa.local.LocalUsers nt alice</pre>
 */
public final class LocalUsers {
    /** Iterations {@link #pbkdf2Line(String, String)} uses (OWASP 2023 guidance for PBKDF2-HMAC-SHA256). */
    public static final int PBKDF2_ITERATIONS = 600_000;
    static final int PBKDF2_MIN_ITERATIONS = 1_000;
    static final int PBKDF2_MAX_ITERATIONS = 10_000_000;

    private static final HexFormat HEX = HexFormat.of().withUpperCase();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path file;
    private final Map<String, LocalUser> byName;

    private LocalUsers(Path file, Map<String, LocalUser> byName) {
        this.file = file;
        this.byName = byName;
    }

    /** Reads and validates {@code file}; any bad line refuses the whole file. */
    public static LocalUsers parse(Path file) throws ConfigFileException {
        List<String> lines;
        try {
            lines = List.of(StandardCharsets.UTF_8.newDecoder().decode(
                    ByteBuffer.wrap(Files.readAllBytes(file))).toString().split("\r?\n", -1));
        } catch (CharacterCodingException e) {
            throw new ConfigFileException(file, 0, "not valid UTF-8");
        } catch (IOException e) {
            throw new ConfigFileException(file, "cannot read: " + e, e);
        }
        Map<String, LocalUser> users = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            Optional<LocalUser> u = parseLine(file, i + 1, lines.get(i));
            if (u.isEmpty()) continue;
            LocalUser previous = users.putIfAbsent(u.get().name(), u.get());
            if (previous != null) {
                throw new ConfigFileException(file, i + 1,
                        "user '" + u.get().name() + "' already defined on line " + previous.line());
            }
        }
        return new LocalUsers(file, users);
    }

    private static Optional<LocalUser> parseLine(Path file, int line, String text) throws ConfigFileException {
        String t = text.strip();
        if (t.isEmpty() || t.startsWith("#")) return Optional.empty();
        String[] f = t.split("\\s+");
        String name = f[0];
        if (f.length < 2) throw new ConfigFileException(file, line, "user '" + name + "' has no secret (expected: name scheme:value)");
        StoredSecret secret = parseSecret(file, line, f[1]);
        boolean disabled = false;
        for (int k = 2; k < f.length && !f[k].startsWith("#"); k++) {
            if (f[k].equals("disabled") && !disabled) {
                disabled = true;
            } else {
                // never echo the field: it could be the tail of a plain password that contained a blank
                throw new ConfigFileException(file, line, "unexpected field " + (k + 1)
                        + " after the secret (only 'disabled' or a # comment may follow; plain passwords cannot contain blanks)");
            }
        }
        return Optional.of(new LocalUser(name, secret, disabled, line));
    }

    private static StoredSecret parseSecret(Path file, int line, String field) throws ConfigFileException {
        int colon = field.indexOf(':');
        if (colon < 0) throw new ConfigFileException(file, line, "secret field lacks a scheme (expected plain:, nt: or pbkdf2-sha256:)");
        String scheme = field.substring(0, colon);
        String value = field.substring(colon + 1);
        switch (scheme) {
            case "plain" -> {
                if (value.isEmpty()) throw new ConfigFileException(file, line, "plain: empty password");
                return new StoredSecret.Plain(value.getBytes(StandardCharsets.UTF_8));
            }
            case "nt" -> {
                if (value.length() != 32 || !value.chars().allMatch(HexFormat::isHexDigit)) {
                    throw new ConfigFileException(file, line, "nt: expected 32 hex digits");
                }
                return new StoredSecret.NtHash(HexFormat.of().parseHex(value));
            }
            case "pbkdf2-sha256" -> {
                String[] p = value.split(":", -1);
                if (p.length != 3) throw new ConfigFileException(file, line, "pbkdf2-sha256: expected iterations:salt:hash");
                int iterations;
                try {
                    iterations = Integer.parseInt(p[0]);
                } catch (NumberFormatException e) {
                    throw new ConfigFileException(file, line, "pbkdf2-sha256: iterations is not a number");
                }
                if (iterations < PBKDF2_MIN_ITERATIONS || iterations > PBKDF2_MAX_ITERATIONS) {
                    throw new ConfigFileException(file, line, "pbkdf2-sha256: iterations " + iterations + " outside "
                            + PBKDF2_MIN_ITERATIONS + ".." + PBKDF2_MAX_ITERATIONS);
                }
                byte[] salt = base64(file, line, p[1], "salt");
                byte[] hash = base64(file, line, p[2], "hash");
                if (salt.length < 8) throw new ConfigFileException(file, line, "pbkdf2-sha256: salt shorter than 8 octets");
                if (hash.length < 16 || hash.length > 64) {
                    throw new ConfigFileException(file, line, "pbkdf2-sha256: hash must be 16 to 64 octets");
                }
                return new StoredSecret.Pbkdf2Sha256(iterations, salt, hash);
            }
            default -> throw new ConfigFileException(file, line, "unknown scheme (expected plain, nt or pbkdf2-sha256)");
        }
    }

    private static byte[] base64(Path file, int line, String s, String what) throws ConfigFileException {
        try {
            return Base64.getDecoder().decode(s);
        } catch (IllegalArgumentException e) {
            throw new ConfigFileException(file, line, "pbkdf2-sha256: " + what + " is not valid base64");
        }
    }

    /** The file these users came from. */
    public Path file() {
        return file;
    }

    public int size() {
        return byName.size();
    }

    /** Exact, case-sensitive lookup. */
    Optional<LocalUser> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** A {@code conf/users} line storing {@code password} as its NT hash: {@code user nt:<32 hex>}. */
    public static String ntHashLine(String user, String password) {
        checkName(user);
        return user + " nt:" + HEX.formatHex(MsChapV2.ntPasswordHash(password));
    }

    /** A {@code conf/users} line storing {@code password} as PBKDF2-HMAC-SHA256 with a fresh 16-octet salt. */
    public static String pbkdf2Line(String user, String password) {
        checkName(user);
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        byte[] hash = StoredSecret.Pbkdf2Sha256.derive(password.getBytes(StandardCharsets.UTF_8), salt, PBKDF2_ITERATIONS, 32);
        Base64.Encoder b64 = Base64.getEncoder();
        return user + " pbkdf2-sha256:" + PBKDF2_ITERATIONS + ":" + b64.encodeToString(salt) + ":" + b64.encodeToString(hash);
    }

    private static void checkName(String user) {
        if (user.isEmpty() || user.startsWith("#") || user.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("user name must be non-empty, without blanks, not starting with #");
        }
    }

    /** {@code LocalUsers nt|pbkdf2 USER}: prints a line for {@code conf/users}; reads the password without echo. */
    public static void main(String[] args) {
        if (args.length != 2 || !(args[0].equals("nt") || args[0].equals("pbkdf2"))) {
            System.err.println("usage: LocalUsers nt|pbkdf2 USER   (password is read from the terminal)");
            System.exit(2);
        }
        Console console = System.console();
        if (console == null) {
            System.err.println("no terminal to read the password from");
            System.exit(2);
        }
        char[] pw = console.readPassword("password for %s: ", args[1]);
        char[] again = console.readPassword("again: ");
        if (pw == null || again == null || !Arrays.equals(pw, again) || pw.length == 0) {
            System.err.println("passwords empty or different");
            System.exit(1);
        }
        String password = new String(pw);
        System.out.println(args[0].equals("nt") ? ntHashLine(args[1], password) : pbkdf2Line(args[1], password));
    }

    @Override
    public String toString() {
        return "LocalUsers[" + file + ", " + byName.size() + " users]";
    }
}
