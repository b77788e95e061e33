package net.l2sec.dataplane.ike.message;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The decoded payloads of one message together with their octets as received (generic header included), which
 * the hashes of RFC 2409 are computed over.
 */
public record PayloadChain(List<Payload> payloads, List<byte[]> raw) {

    public PayloadChain {
        payloads = List.copyOf(payloads);
        raw = List.copyOf(raw);
    }

    /** The first payload of class {@code c}, or null. */
    public <T extends Payload> T first(Class<T> c) {
        for (Payload p : payloads) if (c.isInstance(p)) return c.cast(p);
        return null;
    }

    public <T extends Payload> List<T> all(Class<T> c) {
        List<T> out = new ArrayList<>();
        for (Payload p : payloads) if (c.isInstance(p)) out.add(c.cast(p));
        return out;
    }

    /** The body (generic header stripped) of the first payload of class {@code c}, or null. */
    public byte[] body(Class<? extends Payload> c) {
        for (int i = 0; i < payloads.size(); i++) {
            if (c.isInstance(payloads.get(i))) return java.util.Arrays.copyOfRange(raw.get(i), 4, raw.get(i).length);
        }
        return null;
    }

    /** The received octets of every payload after the first (RFC 2409 section 5.5: what HASH(1) covers). */
    public byte[] afterFirst() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 1; i < raw.size(); i++) out.writeBytes(raw.get(i));
        return out.toByteArray();
    }
}
