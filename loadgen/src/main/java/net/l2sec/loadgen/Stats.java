package net.l2sec.loadgen;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** What every client reports, from any event loop; read by the reporter once a second. */
public final class Stats {
    /** A failure: the stage it happened in and why, e.g. {@code ike} / {@code timeout}. */
    public record Failure(Stage stage, String reason) implements Comparable<Failure> {
        @Override
        public int compareTo(Failure o) {
            int c = stage.compareTo(o.stage);
            return c != 0 ? c : reason.compareTo(o.reason);
        }

        @Override
        public String toString() {
            return stage.tag() + ":" + reason;
        }
    }

    final LongAdder started = new LongAdder();
    /** Clients that reached IPCP Opened (ever). */
    final LongAdder connected = new LongAdder();
    /** Clients up now. */
    final LongAdder established = new LongAdder();
    final LongAdder failed = new LongAdder();
    /** Sessions that were up and hung up themselves (--hold, or the end of the run): LCP Terminate, CDN, StopCCN, Deletes. */
    final LongAdder hungUp = new LongAdder();
    final LongAdder pingsSent = new LongAdder();
    final LongAdder pingsReceived = new LongAdder();
    /** Clients that got at least one echo reply. */
    final LongAdder pingedClients = new LongAdder();
    /** UDP datagrams and their payload octets on the clients' sockets (IKE, ESP, keepalives). */
    final LongAdder packetsOut = new LongAdder();
    final LongAdder packetsIn = new LongAdder();
    final LongAdder bytesOut = new LongAdder();
    final LongAdder bytesIn = new LongAdder();
    /** --dhcp-inform: DHCPACKs received, and what the last one said. */
    final LongAdder dhcpAcks = new LongAdder();
    volatile String dhcpRoutes = "-";
    volatile String dhcpDomain = "-";
    /** --tcp-syn: SYN-ACKs received, and the MSS the last one carried. */
    final LongAdder synAcks = new LongAdder();
    volatile int synAckMss = -1;
    final LatencyHistogram setup = new LatencyHistogram();
    final LatencyHistogram rtt = new LatencyHistogram();
    private final Map<Failure, LongAdder> failures = new ConcurrentHashMap<>();

    public void failure(Stage stage, String reason) {
        failed.increment();
        failures.computeIfAbsent(new Failure(stage, reason), f -> new LongAdder()).increment();
    }

    /** Failures by stage and reason, in stage order. */
    public Map<Failure, Long> failures() {
        Map<Failure, Long> out = new TreeMap<>();
        failures.forEach((f, n) -> out.put(f, n.sum()));
        return out;
    }

    public void sent(int octets) {
        packetsOut.increment();
        bytesOut.add(octets);
    }

    public void received(int octets) {
        packetsIn.increment();
        bytesIn.add(octets);
    }
}
