package net.l2sec.dataplane.ike;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import net.l2sec.dataplane.ike.message.IkeDecodeException;
import net.l2sec.dataplane.ike.message.IkeDropReason;
import net.l2sec.dataplane.ike.message.IsakmpCodec;
import net.l2sec.dataplane.ike.message.IsakmpHeader;
import net.l2sec.dataplane.ike.message.Payload;
import net.l2sec.dataplane.ike.message.PayloadType;
import net.l2sec.spi.time.Scheduler;

/**
 * IKEv1 fragmentation (MS-IKEE sections 2.2.3.1 and 3.3, as Windows and strongSwan do it, announced with the
 * FRAGMENTATION vendor ID): a whole ISAKMP message, header included, is cut into pieces, each sent as the only
 * payload (type 132) of an unencrypted message with the original cookies, exchange type and message ID; fragment
 * numbers run from 1 and the last carries the LAST_FRAGMENT flag. Receiving: one reassembly per ISAKMP SA, bounded
 * in fragment count, size and time.
 */
final class IsakmpFragmentation {
    /** Fragment payload generic header plus fragment ID, number and flags. */
    static final int FRAGMENT_HEADER = 8;

    private IsakmpFragmentation() {
    }

    /** {@code msg} cut into fragment messages carrying at most {@code maxData} octets of it each. */
    static List<byte[]> fragment(byte[] msg, int fragmentId, int maxData) {
        IsakmpHeader h;
        try {
            h = IsakmpCodec.decodeHeader(msg);
        } catch (IkeDecodeException e) {
            throw new IllegalStateException("fragmenting a malformed message of ours", e);
        }
        IsakmpHeader fh = new IsakmpHeader(h.initiatorCookie(), h.responderCookie(), PayloadType.FRAGMENT, h.version(),
                h.exchangeType(), 0, h.messageId(), 0);
        int count = (msg.length + maxData - 1) / maxData;
        List<byte[]> out = new ArrayList<>(count);
        for (int n = 1; n <= count; n++) {
            int from = (n - 1) * maxData;
            byte[] data = java.util.Arrays.copyOfRange(msg, from, Math.min(msg.length, from + maxData));
            out.add(IsakmpCodec.encode(fh, List.of(new Payload.Fragment(fragmentId & 0xffff, n,
                    n == count ? Payload.Fragment.LAST_FRAGMENT : 0, data))));
        }
        return out;
    }

    /** The fragments of one message received so far. */
    static final class Reassembly {
        final int fragmentId;
        private final TreeMap<Integer, byte[]> parts = new TreeMap<>();
        private int last;
        private int size;
        Scheduler.Timeout timer;

        Reassembly(int fragmentId) {
            this.fragmentId = fragmentId;
        }

        /**
         * Adds {@code f}; returns the whole message once every fragment is in, else null. A fragment that breaks
         * the rules or the limits throws, and the caller discards this reassembly.
         */
        byte[] add(Payload.Fragment f, IkeSettings.Fragmentation limits) throws IkeDecodeException {
            int n = f.number();
            if (n == 0) throw new IkeDecodeException(IkeDropReason.FRAGMENT_INVALID, "fragment number 0");
            if (n > limits.maxFragments()) {
                throw new IkeDecodeException(IkeDropReason.FRAGMENT_LIMIT, "fragment " + n + " beyond " + limits.maxFragments());
            }
            if (f.last()) {
                if (last != 0 && last != n) throw new IkeDecodeException(IkeDropReason.FRAGMENT_INVALID, "two last fragments");
                if (!parts.isEmpty() && parts.lastKey() > n) {
                    throw new IkeDecodeException(IkeDropReason.FRAGMENT_INVALID, "fragment after the last one");
                }
                last = n;
            } else if (last != 0 && n > last) {
                throw new IkeDecodeException(IkeDropReason.FRAGMENT_INVALID, "fragment " + n + " after the last one " + last);
            }
            if (parts.containsKey(n)) return null; // a duplicate: ignored (MS-IKEE 3.3.5.3)
            size += f.data().length;
            if (size > limits.maxMessageSize()) {
                throw new IkeDecodeException(IkeDropReason.FRAGMENT_LIMIT, "reassembled message over " + limits.maxMessageSize() + " octets");
            }
            parts.put(n, f.data());
            if (last == 0 || parts.size() != last) return null;
            ByteArrayOutputStream whole = new ByteArrayOutputStream(size);
            parts.values().forEach(whole::writeBytes);
            return whole.toByteArray();
        }

        void cancel() {
            if (timer != null) timer.cancel();
        }
    }
}
