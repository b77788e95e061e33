package net.l2sec.dataplane.ike;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
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
    /** Vendor IDs named ({@link #names}); beyond this many a message 1's are not. */
    static final int MAX_NAMED = ClientIdentity.MAX_MESSAGES;
    /** Unknown vendor IDs named by their first four octets ({@code vid:01528bbb}); further ones are {@code vid:?}. */
    static final int UNKNOWN_NAMED = 2;

    /**
     * The vendor IDs we name, with the name the session's client identification carries. MS NT5 ISAKMPOAKLEY and
     * FRAGMENTATION match by prefix (Windows appends a version, Cisco-style peers capability flags), the others whole.
     */
    enum VendorName {
        RFC_3947("rfc3947", RFC3947), NAT_T_DRAFT_02("nat-t-draft-02", DRAFT_02), NAT_T_DRAFT_02N("nat-t-draft-02n", DRAFT_02N),
        NAT_T_DRAFT_03("nat-t-draft-03", DRAFT_03), APPLE_NAT_T_DRAFT(ClientKind.VID_APPLE_NAT_T, APPLE_NAT_T),
        RFC_3706_DPD("dpd", DPD), STRONGSWAN_VID(ClientKind.VID_STRONGSWAN, STRONGSWAN), RACOON("kame-racoon", KAME_RACOON),
        XAUTH_VID("xauth", XAUTH), MS_NEGOTIATION("ms-negotiation-discovery", MS_NEGOTIATION_DISCOVERY),
        MS_INITIAL("ms-initial-contact", MS_INITIAL_CONTACT), MS_NT5(ClientKind.VID_MS_NT5, MS_NT5_ISAKMPOAKLEY),
        IKE_FRAGMENTATION("fragmentation", FRAGMENTATION), UNKNOWN("vid:", null);

        final String label;
        final byte[] data;

        VendorName(String label, byte[] data) {
            this.label = label;
            this.data = data;
        }

        static VendorName of(byte[] d) {
            for (VendorName n : values()) {
                if (n == MS_NT5 || n == IKE_FRAGMENTATION) {
                    if (startsWith(d, n.data)) return n;
                } else if (n.data != null && Arrays.equals(d, n.data)) {
                    return n;
                }
            }
            return UNKNOWN;
        }
    }

    /** The longest FRAGMENTATION vendor ID echoed: the 16 octets and a few of capability flags. */
    static final int MAX_FRAGMENTATION_VID = 32;

    private IsakmpVendor() {
    }

    /**
     * What the initiator's message 1 announced. Its vendor IDs by name are packed into numbers, so that a half-open
     * entry holds nothing more for them whatever a message 1 carries ({@link #names} unpacks them): {@code vidCodes}
     * one octet per vendor ID in the order sent ({@link VendorName} ordinal + 1, 0 ends the list), {@code msNt5Version}
     * the version Windows appended (-1 when none), {@code unknownVids} the first four octets of the first
     * {@link #UNKNOWN_NAMED} unknown ones.
     */
    record Announced(IkeSa.NatT natT, byte[] natTVid, boolean dpd, boolean windows, byte[] fragmentationVid,
                     long vidCodes, int msNt5Version, long unknownVids) {
        boolean fragmentation() {
            return fragmentationVid != null;
        }

        /**
         * The vendor IDs' names in the order sent, at most {@link #MAX_NAMED}: {@code rfc3947},
         * {@code ms-nt5-isakmpoakley/v<version>}, {@code fragmentation}, {@code strongswan}, ...; an unknown one as
         * {@code vid:} and the hex of its first four octets, after {@link #UNKNOWN_NAMED} of them {@code vid:?}.
         */
        List<String> names() {
            List<String> out = new ArrayList<>();
            int unknown = 0;
            for (int i = 0; i < MAX_NAMED; i++) {
                int code = (int) (vidCodes >>> (8 * i)) & 0xff;
                if (code == 0) break;
                VendorName n = VendorName.values()[code - 1];
                if (n == VendorName.MS_NT5 && msNt5Version >= 0) {
                    out.add(n.label + "/v" + msNt5Version);
                } else if (n == VendorName.UNKNOWN) {
                    out.add(unknown < UNKNOWN_NAMED
                            ? n.label + String.format("%08x", (unknownVids >>> (32 * unknown)) & 0xffffffffL) : n.label + "?");
                    unknown++;
                } else {
                    out.add(n.label);
                }
            }
            return out;
        }
    }

    static Announced process(List<Payload.VendorId> vids) {
        byte[] natVid = null;
        IkeSa.NatT natT = IkeSa.NatT.NONE;
        boolean dpd = false, windows = false;
        byte[] frag = null;
        long codes = 0, unknownVids = 0;
        int named = 0, unknown = 0, msNt5Version = -1;
        for (Payload.VendorId v : vids) {
            byte[] d = v.data();
            if (named < MAX_NAMED) {
                VendorName n = VendorName.of(d);
                codes |= (long) (n.ordinal() + 1) << (8 * named++);
                if (n == VendorName.MS_NT5 && d.length == MS_NT5_ISAKMPOAKLEY.length + 4 && msNt5Version < 0) {
                    msNt5Version = ByteBuffer.wrap(d, MS_NT5_ISAKMPOAKLEY.length, 4).getInt() & 0x7fffffff;
                } else if (n == VendorName.UNKNOWN && unknown < UNKNOWN_NAMED) {
                    long prefix = 0;
                    for (int i = 0; i < 4; i++) prefix = prefix << 8 | (i < d.length ? d[i] & 0xff : 0);
                    unknownVids |= prefix << (32 * unknown++);
                }
            }
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
        return new Announced(natT, natVid, dpd, windows, frag, codes, msNt5Version, unknownVids);
    }

    /** The names of {@code vids} as {@link Announced#names} gives them. */
    static List<String> names(List<Payload.VendorId> vids) {
        return process(vids).names();
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
        ike.announced = a;
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
