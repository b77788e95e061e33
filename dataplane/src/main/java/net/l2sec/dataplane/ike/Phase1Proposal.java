package net.l2sec.dataplane.ike;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import net.l2sec.dataplane.ike.keymat.DhGroup;
import net.l2sec.dataplane.ike.keymat.IkeCipher;
import net.l2sec.dataplane.ike.keymat.IkeHash;
import net.l2sec.dataplane.ike.message.Attribute;
import net.l2sec.dataplane.ike.message.AuthenticationMethod;
import net.l2sec.dataplane.ike.message.Doi;
import net.l2sec.dataplane.ike.message.IsakmpTransformId;
import net.l2sec.dataplane.ike.message.LifeType;
import net.l2sec.dataplane.ike.message.Payload;
import net.l2sec.dataplane.ike.message.Phase1Attribute;
import net.l2sec.dataplane.ike.message.ProtocolId;

/**
 * The ISAKMP SA transform chosen in Main Mode message 1, and the selection rule (RFC 2409 Appendix A attributes).
 *
 * @param transform the client's transform as offered: returned unchanged in message 2 (RFC 2408 section 4.2)
 * @param lifetime  the lifetime we hold the ISAKMP SA for: the client's, capped at our maximum
 * @param authMethod {@link AuthenticationMethod#PRE_SHARED_KEY} or {@link AuthenticationMethod#RSA_SIGNATURES}
 * @param position  where the transform is in the client's SA payload
 */
record Phase1Proposal(int proposalNumber, Payload.Transform transform, IkeCipher cipher, int keyBits, IkeHash hash,
                      DhGroup group, Duration lifetime, AuthenticationMethod authMethod, Position position) {
    /**
     * The place of a transform in an SA payload: the index of its proposal and its index in that proposal. A half-open
     * Main Mode keeps this and the SA payload's octets (SAi_b) instead of the decoded choice ({@link #at}).
     */
    record Position(int proposal, int transform) {
    }

    /** RFC 2407 / 2409 default when no lifetime is offered. */
    static final Duration DEFAULT_LIFETIME = Duration.ofHours(8);

    String label() {
        return cipher.label() + (cipher.fixedKeyBits() == 0 ? keyBits : "") + "-" + hash.label() + "-" + group.label()
                + (signatures() ? "/rsasig" : "");
    }

    boolean signatures() {
        return authMethod == AuthenticationMethod.RSA_SIGNATURES;
    }

    /** The first acceptable transform of the first proposal, in the client's order; null if none. */
    static Phase1Proposal select(Payload.Sa sa, IkeSettings s) {
        return select(sa, s, s.ikev1Certificates().isPresent());
    }

    /** As {@link #select(Payload.Sa, IkeSettings)}, pre-shared key transforms only (Aggressive Mode). */
    static Phase1Proposal selectPreSharedKey(Payload.Sa sa, IkeSettings s) {
        return select(sa, s, false);
    }

    private static Phase1Proposal select(Payload.Sa sa, IkeSettings s, boolean signatures) {
        if (Doi.of(sa.doi()) != Doi.IPSEC || sa.situation() != Payload.SIT_IDENTITY_ONLY) return null;
        for (int i = 0; i < sa.proposals().size(); i++) {
            Payload.Proposal p = sa.proposals().get(i);
            if (ProtocolId.of(p.protocolId()) != ProtocolId.PROTO_ISAKMP) continue;
            for (int j = 0; j < p.transforms().size(); j++) {
                Phase1Proposal c = accept(p.number(), p.transforms().get(j), s, signatures, new Position(i, j));
                if (c != null) return c;
            }
        }
        return null;
    }

    /**
     * The Main Mode transform at {@code position} of {@code sa}, as {@link #select(Payload.Sa, IkeSettings)} chose
     * it; null when it is not acceptable (any more: the settings were reloaded in between).
     */
    static Phase1Proposal at(Payload.Sa sa, Position position, IkeSettings s) {
        if (Doi.of(sa.doi()) != Doi.IPSEC || sa.situation() != Payload.SIT_IDENTITY_ONLY
                || position.proposal() >= sa.proposals().size()) {
            return null;
        }
        Payload.Proposal p = sa.proposals().get(position.proposal());
        if (ProtocolId.of(p.protocolId()) != ProtocolId.PROTO_ISAKMP || position.transform() >= p.transforms().size()) {
            return null;
        }
        return accept(p.number(), p.transforms().get(position.transform()), s, s.ikev1Certificates().isPresent(), position);
    }

    /** Whether every transform of every proposal names the same DH group (RFC 2409 section 5.4, Aggressive Mode). */
    static boolean oneGroup(Payload.Sa sa) {
        return sa.proposals().stream().flatMap(p -> p.transforms().stream())
                .mapToInt(t -> value(t, Phase1Attribute.GROUP_DESCRIPTION)).distinct().count() <= 1;
    }

    /** Our SA payload in reply: the chosen transform of the chosen proposal, unchanged. */
    Payload.Sa response(Payload.Sa offered) {
        return new Payload.Sa(offered.doi(), offered.situation(), List.of(new Payload.Proposal(proposalNumber,
                ProtocolId.PROTO_ISAKMP, new byte[0], List.of(transform))));
    }

    private static Phase1Proposal accept(int number, Payload.Transform t, IkeSettings s, boolean signatures,
                                         Position position) {
        if (IsakmpTransformId.of(t.transformId()) != IsakmpTransformId.KEY_IKE) return null;
        IkeCipher cipher = IkeCipher.of(value(t, Phase1Attribute.ENCRYPTION_ALGORITHM));
        IkeHash hash = IkeHash.of(value(t, Phase1Attribute.HASH_ALGORITHM));
        DhGroup group = DhGroup.of(value(t, Phase1Attribute.GROUP_DESCRIPTION));
        AuthenticationMethod auth = AuthenticationMethod.of(value(t, Phase1Attribute.AUTHENTICATION_METHOD));
        boolean authAllowed = auth == AuthenticationMethod.PRE_SHARED_KEY ? s.pskAuth()
                : auth == AuthenticationMethod.RSA_SIGNATURES && signatures;
        if (cipher == null || hash == null || group == null || !authAllowed) return null;
        if (!s.ikeHashes().contains(hash) || !s.allowedGroups().contains(group)) return null;
        int keyBits;
        if (cipher == IkeCipher.TRIPLE_DES_CBC) {
            if (!s.legacy3des()) return null;
            keyBits = 192;
        } else {
            keyBits = value(t, Phase1Attribute.KEY_LENGTH);
            if (!s.ikeAesKeyBits().contains(keyBits)) return null;
        }
        long seconds = DEFAULT_LIFETIME.toSeconds();
        for (int i = 0; i < t.attributes().size(); i++) {
            Attribute a = t.attributes().get(i);
            if (Phase1Attribute.of(a.type()) == Phase1Attribute.LIFE_TYPE && a.longValue() == LifeType.SECONDS.code()
                    && i + 1 < t.attributes().size()
                    && Phase1Attribute.of(t.attributes().get(i + 1).type()) == Phase1Attribute.LIFE_DURATION) {
                seconds = t.attributes().get(i + 1).longValue();
            }
        }
        return new Phase1Proposal(number, t, cipher, keyBits, hash, group, capped(seconds, s.ikeLifetimeMax()), auth,
                position);
    }

    /**
     * A lifetime in seconds as the client offered it, capped at {@code max}: zero, and a value that is no positive
     * number (an 8-octet value with its top bit set, longer than 8 octets: {@link Attribute#longValue()} -1), is
     * our maximum too. Never negative, never longer than {@code max}.
     */
    static Duration capped(long seconds, Duration max) {
        return seconds <= 0 || seconds > max.toSeconds() ? max : Duration.ofSeconds(seconds);
    }

    /** The value of attribute {@code type}, -1 when absent. */
    private static int value(Payload.Transform t, Phase1Attribute type) {
        Attribute a = t.attribute(type.code());
        return a == null ? -1 : (int) a.longValue();
    }

    /** Transforms of an offer a log line describes; the rest are counted ({@code ... and 12 more}). */
    static final int DESCRIBED_TRANSFORMS = 12;

    /**
     * The transforms offered, readably: {@code aes256-sha1-modp1024, 3des-md5-modp768, ...}; the first
     * {@link #DESCRIBED_TRANSFORMS}, then how many more, so a hostile offer makes no long line.
     */
    static String describeOffer(Payload.Sa sa) {
        List<String> out = new ArrayList<>();
        int total = 0;
        for (Payload.Proposal p : sa.proposals()) {
            for (Payload.Transform t : p.transforms()) {
                if (total++ < DESCRIBED_TRANSFORMS) out.add(describe(t));
            }
        }
        if (total > DESCRIBED_TRANSFORMS) out.add("... and " + (total - DESCRIBED_TRANSFORMS) + " more");
        return String.join(", ", out);
    }

    static String describe(Payload.Transform t) {
        int enc = value(t, Phase1Attribute.ENCRYPTION_ALGORITHM), h = value(t, Phase1Attribute.HASH_ALGORITHM);
        int g = value(t, Phase1Attribute.GROUP_DESCRIPTION), auth = value(t, Phase1Attribute.AUTHENTICATION_METHOD);
        IkeCipher c = IkeCipher.of(enc);
        IkeHash hh = IkeHash.of(h);
        DhGroup gg = DhGroup.of(g);
        // RFC 2409 Appendix A: the codes of the algorithms we refuse (DES-CBC, MD5, the 768-bit group) by name
        String cs = c == null ? (enc == 1 ? "des" : "enc" + enc)
                : c.label() + (c.fixedKeyBits() == 0 ? Integer.toString(value(t, Phase1Attribute.KEY_LENGTH)) : "");
        String hs = hh == null ? (h == 1 ? "md5" : "hash" + h) : hh.label();
        String gs = gg == null ? (g == 1 ? "modp768" : "group" + g) : gg.label();
        String as = switch (AuthenticationMethod.of(auth)) {
            case PRE_SHARED_KEY -> "";
            case RSA_SIGNATURES -> "/auth=rsa";
            // XAUTH (draft-ietf-ipsec-isakmp-xauth: 65001 to 65010) and anything else by number
            case null, default -> "/auth=" + (auth >= 65001 && auth <= 65010 ? "xauth" + auth : auth);
        };
        return cs + "-" + hs + "-" + gs + as;
    }

    static String describeAllowed(IkeSettings s) {
        List<String> enc = new ArrayList<>();
        s.ikeAesKeyBits().forEach(b -> enc.add("aes" + b));
        if (s.legacy3des()) enc.add("3des");
        return String.join("|", enc) + " x " + String.join("|", s.ikeHashes().stream().map(IkeHash::label).toList())
                + " x " + String.join("|", s.allowedGroups().stream().map(DhGroup::label).toList()) + " auth="
                + (s.pskAuth() ? "psk" : "") + (s.pskAuth() && s.ikev1Certificates().isPresent() ? "|" : "")
                + (s.ikev1Certificates().isPresent() ? "rsa" : "");
    }
}
