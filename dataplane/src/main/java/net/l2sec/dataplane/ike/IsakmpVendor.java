package net.l2sec.dataplane.ike;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import net.l2sec.dataplane.ike.message.Payload;
import net.l2sec.spi.session.ClientIdentity;
import net.l2sec.spi.session.ClientKind;

/**
 * Vendor ID task of Main Mode messages 1 and 2 (and Aggressive Mode messages 1 and 2): NAT-T (RFC 3947 section 3.1 and the drafts), DPD (RFC 3706
 * section 5), and the Windows VIDs we recognise without acting on them. Every vendor ID of message 1 is also
 * named ({@link #names}) for the session's client identification ({@code ClientIdentity}): what an operator sees and
 * what tells a Windows, Apple or strongSwan client apart.
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
    /** MD5("draft-ietf-ipsec-nat-t-ike"): in no draft; Apple's racoon sends it (libreswan's vendor ID notes). */
    static final byte[] APPLE_NAT_T = md5("draft-ietf-ipsec-nat-t-ike");
    /** MD5("strongSwan"): strongSwan sends it with {@code charon.send_vendor_id} only. */
    static final byte[] STRONGSWAN = md5("strongSwan");
    static final byte[] KAME_RACOON = md5("KAME/racoon");
    static final byte[] XAUTH = HexFormat.of().parseHex("09002689dfd6b712");
    static final byte[] MS_NEGOTIATION_DISCOVERY = md5("MS-Negotiation Discovery Capable");
    static final byte[] MS_INITIAL_CONTACT = md5("Vid-Initial-Contact");
    /** Known vendor IDs by name, matched whole; {@link #MS_NT5_ISAKMPOAKLEY} and FRAGMENTATION by prefix. */
    private static final List<Map.Entry<String, byte[]>> KNOWN = List.of(
            Map.entry("rfc3947", RFC3947), Map.entry("nat-t-draft-02", DRAFT_02), Map.entry("nat-t-draft-02n", DRAFT_02N),
            Map.entry("nat-t-draft-03", DRAFT_03), Map.entry(ClientKind.VID_APPLE_NAT_T, APPLE_NAT_T),
            Map.entry("dpd", DPD), Map.entry(ClientKind.VID_STRONGSWAN, STRONGSWAN), Map.entry("kame-racoon", KAME_RACOON),
            Map.entry("xauth", XAUTH), Map.entry("ms-negotiation-discovery", MS_NEGOTIATION_DISCOVERY),
            Map.entry("ms-initial-contact", MS_INITIAL_CONTACT));
    /** Octets of an unknown vendor ID shown in its name ({@code vid:<hex>}). */
    static final int UNKNOWN_VID_OCTETS = 16;
    /** The longest FRAGMENTATION vendor ID echoed: the 16 octets and a few of capability flags. */
    static final int MAX_FRAGMENTATION_VID = 32;

    private IsakmpVendor() {
    }

    /** What the initiator's message 1 announced. */
    record Announced(IkeSa.NatT natT, byte[] natTVid, boolean dpd, boolean windows, byte[] fragmentationVid,
                     List<String> names) {
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
        return new Announced(natT, natVid, dpd, windows, frag, names(vids));
    }

    /**
     * The vendor IDs' names in the order sent, at most {@link ClientIdentity#MAX_MESSAGES}: {@code rfc3947},
     * {@code ms-nt5-isakmpoakley/v<version>} (Windows appends a 4-octet version), {@code fragmentation},
     * {@code strongswan}, ...; an unknown one as {@code vid:} and the hex of its first
     * {@value #UNKNOWN_VID_OCTETS} octets.
     */
    static List<String> names(List<Payload.VendorId> vids) {
        List<String> out = new ArrayList<>();
        for (Payload.VendorId v : vids) {
            if (out.size() == ClientIdentity.MAX_MESSAGES) break;
            out.add(name(v.data()));
        }
        return out;
    }

    static String name(byte[] d) {
        for (Map.Entry<String, byte[]> k : KNOWN) if (Arrays.equals(d, k.getValue())) return k.getKey();
        if (startsWith(d, MS_NT5_ISAKMPOAKLEY)) {
            String name = ClientKind.VID_MS_NT5;
            int n = MS_NT5_ISAKMPOAKLEY.length;
            return d.length == n + 4 ? name + "/v" + ByteBuffer.wrap(d, n, 4).getInt() : name;
        }
        if (startsWith(d, FRAGMENTATION)) return "fragmentation";
        return "vid:" + HexFormat.of().formatHex(d, 0, Math.min(d.length, UNKNOWN_VID_OCTETS));
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
        ike.peerVendorIds = a.names();
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
