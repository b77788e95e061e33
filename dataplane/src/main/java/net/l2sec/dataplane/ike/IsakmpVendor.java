package net.l2sec.dataplane.ike;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import net.l2sec.dataplane.ike.message.Payload;

/**
 * Vendor ID task of Main Mode messages 1 and 2 (and Aggressive Mode messages 1 and 2): NAT-T (RFC 3947 section 3.1 and the drafts), DPD (RFC 3706
 * section 5), and the Windows VIDs we recognise without acting on them.
 */
final class IsakmpVendor {
    static final byte[] RFC3947 = md5("RFC 3947");
    static final byte[] DRAFT_02 = md5("draft-ietf-ipsec-nat-t-ike-02");
    static final byte[] DRAFT_02N = md5("draft-ietf-ipsec-nat-t-ike-02\n");
    static final byte[] DRAFT_03 = md5("draft-ietf-ipsec-nat-t-ike-03");
    static final byte[] DPD = HexFormat.of().parseHex("afcad71368a1f1c96b8696fc77570100");
    /** Prefixes; Windows appends a version. */
    static final byte[] MS_NT5_ISAKMPOAKLEY = HexFormat.of().parseHex("1e2b516905991c7d7c96fcbfb587e461");
    static final byte[] FRAGMENTATION = HexFormat.of().parseHex("4048b7d56ebce88525e7de7f00d6c2d3");
    /** The longest FRAGMENTATION vendor ID echoed: the 16 octets and a few of capability flags. */
    static final int MAX_FRAGMENTATION_VID = 32;

    private IsakmpVendor() {
    }

    /** What the initiator's message 1 announced. */
    record Announced(IkeSa.NatT natT, byte[] natTVid, boolean dpd, boolean windows, byte[] fragmentationVid) {
        boolean fragmentation() {
            return fragmentationVid != null;
        }
    }

    static Announced process(List<Payload.VendorId> vids) {
        byte[] natVid = null;
        IkeSa.NatT natT = IkeSa.NatT.NONE;
        boolean dpd = false, windows = false;
        byte[] frag = null;
        for (Payload.VendorId v : vids) {
            byte[] d = v.data();
            if (Arrays.equals(d, RFC3947)) {
                natT = IkeSa.NatT.RFC;
                natVid = RFC3947;
            } else if (natT != IkeSa.NatT.RFC && (Arrays.equals(d, DRAFT_03) || Arrays.equals(d, DRAFT_02N)
                    || Arrays.equals(d, DRAFT_02))) {
                // prefer 03 over 02\n over 02
                byte[] known = Arrays.equals(d, DRAFT_03) ? DRAFT_03 : Arrays.equals(d, DRAFT_02N) ? DRAFT_02N : DRAFT_02;
                if (natVid == null || rank(known) > rank(natVid)) natVid = known;
                natT = IkeSa.NatT.DRAFT;
            } else if (Arrays.equals(d, DPD)) {
                dpd = true;
            } else if (startsWith(d, MS_NT5_ISAKMPOAKLEY)) {
                windows = true;
            } else if (startsWith(d, FRAGMENTATION)) {
                // possibly with capability flags appended (Cisco style); echoed as sent, a longer one ignored
                if (d.length == FRAGMENTATION.length) frag = FRAGMENTATION;
                else if (d.length <= MAX_FRAGMENTATION_VID) frag = d.clone();
            }
        }
        return new Announced(natT, natVid, dpd, windows, frag);
    }

    /** What message 1 announced, recorded in the new SA: NAT-T flavour, DPD, fragmentation (if we do it). */
    static Announced process(IkeSa ike, List<Payload.VendorId> vids, IkeSettings s) {
        Announced a = process(vids);
        apply(ike, a, s);
        return a;
    }

    /** Records in {@code ike} what its message 1 announced. */
    static void apply(IkeSa ike, Announced a, IkeSettings s) {
        ike.natT = a.natT();
        ike.peerDpd = a.dpd();
        ike.peerFragmentation = a.fragmentation() && s.fragmentation().enabled();
    }

    private static int rank(byte[] d) {
        return Arrays.equals(d, DRAFT_03) ? 3 : Arrays.equals(d, DRAFT_02N) ? 2 : 1;
    }

    /**
     * Our message-2 VIDs: the NAT-T variant the client sent (the best one), DPD, and FRAGMENTATION as the client
     * sent it when {@code fragmentation} is enabled.
     */
    static List<Payload> build(Announced a, boolean fragmentation) {
        List<Payload> out = new ArrayList<>();
        if (a.natTVid() != null) out.add(new Payload.VendorId(a.natTVid()));
        out.add(new Payload.VendorId(DPD));
        if (fragmentation && a.fragmentation()) out.add(new Payload.VendorId(a.fragmentationVid()));
        return out;
    }

    private static boolean startsWith(byte[] d, byte[] prefix) {
        return d.length >= prefix.length && Arrays.equals(d, 0, prefix.length, prefix, 0, prefix.length);
    }

    static byte[] md5(String s) {
        try {
            return MessageDigest.getInstance("MD5").digest(s.getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
