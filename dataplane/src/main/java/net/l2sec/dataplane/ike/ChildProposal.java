package net.l2sec.dataplane.ike;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import net.l2sec.dataplane.ike.keymat.DhGroup;
import net.l2sec.dataplane.ike.message.Attribute;
import net.l2sec.dataplane.ike.message.Doi;
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
 * @param lifetimeKbytes  the client's kilobyte lifetime, 0 for none
 * @param pfs             the PFS group, null without PFS
 */
record ChildProposal(int proposalNumber, int peerSpi, Payload.Transform transform, EspCipher cipher, int keyBits,
                     EspIntegrity integrity, DhGroup pfs, long lifetimeSeconds, long lifetimeKbytes) {
    static final int LIFE_TYPE = 1, LIFE_DURATION = 2, GROUP = 3, ENCAPSULATION = 4, AUTH_ALG = 5, KEY_LENGTH = 6;
    static final int UDP_TRANSPORT = 4, UDP_TRANSPORT_DRAFT = 61444;
    static final long DEFAULT_SECONDS = 28800;

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
            if (a.type() == LIFE_TYPE && a.longValue() == 1 && i + 1 < in.size() && in.get(i + 1).type() == LIFE_DURATION) {
                attrs.add(a);
                attrs.add(Attribute.of(LIFE_DURATION, lifetimeSeconds));
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
        long encap = value(t, ENCAPSULATION);
        if (encap != UDP_TRANSPORT && encap != UDP_TRANSPORT_DRAFT) return null;
        int keyBits = cipher.fixedKeyBits();
        if (keyBits == 0) {
            keyBits = (int) value(t, KEY_LENGTH);
            if (!s.espAesKeyBits().contains(keyBits)) return null;
        }
        EspIntegrity integrity = EspIntegrity.NONE;
        long auth = value(t, AUTH_ALG);
        if (cipher.aead()) {
            if (auth > 0) return null;
        } else {
            integrity = null;
            for (EspIntegrity i : s.espIntegrity()) if (i != EspIntegrity.NONE && i.authAlgorithm() == auth) integrity = i;
            if (integrity == null) return null;
        }
        long group = value(t, GROUP);
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
            if (a.get(i).type() == LIFE_TYPE && a.get(i + 1).type() == LIFE_DURATION) {
                if (a.get(i).longValue() == 1) seconds = a.get(i + 1).longValue();
                else if (a.get(i).longValue() == 2) kbytes = a.get(i + 1).longValue();
            }
        }
        long max = s.childLifetimeMax().toSeconds();
        if (seconds <= 0 || seconds > max) seconds = max;
        return new ChildProposal(number, spi, t, cipher, keyBits, integrity, pfs, seconds, kbytes);
    }

    private static long value(Payload.Transform t, int type) {
        Attribute a = t.attribute(type);
        return a == null ? -1 : a.longValue();
    }

    static String describeOffer(Payload.Sa sa) {
        List<String> out = new ArrayList<>();
        for (Payload.Proposal p : sa.proposals()) {
            for (Payload.Transform t : p.transforms()) {
                String c = switch (t.transformId()) {
                    case 3 -> "3des";
                    case 12 -> "aes" + value(t, KEY_LENGTH);
                    case 20 -> "aes" + value(t, KEY_LENGTH) + "gcm16";
                    default -> "esp" + t.transformId();
                };
                long auth = value(t, AUTH_ALG);
                String i = "";
                if (auth > 0) {
                    i = "-auth" + auth;
                    for (EspIntegrity e : EspIntegrity.values()) if (e != EspIntegrity.NONE && e.authAlgorithm() == auth) i = "-" + integrityLabel(e);
                }
                long g = value(t, GROUP);
                out.add((ProtocolId.of(p.protocolId()) == ProtocolId.PROTO_IPSEC_ESP ? "" : "proto" + p.protocolId() + ":") + c + i
                        + (g > 0 ? "-group" + g : "") + "/mode" + value(t, ENCAPSULATION));
            }
        }
        return String.join(", ", out);
    }
}
