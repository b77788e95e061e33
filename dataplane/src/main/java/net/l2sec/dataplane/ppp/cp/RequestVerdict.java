package net.l2sec.dataplane.ppp.cp;

import java.util.List;

/**
 * How we answer a peer's Configure-Request (RFC 1661 section 5.1 to 5.4): all options acceptable (Ack echoes
 * them), some with unacceptable values (Nak lists our suggestions), or some unrecognised or not negotiable
 * (Reject lists them unchanged). Reject takes precedence over Nak.
 */
public record RequestVerdict(Kind kind, List<ConfigOption> options) {
    public enum Kind { ACK, NAK, REJECT }

    public RequestVerdict {
        options = List.copyOf(options);
    }

    public static RequestVerdict of(List<ConfigOption> request, List<ConfigOption> nak, List<ConfigOption> reject) {
        if (!reject.isEmpty()) return new RequestVerdict(Kind.REJECT, reject);
        if (!nak.isEmpty()) return new RequestVerdict(Kind.NAK, nak);
        return new RequestVerdict(Kind.ACK, request);
    }
}
