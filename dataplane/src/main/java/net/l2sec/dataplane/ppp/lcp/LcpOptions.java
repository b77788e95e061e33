package net.l2sec.dataplane.ppp.lcp;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.random.RandomGenerator;
import net.l2sec.spi.auth.AuthMethod;
import net.l2sec.dataplane.ppp.cp.ConfigOption;
import net.l2sec.dataplane.ppp.cp.OptionPolicy;
import net.l2sec.dataplane.ppp.cp.RequestVerdict;

/**
 * LCP option rules of an authenticating server (RFC 1661 section 6).
 *
 * <p>We request MRU, Magic-Number and Authentication-Protocol. Of the peer's options we accept MRU (Nak below
 * {@link #MIN_PEER_MRU}), ACCM (meaningless over L2TP), Magic-Number (with loop-back detection, section 6.4), PFC
 * and ACFC; everything else is rejected, including an Authentication-Protocol (we never authenticate ourselves
 * to the client) and the Multilink/Callback options Windows asks for, so that the peer falls back.
 */
public final class LcpOptions implements OptionPolicy {
    /** Smallest peer MRU we agree to: IPv4's minimum reassembly size (RFC 791), enough for anything we send. */
    public static final int MIN_PEER_MRU = 576;
    public static final int DEFAULT_MRU = 1500;

    private final int ourMru;
    private final List<AuthMethod> candidates;
    private final RandomGenerator random;
    private final Runnable loopbackSuspected;

    private boolean requestMru = true;
    private boolean requestMagic = true;
    private int magicNumber;
    private int peerMagicNumber;
    private int peerMru = DEFAULT_MRU;
    private AuthMethod authMethod;
    private final Set<AuthMethod> refused = new HashSet<>();
    private boolean noCommonAuthMethod;

    /**
     * @param authMethods       configured methods, most preferred first; the two EAP methods count as one
     *                          Authentication-Protocol choice (the first of them stands for both)
     * @param loopbackSuspected called each time the peer's Magic-Number equals ours
     */
    public LcpOptions(int ourMru, List<AuthMethod> authMethods, RandomGenerator random, Runnable loopbackSuspected) {
        this.ourMru = ourMru;
        this.random = random;
        this.loopbackSuspected = loopbackSuspected;
        List<AuthMethod> c = new ArrayList<>();
        for (AuthMethod m : authMethods) {
            if (c.stream().noneMatch(x -> AuthProtocolOption.of(x).equals(AuthProtocolOption.of(m)))) c.add(m);
        }
        this.candidates = List.copyOf(c);
        restart();
    }

    @Override
    public void restart() {
        requestMru = true;
        requestMagic = true;
        magicNumber = newMagic(0);
        peerMagicNumber = 0;
        peerMru = DEFAULT_MRU;
        refused.clear();
        authMethod = candidates.getFirst();
        noCommonAuthMethod = false;
    }

    @Override
    public List<ConfigOption> ourRequest() {
        List<ConfigOption> out = new ArrayList<>();
        if (requestMru) out.add(ConfigOption.ofInt(LcpOptionType.MAXIMUM_RECEIVE_UNIT.code(), ourMru, 2));
        out.add(AuthProtocolOption.of(authMethod).toOption());
        if (requestMagic) out.add(ConfigOption.ofInt(LcpOptionType.MAGIC_NUMBER.code(), magicNumber & 0xffffffffL, 4));
        return out;
    }

    @Override
    public RequestVerdict examine(List<ConfigOption> request) {
        List<ConfigOption> nak = new ArrayList<>();
        List<ConfigOption> reject = new ArrayList<>();
        int mru = DEFAULT_MRU;
        int magic = 0;
        for (ConfigOption o : request) {
            int len = o.data().length;
            switch (LcpOptionType.of(o.type()).orElse(null)) {
                case MAXIMUM_RECEIVE_UNIT -> {
                    if (len != 2) reject.add(o);
                    else if (o.dataAsLong() < MIN_PEER_MRU) nak.add(ConfigOption.ofInt(o.type(), MIN_PEER_MRU, 2));
                    else mru = (int) o.dataAsLong();
                }
                case ASYNC_CONTROL_CHARACTER_MAP -> { if (len != 4) reject.add(o); }   // no async framing on L2TP
                case MAGIC_NUMBER -> {
                    if (len != 4) {
                        reject.add(o);
                    } else {
                        int m = (int) o.dataAsLong();
                        if (m == 0 || m == magicNumber) {
                            if (m != 0) loopbackSuspected.run();
                            nak.add(ConfigOption.ofInt(o.type(), newMagic(magicNumber) & 0xffffffffL, 4));
                        } else {
                            magic = m;
                        }
                    }
                }
                // accepted, we send uncompressed anyway (RFC 1661 sections 6.5, 6.6)
                case PROTOCOL_FIELD_COMPRESSION, ADDRESS_AND_CONTROL_FIELD_COMPRESSION -> { if (len != 0) reject.add(o); }
                case null, default -> reject.add(o);        // incl. Authentication-Protocol, Callback, Multilink
            }
        }
        RequestVerdict verdict = RequestVerdict.of(request, nak, reject);
        if (verdict.kind() == RequestVerdict.Kind.ACK) {
            peerMru = mru;
            peerMagicNumber = magic;
        }
        return verdict;
    }

    @Override
    public void acknowledged(List<ConfigOption> options) {}

    @Override
    public void nakReceived(List<ConfigOption> options) {
        for (ConfigOption o : options) {
            switch (LcpOptionType.of(o.type()).orElse(null)) {
                case MAXIMUM_RECEIVE_UNIT -> { }                // we keep offering our MRU; it is only a receive limit
                case MAGIC_NUMBER -> magicNumber = newMagic(magicNumber);   // section 6.4: a Nak'd one MUST change
                case AUTHENTICATION_PROTOCOL -> nextAuthMethod(AuthProtocolOption.parse(o));
                case null, default -> { }
            }
        }
    }

    @Override
    public void rejectReceived(List<ConfigOption> options) {
        for (ConfigOption o : options) {
            switch (LcpOptionType.of(o.type()).orElse(null)) {
                case MAXIMUM_RECEIVE_UNIT -> requestMru = false;
                case MAGIC_NUMBER -> requestMagic = false;
                case AUTHENTICATION_PROTOCOL -> noCommonAuthMethod = true;   // the peer refuses to authenticate at all
                case null, default -> { }
            }
        }
    }

    /** The peer's suggestion if we offer it, else the next method we offer that it has not refused. */
    private void nextAuthMethod(Optional<AuthProtocolOption> suggestion) {
        refused.add(authMethod);
        Optional<AuthMethod> suggested = suggestion.flatMap(s -> candidates.stream()
                .filter(m -> !refused.contains(m) && AuthProtocolOption.of(m).equals(s)).findFirst());
        Optional<AuthMethod> next = suggested.or(() -> candidates.stream().filter(m -> !refused.contains(m)).findFirst());
        if (next.isPresent()) authMethod = next.get(); else noCommonAuthMethod = true;
    }

    private int newMagic(int avoid) {
        int m;
        do m = random.nextInt(); while (m == 0 || m == avoid);
        return m;
    }

    /** The negotiated Authentication-Protocol (meaningful once LCP is Opened). */
    public AuthMethod authMethod() {
        return authMethod;
    }

    /** True once the peer rejected authentication or refused every method we offer. */
    public boolean noCommonAuthMethod() {
        return noCommonAuthMethod;
    }

    public int magicNumber() {
        return requestMagic ? magicNumber : 0;
    }

    public int peerMagicNumber() {
        return peerMagicNumber;
    }

    public int peerMru() {
        return peerMru;
    }
}
