package net.l2sec.dataplane.ike;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import net.l2sec.dataplane.ike.keymat.DhGroup;
import net.l2sec.dataplane.ike.message.Attribute;
import net.l2sec.dataplane.ike.message.Doi;
import net.l2sec.dataplane.ike.message.EncapsulationMode;
import net.l2sec.dataplane.ike.message.IpsecAttribute;
import net.l2sec.dataplane.ike.message.LifeType;
import net.l2sec.dataplane.ike.message.Payload;
import net.l2sec.dataplane.ike.message.ProtocolId;
import net.l2sec.dataplane.ipsec.EspCipher;
import net.l2sec.dataplane.ipsec.EspIntegrity;

/**
 * The ESP transform chosen in Quick Mode message 1 (IPsec DOI attributes, RFC 2407 section 4.5; UDP
 * encapsulation modes RFC 3947 section 5.2 and the drafts' 61443/61444).
 *
 * @param peerSpi         the SPI the client chose for its inbound SA (our outbound)
 * @param lifetimeSeconds accepted lifetime: the client's, capped at our maximum
 * @param lifetimeKbytes  the client's kilobyte lifetime, 0 for none (also for a value that is no positive number)
 * @param pfs             the PFS group, null without PFS
 */
record ChildProposal(int proposalNumber, int peerSpi, Payload.Transform transform, EspCipher cipher, int keyBits,
                     EspIntegrity integrity, DhGroup pfs, long lifetimeSeconds, long lifetimeKbytes) {
    /** RFC 2407 section 4.5: without an SA Life Duration the lifetime is 28800 seconds. */
    static final long DEFAULT_SECONDS = 28800;
    /** The largest kilobyte lifetime whose octets ({@link #lifetimeBytes()}) fit a long. */
    static final long MAX_KBYTES = Long.MAX_VALUE / 1024;

    String label() {
        String c = switch (cipher) {
            case TRIPLE_DES_CBC -> "3des";
            case AES_CBC -> "aes" + keyBits;
            case AES_GCM_16 -> "aes" + keyBits + "gcm16";
        };
        return c + (cipher.aead() ? "" : "-" + integrityLabel(integrity)) + (pfs == null ? "" : "-" + pfs.label());
    }

    static String integrityLabel(EspIntegrity i) {
        return switch (i) {
            case NONE -> "none";
            case HMAC_SHA1_96 -> "sha1";
            case HMAC_SHA2_256_128 -> "sha256";
            case HMAC_SHA2_384_192 -> "sha384";
            case HMAC_SHA2_512_256 -> "sha512";
        };
    }

    /** KEYMAT octets per direction: key, GCM salt, integrity key (RFC 4106 section 8.1). */
    int keymatLength() {
        return keyBits / 8 + (cipher.aead() ? 4 : integrity.keyBits() / 8);
    }

    /** Our transform for message 2: the client's, with the lifetime we accept. */
    Payload.Transform responseTransform() {
        List<Attribute> attrs = new ArrayList<>();
        List<Attribute> in = transform.attributes();
        for (int i = 0; i < in.size(); i++) {
            Attribute a = in.get(i);
            if (lifeType(a, LifeType.SECONDS) && i + 1 < in.size() && lifeDuration(in.get(i + 1))) {
                attrs.add(a);
                attrs.add(Attribute.of(IpsecAttribute.SA_LIFE_DURATION.code(), lifetimeSeconds));
                i++;
            } else {
                attrs.add(a);
            }
        }
        return new Payload.Transform(transform.number(), transform.transformId(), attrs);
    }

    Duration lifetime() {
        return Duration.ofSeconds(lifetimeSeconds);
    }

    /** The octet lifetime ESP enforces: the client's kilobytes, 0 for none. */
    long lifetimeBytes() {
        return lifetimeKbytes * 1024;
    }

    /** The first acceptable transform in the client's order; null if none. */
    static ChildProposal select(Payload.Sa sa, DhGroup keGroup, IkeSettings s) {
        if (Doi.of(sa.doi()) != Doi.IPSEC) return null;
        for (Payload.Proposal p : sa.proposals()) {
            if (ProtocolId.of(p.protocolId()) != ProtocolId.PROTO_IPSEC_ESP || p.spi().length != 4) continue;
            if (sa.proposals().stream().filter(o -> o.number() == p.number()).count() > 1) continue; // AH+ESP bundles
            int spi = (p.spi()[0] & 0xff) << 24 | (p.spi()[1] & 0xff) << 16 | (p.spi()[2] & 0xff) << 8 | p.spi()[3] & 0xff;
            for (Payload.Transform t : p.transforms()) {
                ChildProposal c = accept(p.number(), spi, t, keGroup, s);
                if (c != null) return c;
            }
        }
        return null;
    }

    private static ChildProposal accept(int number, int spi, Payload.Transform t, DhGroup keGroup, IkeSettings s) {
        EspCipher cipher = null;
        for (EspCipher c : s.allowedEspCiphers()) if (c.transformId() == t.transformId()) cipher = c;
        if (cipher == null) return null;
        long encap = value(t, IpsecAttribute.ENCAPSULATION_MODE);
        if (encap != EncapsulationMode.UDP_ENCAPSULATED_TRANSPORT.code()
                && encap != EncapsulationMode.UDP_ENCAPSULATED_TRANSPORT_DRAFT.code()) {
            return null;
        }
        int keyBits = cipher.fixedKeyBits();
        if (keyBits == 0) {
            keyBits = (int) value(t, IpsecAttribute.KEY_LENGTH);
            if (!s.espAesKeyBits().contains(keyBits)) return null;
        }
        EspIntegrity integrity = EspIntegrity.NONE;
        long auth = value(t, IpsecAttribute.AUTHENTICATION_ALGORITHM);
        if (cipher.aead()) {
            if (auth > 0) return null;
        } else {
            integrity = null;
            for (EspIntegrity i : s.espIntegrity()) if (i != EspIntegrity.NONE && i.authAlgorithm() == auth) integrity = i;
            if (integrity == null) return null;
        }
        long group = value(t, IpsecAttribute.GROUP_DESCRIPTION);
        DhGroup pfs = null;
        if (group > 0) {
            pfs = DhGroup.of((int) group);
            if (pfs == null || pfs != keGroup || !s.allowedGroups().contains(pfs)) return null;
        } else if (keGroup != null) {
            return null;
        }
        long seconds = DEFAULT_SECONDS, kbytes = 0;
        List<Attribute> a = t.attributes();
        for (int i = 0; i + 1 < a.size(); i++) {
            if (lifeDuration(a.get(i + 1))) {
                if (lifeType(a.get(i), LifeType.SECONDS)) seconds = a.get(i + 1).longValue();
                else if (lifeType(a.get(i), LifeType.KILOBYTES)) kbytes = a.get(i + 1).longValue();
            }
        }
        seconds = Phase1Proposal.capped(seconds, s.childLifetimeMax()).toSeconds();
        // we have no octet maximum: a value that is no positive number means none; the octets never overflow
        kbytes = kbytes < 0 ? 0 : Math.min(kbytes, MAX_KBYTES);
        return new ChildProposal(number, spi, t, cipher, keyBits, integrity, pfs, seconds, kbytes);
    }

    /** The value of attribute {@code type}, -1 when absent. */
    private static long value(Payload.Transform t, IpsecAttribute type) {
        Attribute a = t.attribute(type.code());
        return a == null ? -1 : a.longValue();
    }

    /** An SA Life Type attribute of {@code type}: the SA Life Duration after it counts in its unit. */
    private static boolean lifeType(Attribute a, LifeType type) {
        return IpsecAttribute.of(a.type()) == IpsecAttribute.SA_LIFE_TYPE && a.longValue() == type.code();
    }

    private static boolean lifeDuration(Attribute a) {
        return IpsecAttribute.of(a.type()) == IpsecAttribute.SA_LIFE_DURATION;
    }

    static String describeOffer(Payload.Sa sa) {
        List<String> out = new ArrayList<>();
        for (Payload.Proposal p : sa.proposals()) {
            for (Payload.Transform t : p.transforms()) {
                String c = switch (espCipher(t.transformId())) {
                    case TRIPLE_DES_CBC -> "3des";
                    case AES_CBC -> "aes" + value(t, IpsecAttribute.KEY_LENGTH);
                    case AES_GCM_16 -> "aes" + value(t, IpsecAttribute.KEY_LENGTH) + "gcm16";
                    case null -> "esp" + t.transformId();
                };
                long auth = value(t, IpsecAttribute.AUTHENTICATION_ALGORITHM);
                String i = "";
                if (auth > 0) {
                    i = "-auth" + auth;
                    for (EspIntegrity e : EspIntegrity.values()) if (e != EspIntegrity.NONE && e.authAlgorithm() == auth) i = "-" + integrityLabel(e);
                }
                long g = value(t, IpsecAttribute.GROUP_DESCRIPTION);
                out.add((ProtocolId.of(p.protocolId()) == ProtocolId.PROTO_IPSEC_ESP ? "" : "proto" + p.protocolId() + ":") + c + i
                        + (g > 0 ? "-group" + g : "") + "/mode" + value(t, IpsecAttribute.ENCAPSULATION_MODE));
            }
        }
        return String.join(", ", out);
    }

    /** The ESP cipher of IPsec DOI transform ID {@code transformId} (RFC 2407 section 4.4.4), null for one we lack. */
    private static EspCipher espCipher(int transformId) {
        for (EspCipher c : EspCipher.values()) if (c.transformId() == transformId) return c;
        return null;
    }
}
