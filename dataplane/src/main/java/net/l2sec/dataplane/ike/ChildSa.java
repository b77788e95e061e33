package net.l2sec.dataplane.ike;

import java.nio.ByteBuffer;
import java.util.Objects;
import net.l2sec.dataplane.ike.message.Payload;

/**
 * A child SA pair IKE installed in ESP, as IKE remembers it: both SPIs, the Quick Mode IDs as the client sent them
 * (IDci the client's, IDcr ours; null without IDs) and the transform agreed, which a rekey we initiate proposes
 * again. A pair is {@link #replaced} once a later Quick Mode of the same client installed a pair for the same
 * traffic: it only waits for its removal then, and nothing rekeys it. Held by {@link ChildSas}.
 */
final class ChildSa {
    private final int inboundSpi;
    private final int outboundSpi;
    private final Payload.Id idci;
    private final Payload.Id idcr;
    private final ChildProposal proposal;
    private boolean replaced;

    ChildSa(int inboundSpi, int outboundSpi, Payload.Id idci, Payload.Id idcr, ChildProposal proposal) {
        this.inboundSpi = inboundSpi;
        this.outboundSpi = outboundSpi;
        this.idci = idci;
        this.idcr = idcr;
        this.proposal = proposal;
    }

    int inboundSpi() {
        return inboundSpi;
    }

    int outboundSpi() {
        return outboundSpi;
    }

    Payload.Id idci() {
        return idci;
    }

    Payload.Id idcr() {
        return idcr;
    }

    ChildProposal proposal() {
        return proposal;
    }

    boolean replaced() {
        return replaced;
    }

    void markReplaced() {
        replaced = true;
    }

    /** Same traffic selectors: equal IDs, or neither pair with IDs (the two hosts themselves, RFC 2409 5.5). */
    boolean sameTraffic(ChildSa other) {
        return Objects.equals(idci, other.idci) && Objects.equals(idcr, other.idcr);
    }

    String label() {
        return proposal.label();
    }

    /** An SPI as logged: eight hex digits. */
    static String hex(int spi) {
        return String.format("%08x", spi);
    }

    /** An SPI as the four octets of SA and Delete payloads. */
    static byte[] spiBytes(int spi) {
        return ByteBuffer.allocate(4).putInt(spi).array();
    }
}
