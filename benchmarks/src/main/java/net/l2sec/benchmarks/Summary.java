package net.l2sec.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads JMH's JSON result ({@code -rf json}) of {@link PacketPathBenchmark} and {@link BareCryptoBenchmark} and
 * prints one row per direction and transform: path packets/s per core (score divided by threads), bare crypto
 * packets/s, their ratio, the inner IP payload rate the path sustains per core, and allocation per packet when the
 * run had {@code -prof gc}.
 */
public final class Summary {
    /** The ratio path/bare the packet path aims at. */
    static final double TARGET = 0.7;

    private Summary() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: Summary result.json");
            System.exit(2);
        }
        List<?> results = (List<?>) new Json(Files.readString(Path.of(args[0]))).value();
        Map<String, Row> rows = new LinkedHashMap<>();
        for (Object o : results) {
            Map<?, ?> r = (Map<?, ?>) o;
            String benchmark = (String) r.get("benchmark");
            String method = benchmark.substring(benchmark.lastIndexOf('.') + 1);
            String transform = (String) ((Map<?, ?>) r.get("params")).get("transform");
            double threads = ((Number) r.get("threads")).doubleValue();
            double score = ((Number) ((Map<?, ?>) r.get("primaryMetric")).get("score")).doubleValue() / threads;
            Double alloc = null;
            if (r.get("secondaryMetrics") instanceof Map<?, ?> secondary
                    && secondary.get("gc.alloc.rate.norm") instanceof Map<?, ?> norm) {
                alloc = ((Number) norm.get("score")).doubleValue();
            }
            Row row = rows.computeIfAbsent(method + " " + transform, k -> new Row(method, transform));
            if (benchmark.contains("PacketPathBenchmark")) {
                row.path = score;
                row.pathAlloc = alloc;
            } else if (benchmark.contains("BareCryptoBenchmark")) {
                row.bare = score;
                row.bareAlloc = alloc;
            }
        }
        System.out.println("| direction | transform | path pkt/s per core | bare crypto pkt/s | path/bare | inner IP Gbit/s per core | alloc B/pkt path / bare |");
        System.out.println("|---|---|---:|---:|---:|---:|---:|");
        boolean met = true;
        for (Row r : rows.values()) {
            double ratio = r.path / r.bare;
            met &= ratio >= TARGET;
            System.out.printf(Locale.ROOT, "| %s | %s | %,.0f | %,.0f | %.2f%s | %.2f | %s / %s |%n", r.direction,
                    r.transform, r.path, r.bare, ratio, ratio >= TARGET ? "" : " (below " + TARGET + ")",
                    r.path * EstablishedSession.IP_PACKET_LENGTH * 8 / 1e9, bytes(r.pathAlloc), bytes(r.bareAlloc));
        }
        System.out.println();
        System.out.println(met ? "target path/bare >= " + TARGET + " met in every row" : "target path/bare >= " + TARGET + " NOT met in every row");
    }

    private static String bytes(Double b) {
        return b == null ? "-" : String.format(Locale.ROOT, "%.0f", b);
    }

    private static final class Row {
        final String direction;
        final String transform;
        double path = Double.NaN;
        double bare = Double.NaN;
        Double pathAlloc;
        Double bareAlloc;

        Row(String direction, String transform) {
            this.direction = direction;
            this.transform = transform;
        }
    }

    /** Just enough JSON (RFC 8259) for JMH's result file: objects, arrays, strings, numbers, literals. */
    static final class Json {
        private final String s;
        private int i;

        Json(String s) {
            this.s = s;
        }

        Object value() {
            skip();
            char c = s.charAt(i);
            return switch (c) {
                case '{' -> object();
                case '[' -> array();
                case '"' -> string();
                case 't' -> literal("true", Boolean.TRUE);
                case 'f' -> literal("false", Boolean.FALSE);
                case 'n' -> literal("null", null);
                default -> number();
            };
        }

        private Map<String, Object> object() {
            Map<String, Object> m = new LinkedHashMap<>();
            i++;
            skip();
            if (s.charAt(i) == '}') {
                i++;
                return m;
            }
            while (true) {
                skip();
                String k = string();
                skip();
                expect(':');
                m.put(k, value());
                skip();
                if (s.charAt(i++) == '}') return m;
            }
        }

        private List<Object> array() {
            List<Object> l = new ArrayList<>();
            i++;
            skip();
            if (s.charAt(i) == ']') {
                i++;
                return l;
            }
            while (true) {
                l.add(value());
                skip();
                if (s.charAt(i++) == ']') return l;
            }
        }

        private String string() {
            expect('"');
            StringBuilder b = new StringBuilder();
            for (char c; (c = s.charAt(i++)) != '"'; ) {
                if (c != '\\') {
                    b.append(c);
                    continue;
                }
                char e = s.charAt(i++);
                switch (e) {
                    case 'n' -> b.append('\n');
                    case 't' -> b.append('\t');
                    case 'r' -> b.append('\r');
                    case 'b' -> b.append('\b');
                    case 'f' -> b.append('\f');
                    case 'u' -> {
                        b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                        i += 4;
                    }
                    default -> b.append(e);
                }
            }
            return b.toString();
        }

        private Object number() {
            int start = i;
            while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) i++;
            String n = s.substring(start, i);
            if (n.isEmpty()) throw new IllegalArgumentException("JSON: unexpected '" + s.charAt(i) + "' at " + i);
            return Double.parseDouble(n);
        }

        private Object literal(String word, Object v) {
            if (!s.startsWith(word, i)) throw new IllegalArgumentException("JSON: bad literal at " + i);
            i += word.length();
            return v;
        }

        private void expect(char c) {
            if (s.charAt(i) != c) throw new IllegalArgumentException("JSON: expected '" + c + "' at " + i);
            i++;
        }

        private void skip() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
        }
    }
}
