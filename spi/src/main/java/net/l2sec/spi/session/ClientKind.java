package net.l2sec.spi.session;

import java.util.Locale;

/**
 * Which kind of client is calling, from what it said about itself ({@link ClientIdentity}): a small, fixed set so
 * that a metric labelled with it stays bounded. The rules, first match wins:
 * <ol>
 *   <li>{@link #WINDOWS}: an LCP Identification message (RFC 1570 section 2.1) that starts with {@code MSRAS} (Windows'
 *       RAS sends {@code MSRASV5.20} and {@code MSRAS-0-<computer name>}), the IKE vendor ID {@code MS NT5
 *       ISAKMPOAKLEY} (any version suffix), or an L2TP Vendor Name that starts with {@code Microsoft} (Windows' SCCRQ
 *       carries the computer name and {@code Microsoft}, as xl2tpd logs it);</li>
 *   <li>{@link #MACOS_IOS}: the IKE vendor ID MD5("draft-ietf-ipsec-nat-t-ike"), the unnumbered NAT-T draft ID that no
 *       draft defines and that Apple's racoon sends (libreswan's vendor ID table and nmap's IKE fingerprints list it as
 *       Mac OS X);</li>
 *   <li>{@link #ANDROID}: the L2TP Host Name {@code anonymous} without a Vendor Name, as AOSP's L2TP client
 *       ({@code mtpd}) sends its SCCRQ;</li>
 *   <li>{@link #LINUX_STRONGSWAN}: the IKE vendor ID MD5("strongSwan") (strongSwan sends it only with
 *       {@code send_vendor_id}), or the L2TP Vendor Name {@code xelerance.com} of xl2tpd, the L2TP client that Linux
 *       L2TP/IPsec set-ups (strongSwan or Libreswan with xl2tpd and pppd, NetworkManager-l2tp) run;</li>
 *   <li>{@link #OTHER}: anything else.</li>
 * </ol>
 */
public enum ClientKind {
    WINDOWS("windows"),
    MACOS_IOS("macos_ios"),
    ANDROID("android"),
    LINUX_STRONGSWAN("linux_strongswan"),
    OTHER("other");

    /** IKE vendor ID names as {@link ClientIdentity#ikeVendorIds()} carries them. */
    public static final String VID_MS_NT5 = "ms-nt5-isakmpoakley";
    public static final String VID_APPLE_NAT_T = "draft-ietf-ipsec-nat-t-ike";
    public static final String VID_STRONGSWAN = "strongswan";

    private final String label;

    ClientKind(String label) {
        this.label = label;
    }

    /** The metric label and admin value, e.g. {@code linux_strongswan}. */
    public String label() {
        return label;
    }

    /** The kind {@code id} shows, by the rules above. */
    public static ClientKind of(ClientIdentity id) {
        boolean msras = id.lcpIdentification().stream().anyMatch(m -> m.startsWith("MSRAS"));
        if (msras || hasVid(id, VID_MS_NT5) || startsWithIgnoringCase(id.l2tpVendorName(), "Microsoft")) return WINDOWS;
        if (hasVid(id, VID_APPLE_NAT_T)) return MACOS_IOS;
        if ("anonymous".equals(id.l2tpHostName()) && id.l2tpVendorName() == null) return ANDROID;
        if (hasVid(id, VID_STRONGSWAN) || "xelerance.com".equalsIgnoreCase(id.l2tpVendorName())) return LINUX_STRONGSWAN;
        return OTHER;
    }

    /** A vendor ID name, with or without a version suffix ({@code ms-nt5-isakmpoakley/v9}). */
    private static boolean hasVid(ClientIdentity id, String name) {
        return id.ikeVendorIds().stream().anyMatch(v -> v.equals(name) || v.startsWith(name + "/"));
    }

    private static boolean startsWithIgnoringCase(String s, String prefix) {
        return s != null && s.toLowerCase(Locale.ROOT).startsWith(prefix.toLowerCase(Locale.ROOT));
    }
}
