package net.l2sec.loadgen;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import net.l2sec.loadgen.ike.EspProposal;
import net.l2sec.loadgen.ike.IkeProposal;

/**
 * The command line. Every option is {@code --name value} or {@code --name=value}; see {@link #USAGE}.
 *
 * @param pingTarget     empty: no pings; {@link #PEER} (null address): the server's PPP address from IPCP
 * @param concurrency    0: pace by {@code rate} alone; else at most this many clients in setup at once
 * @param hold           0: clients stay up until the run ends; else each one hangs up this long after it came up
 * @param sourceAddresses the local addresses clients bind to, in turn; one address = N clients behind one NAT
 * @param pretendNat     each client acts as a host behind a NAT: a private address of its own in its IDs, and a
 *                       NAT-D hash for its own address that cannot match, so that the server sees a NAT
 * @param pid            the server process to watch (RSS, heap), 0 for none
 * @param untilUp        null: run for {@code duration}; else end the run this long after every client came up or
 *                       failed (at the latest after {@code duration})
 * @param dhReuse        a load generator's shortcut: one Diffie-Hellman key pair for the whole run (its one group),
 *                       used by every client, so that the generator's own cost per setup is one agreement instead
 *                       of a key pair and an agreement; the server still makes a fresh pair and an agreement per
 *                       setup. False (the default): each client makes its own key pair, as real clients do.
 * @param setup          where a client counts as up and goes no further: {@link Setup}
 * @param dhcpInform     once IPCP is up each client sends a Windows-shaped DHCPINFORM and reads the DHCPACK
 * @param pcap           a file the decrypted inner IPv4 packets sent and received go to (pcap, LINKTYPE_RAW)
 * @param tcpSyn         once IPCP is up each client sends one TCP SYN (MSS 1460) to this address and port and
 *                       reads the MSS of the SYN-ACK
 */
public record Options(InetAddress server, int ikePort, int nattPort, int clients, double rate, int concurrency,
                      Duration duration, Duration hold, String user, String password, String psk,
                      IkeProposal proposal, EspProposal esp, Auth auth, Optional<Inet4Address> pingTarget,
                      boolean pingEnabled, Duration pingInterval, int streamPps, int streamSize,
                      List<InetAddress> sourceAddresses, boolean pretendNat, long pid, int mru,
                      Duration setupTimeout, Duration lcpEchoInterval, Duration keepaliveInterval, int threads,
                      Duration untilUp, boolean dhReuse, Setup setup, boolean dhcpInform, Optional<Path> pcap,
                      Optional<InetSocketAddress> tcpSyn) {
    /** PPP authentication the client does. */
    public enum Auth { MSCHAPV2, PAP }

    /** How far a client goes ({@code --setup}). */
    public enum Setup {
        /**
         * Main Mode messages 1 and 3 sent and message 4 received: the server made its key pair and computed g^xy
         * (its whole Diffie-Hellman work of a phase 1), and the client computes nothing: the responder's DH work per
         * second through real sockets, with a generator that costs little per client. The phase 1 is abandoned
         * (the server drops its half-open entry at its timeout or when the half-open bound evicts it).
         */
        DH,
        /** Main Mode done (six messages); no Quick Mode, L2TP or PPP: IKE handshakes per second. */
        IKE,
        /** IPCP up: the whole client (the default). */
        FULL
    }

    public static final String USAGE = """
            usage: loadgen --server HOST [options]
              --server HOST           the L2TP/IPsec server (required)
              --ike-port N            IKE port (500); NAT-T goes to --natt-port (4500)
              --clients N             simulated clients (1)
              --rate R                new clients per second (10)
              --concurrency N         at most N clients in setup at once (0: by --rate only)
              --duration S            length of the run in seconds (30); then every client hangs up
              --until-up S            end the run S seconds after every client came up or failed (still at
                                      the latest after --duration)
              --hold S                each client hangs up S seconds after it came up (0: at the end); with
                                      --clients = rate x duration and --until-up >= S, a churn: clients keep
                                      coming for the duration, about rate x S sessions are up at a time
              --user NAME             PPP user name; %d is replaced by the client number (1..N) (alice)
              --password PW           PPP password; %d as in --user (password)
              --psk KEY               IPsec pre-shared key (secret)
              --proposal P            IKE proposal cipher-hash-group: aes128|aes256, sha1|sha256,
                                      modp1024|modp2048|ecp256 (aes256-sha1-modp2048)
              --esp P                 ESP proposal: aes128-sha1, aes256-sha256, aes128gcm16, ... (aes256-sha1)
              --auth mschapv2|pap     PPP authentication (mschapv2)
              --ping TARGET|peer      ping TARGET (or the server's PPP address) through the tunnel
              --ping-interval S       seconds between pings of one client (1)
              --stream PPS SIZE       each client also sends PPS echo requests of SIZE octets (IPv4) per second
              --source-addresses A,B  local addresses, used in turn (127.0.0.2-127.0.0.40 ranges allowed);
                                      one address: all clients behind one NAT, distinct ports
              --nat pretend|real      pretend: each client is a host behind a NAT, with a private address of
                                      its own (10.128.0.0/9 + n) as IKE identity, IDci and NAT-OAi, and a NAT-D
                                      hash that cannot match; real: the socket's address and its true NAT-D
                                      hash (the server must then see a NAT of its own making) (pretend)
              --pid PID               report RSS and heap of this process (the server under test)
              --mru N                 LCP MRU we request (1400)
              --setup-timeout S       a client not up after S seconds fails where it is (60)
              --lcp-echo S            LCP Echo-Request interval once up (30; 0 none)
              --keepalive S           NAT-T keepalive interval (20; 0 none)
              --threads N             event loops (number of processors)
              --setup dh|ike|full     full: a client is up with IPCP (the default); ike: once its Main Mode is done,
                                      with no Quick Mode, L2TP or PPP (IKE handshakes per second); dh: once Main
                                      Mode message 4 came (the server's DH done; the client computes none and
                                      abandons the phase 1: the responder's DH work per second)
              --dh-reuse              one DH key pair for the whole run, shared by every client (each still does
                                      its own agreement): halves the generator's DH work per setup, so that a
                                      setup-rate test measures the server; the server's work is unchanged.
                                      A shortcut for testing only (off: a fresh key pair per client)
              --dhcp-inform           once up, each client sends a DHCPINFORM shaped like Windows' (to
                                      255.255.255.255:67, asking for options 1, 15, 6, 121, 249, ...) and reads the
                                      DHCPACK: RESULT gains dhcp_acks, dhcp_routes (option 249) and dhcp_domain
              --tcp-syn HOST:PORT     once up, each client sends one TCP SYN with MSS 1460 to HOST:PORT through the
                                      tunnel: RESULT gains syn_acks and syn_ack_mss (the MSS the SYN-ACK carried)
              --pcap FILE             write the decrypted inner IPv4 packets sent and received to FILE (pcap,
                                      LINKTYPE_RAW), for tshark -r FILE
            """;

    /** A ping target meaning "the server's PPP-side address". */
    public static final Optional<Inet4Address> PEER = Optional.empty();

    public static Options parse(String... args) {
        if (args.length == 0 || List.of(args).contains("--help")) throw new IllegalArgumentException("usage");
        Map<String, String> kv = new HashMap<>();
        List<String> stream = List.of();
        boolean dhReuse = false;
        boolean dhcpInform = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) throw new IllegalArgumentException("unexpected argument " + a);
            String name = a.substring(2);
            String value;
            int eq = name.indexOf('=');
            if (name.equals("dh-reuse")) {          // a flag: no value
                dhReuse = true;
                continue;
            }
            if (name.equals("dhcp-inform")) {       // a flag: no value
                dhcpInform = true;
                continue;
            }
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else {
                if (i + 1 >= args.length) throw new IllegalArgumentException("--" + name + " needs a value");
                value = args[++i];
            }
            if (name.equals("stream")) {
                if (eq < 0 && i + 1 < args.length) {
                    stream = List.of(value, args[++i]);
                } else {
                    stream = List.of(value.split("[ ,]"));
                }
                continue;
            }
            kv.put(name, value);
        }
        String serverName = take(kv, "server", null);
        if (serverName == null) throw new IllegalArgumentException("--server is required");
        InetAddress server = address(serverName);
        int ikePort = Integer.parseInt(take(kv, "ike-port", "500"));
        int nattPort = Integer.parseInt(take(kv, "natt-port", "4500"));
        int clients = Integer.parseInt(take(kv, "clients", "1"));
        double rate = Double.parseDouble(take(kv, "rate", "10"));
        int concurrency = Integer.parseInt(take(kv, "concurrency", "0"));
        Duration duration = seconds(take(kv, "duration", "30"));
        Duration hold = seconds(take(kv, "hold", "0"));
        String user = take(kv, "user", "alice");
        String password = take(kv, "password", "password");
        String psk = take(kv, "psk", "secret");
        IkeProposal proposal = IkeProposal.parse(take(kv, "proposal", "aes256-sha1-modp2048"));
        EspProposal esp = EspProposal.parse(take(kv, "esp", "aes256-sha1"));
        Auth auth = Auth.valueOf(take(kv, "auth", "mschapv2").toUpperCase(Locale.ROOT));
        String ping = take(kv, "ping", null);
        Optional<Inet4Address> pingTarget = ping == null || ping.equals("peer") ? PEER : Optional.of(ipv4(ping));
        Duration pingInterval = seconds(take(kv, "ping-interval", "1"));
        int streamPps = stream.isEmpty() ? 0 : Integer.parseInt(stream.get(0));
        int streamSize = stream.size() < 2 ? 0 : Integer.parseInt(stream.get(1));
        if (streamPps > 0 && (streamSize < 28 + 8 || streamSize > 1400)) {
            throw new IllegalArgumentException("--stream SIZE must be 36..1400 octets (an IPv4 echo request with a timestamp)");
        }
        String sources = take(kv, "source-addresses", null);
        List<InetAddress> sourceAddresses = sources == null ? List.of() : sourceAddresses(sources);
        String nat = take(kv, "nat", "pretend");
        Setup setup = switch (take(kv, "setup", "full")) {
            case "full" -> Setup.FULL;
            case "ike" -> Setup.IKE;
            case "dh" -> Setup.DH;
            default -> throw new IllegalArgumentException("--setup must be dh, ike or full");
        };
        if (!nat.equals("pretend") && !nat.equals("real")) throw new IllegalArgumentException("--nat pretend|real");
        long pid = Long.parseLong(take(kv, "pid", "0"));
        int mru = Integer.parseInt(take(kv, "mru", "1400"));
        Duration setupTimeout = seconds(take(kv, "setup-timeout", "60"));
        Duration lcpEcho = seconds(take(kv, "lcp-echo", "30"));
        Duration keepalive = seconds(take(kv, "keepalive", "20"));
        int threads = Integer.parseInt(take(kv, "threads", String.valueOf(Runtime.getRuntime().availableProcessors())));
        String untilUpValue = take(kv, "until-up", null);
        Duration untilUp = untilUpValue == null ? null : seconds(untilUpValue);
        if (untilUp != null && untilUp.isNegative()) throw new IllegalArgumentException("--until-up must not be negative");
        String pcapValue = take(kv, "pcap", null);
        Optional<Path> pcap = pcapValue == null ? Optional.empty() : Optional.of(Path.of(pcapValue));
        String syn = take(kv, "tcp-syn", null);
        Optional<InetSocketAddress> tcpSyn = Optional.empty();
        if (syn != null) {
            int colon = syn.lastIndexOf(':');
            if (colon < 0) throw new IllegalArgumentException("--tcp-syn must be HOST:PORT");
            tcpSyn = Optional.of(new InetSocketAddress(ipv4(syn.substring(0, colon)), Integer.parseInt(syn.substring(colon + 1))));
        }
        if (!kv.isEmpty()) throw new IllegalArgumentException("unknown option(s): --" + String.join(", --", kv.keySet()));
        if (clients < 1 || rate <= 0 || threads < 1) throw new IllegalArgumentException("--clients, --rate and --threads must be positive");
        return new Options(server, ikePort, nattPort, clients, rate, concurrency, duration, hold, user, password, psk,
                proposal, esp, auth, pingTarget, ping != null, pingInterval, streamPps, streamSize, sourceAddresses,
                nat.equals("pretend"), pid, mru, setupTimeout, lcpEcho, keepalive, threads, untilUp, dhReuse, setup,
                dhcpInform, pcap, tcpSyn);
    }

    /** The user name of client {@code n} (1-based). */
    public String user(int n) {
        return user.replace("%d", String.valueOf(n));
    }

    public String password(int n) {
        return password.replace("%d", String.valueOf(n));
    }

    private static String take(Map<String, String> kv, String name, String dflt) {
        String v = kv.remove(name);
        return v != null ? v : dflt;
    }

    static Duration seconds(String s) {
        return Duration.ofNanos((long) (Double.parseDouble(s) * 1e9));
    }

    /** {@code 127.0.0.2,127.0.0.5-127.0.0.9}: single addresses and inclusive IPv4 ranges. */
    static List<InetAddress> sourceAddresses(String spec) {
        List<InetAddress> out = new ArrayList<>();
        for (String part : spec.split(",")) {
            part = part.strip();
            int dash = part.indexOf('-');
            if (dash < 0) {
                out.add(address(part));
                continue;
            }
            long from = Integer.toUnsignedLong(toInt(ipv4(part.substring(0, dash))));
            long to = Integer.toUnsignedLong(toInt(ipv4(part.substring(dash + 1))));
            if (to < from || to - from > 65_535) throw new IllegalArgumentException("bad address range " + part);
            for (long a = from; a <= to; a++) out.add(fromInt((int) a));
        }
        return List.copyOf(out);
    }

    static InetAddress address(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("unknown host " + s);
        }
    }

    static Inet4Address ipv4(String s) {
        if (address(s) instanceof Inet4Address a) return a;
        throw new IllegalArgumentException(s + " is not an IPv4 address");
    }

    static int toInt(Inet4Address a) {
        byte[] b = a.getAddress();
        return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
    }

    static InetAddress fromInt(int v) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
