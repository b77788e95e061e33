package net.l2sec.dataplane.ppp;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.l2sec.dataplane.LogText;
import net.l2sec.dataplane.ppp.cp.ControlPacket.Identification;
import net.l2sec.spi.session.ClientIdentity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The LCP Identification messages a peer sends (RFC 1570 section 2.1): recorded for the session's client
 * identification, never answered (the RFC defines no reply, and a Code-Reject would tell the peer we do not speak
 * LCP as it does). They may come in any LCP state: Windows sends {@code MSRASV5.20} and {@code MSRAS-0-<computer
 * name>} as LCP opens. A message that carries our own Magic-Number is our link looped back and is not recorded; the
 * first {@link ClientIdentity#MAX_MESSAGES} distinct messages are kept, each cut to {@link #MAX_CHARS} characters.
 */
final class PeerIdentification {
    private static final Logger log = LoggerFactory.getLogger(PeerIdentification.class);
    static final int MAX_CHARS = 253;

    private final String tag;
    private final List<String> messages = new ArrayList<>();

    PeerIdentification(String tag) {
        this.tag = tag;
    }

    /**
     * One Identification packet.
     *
     * @param ourMagic our Magic-Number (0 until negotiated)
     * @return false when it was our own, looped back
     */
    boolean receive(Identification packet, int ourMagic) {
        if (ourMagic != 0 && packet.magicNumber() == ourMagic) return false;
        String m = new String(packet.message(), StandardCharsets.UTF_8);
        if (m.length() > MAX_CHARS) m = m.substring(0, MAX_CHARS);
        if (messages.contains(m) || messages.size() >= ClientIdentity.MAX_MESSAGES) return true;
        messages.add(m);
        log.info("session={} lcp identification message={}", tag, LogText.quote(m));
        return true;
    }

    List<String> messages() {
        return List.copyOf(messages);
    }
}
