package net.l2sec.dataplane.l2tp;

import java.util.ArrayList;
import java.util.List;

/**
 * A control message (T bit set). A message without AVPs is a Zero-Length Body acknowledgement (RFC 2661
 * section 5.8); otherwise the first AVP is the Message Type AVP.
 *
 * @param tunnelId  the receiver's Tunnel ID
 * @param sessionId the receiver's Session ID, 0 for control-connection messages
 * @param ns        sequence number of this message
 * @param nr        sequence number expected next from the receiver (acknowledges everything before it)
 * @param avps      AVPs in wire order
 */
public record ControlMessage(int tunnelId, int sessionId, int ns, int nr, List<Avp> avps) implements L2tpMessage {
    public ControlMessage {
        avps = List.copyOf(avps);
    }

    /** A message of {@code type} with a mandatory Message Type AVP first; Ns and Nr are set when it is sent. */
    public static ControlMessage of(MessageType type, int tunnelId, int sessionId, List<Avp> avps) {
        List<Avp> all = new ArrayList<>(avps.size() + 1);
        all.add(Avp.ofShort(AvpType.MESSAGE_TYPE, type.code()));
        all.addAll(avps);
        return new ControlMessage(tunnelId, sessionId, 0, 0, all);
    }

    public static ControlMessage zlb(int tunnelId, int ns, int nr) {
        return new ControlMessage(tunnelId, 0, ns, nr, List.of());
    }

    public boolean isZlb() {
        return avps.isEmpty();
    }

    /** The message type, or {@code null} for a ZLB or an unknown type. */
    public MessageType type() {
        return avps.isEmpty() ? null : MessageType.of(avps.getFirst().shortValue());
    }

    /** The first AVP of type {@code t}, or {@code null}. */
    public Avp find(AvpType t) {
        for (Avp a : avps) if (a.is(t)) return a;
        return null;
    }

    public ControlMessage withSequence(int ns, int nr) {
        return new ControlMessage(tunnelId, sessionId, ns, nr, avps);
    }

    public ControlMessage withAvps(List<Avp> avps) {
        return new ControlMessage(tunnelId, sessionId, ns, nr, avps);
    }

    @Override
    public String toString() {
        MessageType t = type();
        return (isZlb() ? "ZLB" : t != null ? t.name() : "UNKNOWN") + "[tunnel=" + tunnelId + ", session=" + sessionId
                + ", ns=" + ns + ", nr=" + nr + ", avps=" + avps + "]";
    }
}
