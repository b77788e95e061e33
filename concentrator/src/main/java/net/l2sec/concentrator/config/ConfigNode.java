package net.l2sec.concentrator.config;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One mapping of the YAML tree with typed, validating getters. Every problem is recorded with the file and the
 * full dotted key; reading continues so that the operator sees every problem at once. Keys that no getter asked
 * for are reported as unknown (a typo must never be silently ignored).
 */
final class ConfigNode {
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");
    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");

    private final Path file;
    private final String path;
    private final Map<String, Object> values;
    private final Set<String> read = new LinkedHashSet<>();
    private final List<String> problems;
    private final List<ConfigNode> children = new ArrayList<>();

    ConfigNode(Path file, String path, Map<String, Object> values, List<String> problems) {
        this.file = file;
        this.path = path;
        this.values = values;
        this.problems = problems;
    }

    static ConfigNode root(Path file, Object document, List<String> problems) {
        Map<String, Object> map = new LinkedHashMap<>();
        if (document instanceof Map<?, ?> m) {
            m.forEach((k, v) -> map.put(String.valueOf(k), v));
        } else if (document != null) {
            problems.add(file + ": the document must be a mapping of sections (l2tp:, ppp:, ...)");
        }
        return new ConfigNode(file, "", map, problems);
    }

    Path file() {
        return file;
    }

    String key(String k) {
        return path.isEmpty() ? k : path + "." + k;
    }

    void problem(String key, String reason) {
        problems.add(file + ": " + key(key) + ": " + reason);
    }

    boolean has(String k) {
        return values.containsKey(k) && values.get(k) != null;
    }

    private Object raw(String k) {
        read.add(k);
        return values.get(k);
    }

    /** True when {@code k} holds a mapping (a section) rather than a single value or a list. */
    boolean isSection(String k) {
        return values.get(k) instanceof Map;
    }

    ConfigNode section(String k) {
        Object v = raw(k);
        Map<String, Object> map = new LinkedHashMap<>();
        if (v instanceof Map<?, ?> m) {
            m.forEach((kk, vv) -> map.put(String.valueOf(kk), vv));
        } else if (v != null) {
            problem(k, "must be a section (a mapping of keys), got " + describe(v));
        }
        ConfigNode child = new ConfigNode(file, key(k), map, problems);
        children.add(child);
        return child;
    }

    List<ConfigNode> sections(String k) {
        Object v = raw(k);
        List<ConfigNode> out = new ArrayList<>();
        if (v == null) return out;
        if (!(v instanceof List<?> list)) {
            problem(k, "must be a list, got " + describe(v));
            return out;
        }
        for (int i = 0; i < list.size(); i++) {
            Object item = list.get(i);
            Map<String, Object> map = new LinkedHashMap<>();
            if (item instanceof Map<?, ?> m) {
                m.forEach((kk, vv) -> map.put(String.valueOf(kk), vv));
            } else {
                problems.add(file + ": " + key(k) + "[" + i + "]: must be a mapping, got " + describe(item));
            }
            ConfigNode child = new ConfigNode(file, key(k) + "[" + i + "]", map, problems);
            children.add(child);
            out.add(child);
        }
        return out;
    }

    String string(String k, String dflt) {
        Object v = raw(k);
        if (v == null) return dflt;
        if (v instanceof Map || v instanceof List) {
            problem(k, "must be a single value, got " + describe(v));
            return dflt;
        }
        return String.valueOf(v);
    }

    Optional<String> optionalString(String k) {
        return Optional.ofNullable(string(k, null));
    }

    int integer(String k, int dflt, int min, int max) {
        Object v = raw(k);
        if (v == null) return dflt;
        long n;
        if (v instanceof Number num && !(v instanceof Double) && !(v instanceof Float)) {
            n = num.longValue();
        } else {
            try {
                n = Long.parseLong(String.valueOf(v).trim());
            } catch (NumberFormatException e) {
                problem(k, "must be a whole number, got " + describe(v));
                return dflt;
            }
        }
        if (n < min || n > max) {
            problem(k, "must be between " + min + " and " + max + ", got " + n);
            return dflt;
        }
        return (int) n;
    }

    boolean bool(String k, boolean dflt) {
        Object v = raw(k);
        if (v == null) return dflt;
        if (v instanceof Boolean b) return b;
        problem(k, "must be true or false, got " + describe(v));
        return dflt;
    }

    Duration duration(String k, Duration dflt, Duration min, Duration max) {
        Object v = raw(k);
        if (v == null) return dflt;
        Matcher m = DURATION.matcher(String.valueOf(v).trim());
        if (!m.matches()) {
            problem(k, "must be a duration such as 500ms, 30s, 5m, 1h or 1d, got " + describe(v));
            return dflt;
        }
        long n = Long.parseLong(m.group(1));
        Duration d = switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
        if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            problem(k, "must be between " + min + " and " + max + ", got " + v);
            return dflt;
        }
        return d;
    }

    /** A dotted-quad IPv4 address (no host names: the config must not depend on DNS at start). */
    Optional<Inet4Address> ipv4(String k) {
        Object v = raw(k);
        if (v == null) return Optional.empty();
        Optional<Inet4Address> a = parseIpv4(String.valueOf(v).trim());
        if (a.isEmpty()) problem(k, "must be an IPv4 address such as 192.0.2.1, got " + describe(v));
        return a;
    }

    List<java.net.Inet6Address> ipv6List(String k, int maxEntries) {
        return list(k, maxEntries, s -> parseIpv6(s.trim()), "an IPv6 address");
    }

    /** An IPv6 literal such as 2001:db8::1 (no host names, no zone). */
    static Optional<java.net.Inet6Address> parseIpv6(String s) {
        if (!s.contains(":") || !s.matches("[0-9A-Fa-f:.]{2,45}")) return Optional.empty();
        try {
            return InetAddress.getByName(s) instanceof java.net.Inet6Address a ? Optional.of(a) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    List<Inet4Address> ipv4List(String k, int maxEntries) {
        return list(k, maxEntries, s -> parseIpv4(s.trim()), "an IPv4 address");
    }

    List<String> stringList(String k, List<String> dflt) {
        if (!has(k)) {
            raw(k);
            return dflt;
        }
        return list(k, Integer.MAX_VALUE, s -> Optional.of(s.trim()), "a value");
    }

    private <T> List<T> list(String k, int maxEntries, Function<String, Optional<T>> parse, String what) {
        Object v = raw(k);
        List<T> out = new ArrayList<>();
        if (v == null) return out;
        if (!(v instanceof List<?> list)) {
            problem(k, "must be a list such as [a, b], got " + describe(v));
            return out;
        }
        if (list.size() > maxEntries) problem(k, "at most " + maxEntries + " entries, got " + list.size());
        for (int i = 0; i < list.size(); i++) {
            Optional<T> p = list.get(i) instanceof Map || list.get(i) instanceof List ? Optional.empty()
                    : parse.apply(String.valueOf(list.get(i)));
            if (p.isEmpty()) {
                problems.add(file + ": " + key(k) + "[" + i + "]: must be " + what + ", got " + describe(list.get(i)));
            } else {
                out.add(p.get());
            }
        }
        return out;
    }

    /** {@code host:port} with an IPv4 literal host (or {@code *} / {@code 0.0.0.0} for all). */
    InetSocketAddress socketAddress(String k, InetSocketAddress dflt) {
        Object v = raw(k);
        if (v == null) return dflt;
        String s = String.valueOf(v).trim();
        int colon = s.lastIndexOf(':');
        if (colon <= 0) {
            problem(k, "must be address:port such as 0.0.0.0:1701, got " + describe(v));
            return dflt;
        }
        String host = s.substring(0, colon);
        Optional<Inet4Address> a = host.equals("*") ? parseIpv4("0.0.0.0") : parseIpv4(host);
        int port;
        try {
            port = Integer.parseInt(s.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (a.isEmpty() || port < 0 || port > 65535) {
            problem(k, "must be address:port such as 0.0.0.0:1701, got " + describe(v));
            return dflt;
        }
        return new InetSocketAddress(a.get(), port);
    }

    /** A path, relative paths resolved against the config file's directory. */
    Optional<Path> path(String k) {
        return optionalString(k).map(s -> {
            Path p = Path.of(s);
            Path dir = file.toAbsolutePath().getParent();
            return p.isAbsolute() || dir == null ? p : dir.resolve(p);
        });
    }

    /**
     * A secret given either inline as {@code k} or, preferably, as {@code k-file} naming a file that holds it
     * (trailing newline trimmed) and only its owner may read or write ({@link #requirePrivate}). Never echoed in a
     * problem.
     */
    Optional<byte[]> secret(String k) {
        Optional<String> inline = optionalString(k);
        Optional<Path> file = path(k + "-file");
        if (inline.isPresent() && file.isPresent()) {
            problem(k, "give either " + k + " or " + k + "-file, not both");
            return Optional.empty();
        }
        if (inline.isPresent()) {
            if (inline.get().isEmpty()) {
                problem(k, "must not be empty");
                return Optional.empty();
            }
            return Optional.of(inline.get().getBytes(StandardCharsets.UTF_8));
        }
        if (file.isPresent()) {
            if (!requirePrivate(k + "-file", file.get())) return Optional.empty();
            try {
                String s = Files.readString(file.get(), StandardCharsets.UTF_8).strip();
                if (s.isEmpty()) {
                    problem(k + "-file", "the file " + file.get() + " is empty");
                    return Optional.empty();
                }
                return Optional.of(s.getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                problem(k + "-file", "cannot read " + file.get() + ": " + e.getClass().getSimpleName());
            }
        }
        return Optional.empty();
    }

    /**
     * Records a problem on {@code k} when {@code file}, which holds a secret, may be read or written by group or
     * others ({@link SecretFilePermissions}); returns whether it is private.
     */
    boolean requirePrivate(String k, Path file) {
        Optional<String> exposure = SecretFilePermissions.exposure(file);
        exposure.ifPresent(reason -> problem(k, reason));
        return exposure.isEmpty();
    }

    /** Reports keys nobody read, in this node and every child, so typos are refused. */
    void rejectUnknownKeys() {
        for (String k : values.keySet()) {
            if (!read.contains(k)) problem(k, "unknown key (check spelling; see conf/concentrator.yaml for every key)");
        }
        for (ConfigNode c : children) c.rejectUnknownKeys();
    }

    static Optional<Inet4Address> parseIpv4(String s) {
        Matcher m = IPV4.matcher(s);
        if (!m.matches()) return Optional.empty();
        byte[] b = new byte[4];
        for (int i = 0; i < 4; i++) {
            int n = Integer.parseInt(m.group(i + 1));
            if (n > 255) return Optional.empty();
            b[i] = (byte) n;
        }
        try {
            return Optional.of((Inet4Address) InetAddress.getByAddress(b));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static String describe(Object v) {
        if (v == null) return "nothing";
        if (v instanceof Map) return "a section";
        if (v instanceof List) return "a list";
        String s = String.valueOf(v);
        return "\"" + (s.length() > 60 ? s.substring(0, 60) + "..." : s) + "\"";
    }
}
