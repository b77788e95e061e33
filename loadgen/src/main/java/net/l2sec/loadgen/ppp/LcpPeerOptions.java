package net.l2sec.loadgen.ppp;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;
import net.l2sec.dataplane.ppp.cp.ConfigOption;
import net.l2sec.dataplane.ppp.cp.OptionPolicy;
import net.l2sec.dataplane.ppp.cp.RequestVerdict;
import net.l2sec.dataplane.ppp.lcp.AuthProtocolOption;
import net.l2sec.dataplane.ppp.lcp.LcpOptionType;

/**
 * LCP option rules of the authenticating peer, the client (RFC 1661 section 6). We request an MRU and a
 * Magic-Number. Of the server's options we accept MRU, ACCM, Magic-Number (Nak'd when it equals ours: a loop,
 * section 6.4), PFC, ACFC, and the Authentication-Protocol when it is the one we are configured for (else Nak'd
 * with ours, section 6.3); anything else is rejected.
 */
public final class LcpPeerOptions implements OptionPolicy {
    private final int ourMru;
    private final AuthProtocolOption wantedAuth;
    private final RandomGenerator random;
    private boolean requestMru;
    private boolean requestMagic;
    private int magicNumber;
    /** The Authentication-Protocol of the server's acknowledged request, empty when it asks for none. */
    private Optional<AuthProtocolOption> authProtocol = Optional.empty();

    public LcpPeerOptions(int ourMru, AuthProtocolOption wantedAuth, RandomGenerator random) {
        this.ourMru = ourMru;
        this.wantedAuth = wantedAuth;
        this.random = random;
        restart();
    }

    @Override
    public void restart() {
        requestMru = true;
        requestMagic = true;
        magicNumber = newMagic(0);
        authProtocol = Optional.empty();
    }

    @Override
    public List<ConfigOption> ourRequest() {
        List<ConfigOption> out = new ArrayList<>();
        if (requestMru) out.add(ConfigOption.ofInt(LcpOptionType.MAXIMUM_RECEIVE_UNIT.code(), ourMru, 2));
        if (requestMagic) out.add(ConfigOption.ofInt(LcpOptionType.MAGIC_NUMBER.code(), magicNumber & 0xffffffffL, 4));
        return out;
    }

    @Override
    public RequestVerdict examine(List<ConfigOption> request) {
        List<ConfigOption> nak = new ArrayList<>();
        List<ConfigOption> reject = new ArrayList<>();
        Optional<AuthProtocolOption> auth = Optional.empty();
        for (ConfigOption o : request) {
            int len = o.data().length;
            switch (LcpOptionType.of(o.type()).orElse(null)) {
                case MAXIMUM_RECEIVE_UNIT -> { if (len != 2) reject.add(o); }
                case ASYNC_CONTROL_CHARACTER_MAP -> { if (len != 4) reject.add(o); }
                case MAGIC_NUMBER -> {
                    if (len != 4) reject.add(o);
                    else if ((int) o.dataAsLong() == magicNumber) nak.add(ConfigOption.ofInt(o.type(), newMagic(magicNumber) & 0xffffffffL, 4));
                }
                case PROTOCOL_FIELD_COMPRESSION, ADDRESS_AND_CONTROL_FIELD_COMPRESSION -> { if (len != 0) reject.add(o); }
                case AUTHENTICATION_PROTOCOL -> {
                    Optional<AuthProtocolOption> offered = AuthProtocolOption.parse(o);
                    if (offered.equals(Optional.of(wantedAuth))) auth = offered;
                    else nak.add(wantedAuth.toOption());
                }
                case null, default -> reject.add(o);
            }
        }
        RequestVerdict verdict = RequestVerdict.of(request, nak, reject);
        if (verdict.kind() == RequestVerdict.Kind.ACK) authProtocol = auth;
        return verdict;
    }

    @Override
    public void acknowledged(List<ConfigOption> options) {}

    @Override
    public void nakReceived(List<ConfigOption> options) {
        for (ConfigOption o : options) {
            if (o.type() == LcpOptionType.MAGIC_NUMBER.code()) magicNumber = newMagic(magicNumber);
        }
    }

    @Override
    public void rejectReceived(List<ConfigOption> options) {
        for (ConfigOption o : options) {
            if (o.type() == LcpOptionType.MAXIMUM_RECEIVE_UNIT.code()) requestMru = false;
            if (o.type() == LcpOptionType.MAGIC_NUMBER.code()) requestMagic = false;
        }
    }

    /** What the server will authenticate us with (meaningful once LCP is Opened); empty: no authentication. */
    public Optional<AuthProtocolOption> authProtocol() {
        return authProtocol;
    }

    public int magicNumber() {
        return requestMagic ? magicNumber : 0;
    }

    private int newMagic(int avoid) {
        int m;
        do m = random.nextInt(); while (m == 0 || m == avoid);
        return m;
    }
}
