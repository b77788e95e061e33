package net.l2sec.dataplane.ppp.ipv6cp;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.random.RandomGenerator;
import net.l2sec.dataplane.ppp.cp.ConfigOption;
import net.l2sec.dataplane.ppp.cp.OptionPolicy;
import net.l2sec.dataplane.ppp.cp.RequestVerdict;

/**
 * IPV6CP option rules (RFC 5072 section 4.1) of the concentrator's side. The Interface-Identifier is the lower 64
 * bits of each end's link-local address, fe80::IID: we request our own, a non-zero one; the peer's is acknowledged
 * when it is non-zero and differs from ours, else Nak'd with a suggestion (section 4.1: "a Configure-Nak with a
 * non-zero value ... the peer SHOULD use it"). When the authorization assigned the client an identifier (RADIUS
 * Framed-Interface-Id, RFC 3162 section 2.2) any other value is Nak'd with it. A Nak of ours with a non-zero value
 * that clashes with nobody is followed; IPv6-Compression-Protocol and unknown options are rejected.
 */
public final class Ipv6cpOptions implements OptionPolicy {
    private static final int IDENTIFIER_LENGTH = 8;

    private final RandomGenerator random;
    private final OptionalLong assigned;
    private long local;
    private long peer;
    private boolean requestIdentifier = true;

    /**
     * @param random   where our identifier and suggestions for the peer come from
     * @param assigned the peer's identifier the authorization fixed, if any (non-zero)
     */
    public Ipv6cpOptions(RandomGenerator random, OptionalLong assigned) {
        this.random = random;
        this.assigned = assigned;
        this.local = fresh(assigned.orElse(0));
    }

    /** A random non-zero identifier other than {@code avoid}, with the universal/local bit clear (RFC 4291 appendix A: not a universally administered one). */
    private long fresh(long avoid) {
        long v;
        do {
            v = random.nextLong() & ~0x0200_0000_0000_0000L;
        } while (v == 0 || v == avoid);
        return v;
    }

    @Override
    public void restart() {
        requestIdentifier = true;
        peer = 0;
    }

    @Override
    public List<ConfigOption> ourRequest() {
        return requestIdentifier ? List.of(identifier(local)) : List.of();
    }

    @Override
    public RequestVerdict examine(List<ConfigOption> request) {
        List<ConfigOption> nak = new ArrayList<>();
        List<ConfigOption> reject = new ArrayList<>();
        for (ConfigOption o : request) {
            switch (Ipv6cpOptionType.of(o.type()).orElse(null)) {
                case INTERFACE_IDENTIFIER -> {
                    if (o.data().length != IDENTIFIER_LENGTH) {
                        reject.add(o);
                        continue;
                    }
                    long theirs = o.dataAsLong();
                    if (assigned.isPresent() && theirs != assigned.getAsLong()) nak.add(identifier(assigned.getAsLong()));
                    else if (theirs == 0 || theirs == local) nak.add(identifier(fresh(local)));
                    else peer = theirs;
                }
                case IPV6_COMPRESSION_PROTOCOL -> reject.add(o);
                case null -> reject.add(o);
            }
        }
        RequestVerdict verdict = RequestVerdict.of(request, nak, reject);
        if (verdict.kind() != RequestVerdict.Kind.ACK) peer = 0;
        return verdict;
    }

    @Override
    public void acknowledged(List<ConfigOption> options) {}

    /** Section 4.1: the peer suggests another identifier for us; we take it unless it is zero or the peer's. */
    @Override
    public void nakReceived(List<ConfigOption> options) {
        for (ConfigOption o : options) {
            if (o.type() != Ipv6cpOptionType.INTERFACE_IDENTIFIER.code() || o.data().length != IDENTIFIER_LENGTH) continue;
            long suggested = o.dataAsLong();
            local = suggested != 0 && suggested != peer && suggested != assigned.orElse(0) ? suggested : fresh(peer);
        }
    }

    @Override
    public void rejectReceived(List<ConfigOption> options) {
        if (options.stream().anyMatch(o -> o.type() == Ipv6cpOptionType.INTERFACE_IDENTIFIER.code())) requestIdentifier = false;
    }

    /** Our Interface-Identifier: our link-local address is fe80::{@code local}. */
    public long localIdentifier() {
        return local;
    }

    /** The peer's acknowledged Interface-Identifier; empty if it sent none (or none acceptable yet). */
    public OptionalLong peerIdentifier() {
        return peer == 0 ? OptionalLong.empty() : OptionalLong.of(peer);
    }

    private static ConfigOption identifier(long value) {
        return ConfigOption.ofInt(Ipv6cpOptionType.INTERFACE_IDENTIFIER.code(), value, IDENTIFIER_LENGTH);
    }
}
