package net.l2sec.dataplane.ike;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import net.l2sec.dataplane.ike.keymat.DhGroup;
import net.l2sec.dataplane.ike.keymat.IkeCipher;
import net.l2sec.dataplane.ike.keymat.IkeHash;
import net.l2sec.dataplane.ike.message.Attribute;
import net.l2sec.dataplane.ike.message.Doi;
import net.l2sec.dataplane.ike.message.Payload;
import net.l2sec.dataplane.ike.message.ProtocolId;

/**
 * The ISAKMP SA transform chosen in Main Mode message 1, and the selection rule (RFC 2409 Appendix A attributes).
 *
 * @param transform the client's transform as offered: returned unchanged in message 2 (RFC 2408 section 4.2)
 * @param lifetime  the lifetime we hold the ISAKMP SA for: the client's, capped at our maximum
 * @param authMethod {@link #AUTH_PSK} or {@link #AUTH_RSA_SIG}
 */
record Phase1Proposal(int proposalNumber, Payload.Transform transform, IkeCipher cipher, int keyBits, IkeHash hash,
                      DhGroup group, Duration lifetime, int authMethod) {
    static final int ENCRYPTION = 1, HASH = 2, AUTH_METHOD = 3, GROUP = 4, LIFE_TYPE = 11, LIFE_DURATION = 12,
            KEY_LENGTH = 14;
    static final int AUTH_PSK = 1;
    static final int AUTH_RSA_SIG = 3;
    static final int KEY_IKE = 1;
    /** RFC 2407 / 2409 default when no lifetime is offered. */
    static final Duration DEFAULT_LIFETIME = Duration.ofHours(8);

    String label() {
        return cipher.label() + (cipher.fixedKeyBits() == 0 ? keyBits : "") + "-" + hash.label() + "-" + group.label()
                + (signatures() ? "/rsasig" : "");
    }

    boolean signatures() {
        return authMethod == AUTH_RSA_SIG;
    }

    /** The first acceptable transform of the first proposal, in the client's order; null if none. */
    static Phase1Proposal select(Payload.Sa sa, IkeSettings s) {
        return select(sa, s, s.certificates().isPresent());
    }

    /** As {@link #select(Payload.Sa, IkeSettings)}, pre-shared key transforms only (Aggressive Mode). */
    static Phase1Proposal selectPreSharedKey(Payload.Sa sa, IkeSettings s) {
        return select(sa, s, false);
    }

    private static Phase1Proposal select(Payload.Sa sa, IkeSettings s, boolean signatures) {
        if (Doi.of(sa.doi()) != Doi.IPSEC || sa.situation() != Payload.SIT_IDENTITY_ONLY) return null;
        for (Payload.Proposal p : sa.proposals()) {
            if (ProtocolId.of(p.protocolId()) != ProtocolId.PROTO_ISAKMP) continue;
            for (Payload.Transform t : p.transforms()) {
                Phase1Proposal c = accept(p.number(), t, s, signatures);
                if (c != null) return c;
            }
        }
        return null;
    }

    /** Whether every transform of every proposal names the same DH group (RFC 2409 section 5.4, Aggressive Mode). */
    static boolean oneGroup(Payload.Sa sa) {
        return sa.proposals().stream().flatMap(p -> p.transforms().stream()).mapToInt(t -> value(t, GROUP)).distinct()
                .count() <= 1;
    }

    /** Our SA payload in reply: the chosen transform of the chosen proposal, unchanged. */
    Payload.Sa response(Payload.Sa offered) {
        return new Payload.Sa(offered.doi(), offered.situation(), List.of(new Payload.Proposal(proposalNumber,
                ProtocolId.PROTO_ISAKMP, new byte[0], List.of(transform))));
    }

    private static Phase1Proposal accept(int number, Payload.Transform t, IkeSettings s, boolean signatures) {
        if (t.transformId() != KEY_IKE) return null;
        IkeCipher cipher = IkeCipher.of(value(t, ENCRYPTION));
        IkeHash hash = IkeHash.of(value(t, HASH));
        DhGroup group = DhGroup.of(value(t, GROUP));
        int auth = value(t, AUTH_METHOD);
        boolean authAllowed = auth == AUTH_PSK ? s.pskAuth() : auth == AUTH_RSA_SIG && signatures;
        if (cipher == null || hash == null || group == null || !authAllowed) return null;
        if (!s.ikeHashes().contains(hash) || !s.allowedGroups().contains(group)) return null;
        int keyBits;
        if (cipher == IkeCipher.TRIPLE_DES_CBC) {
            if (!s.legacy3des()) return null;
            keyBits = 192;
        } else {
            keyBits = (int) value(t, KEY_LENGTH);
            if (!s.ikeAesKeyBits().contains(keyBits)) return null;
        }
        Duration lifetime = DEFAULT_LIFETIME;
        for (int i = 0; i < t.attributes().size(); i++) {
            Attribute a = t.attributes().get(i);
            if (a.type() == LIFE_TYPE && a.longValue() == 1 && i + 1 < t.attributes().size()
                    && t.attributes().get(i + 1).type() == LIFE_DURATION) {
                lifetime = Duration.ofSeconds(t.attributes().get(i + 1).longValue());
            }
        }
        if (lifetime.isZero() || lifetime.compareTo(s.ikeLifetimeMax()) > 0) lifetime = s.ikeLifetimeMax();
        return new Phase1Proposal(number, t, cipher, keyBits, hash, group, lifetime, auth);
    }

    private static int value(Payload.Transform t, int type) {
        Attribute a = t.attribute(type);
        return a == null ? -1 : (int) a.longValue();
    }

    /** Every transform offered, readably: {@code aes256-sha1-modp1024, 3des-md5-modp768(?)...}. */
    static String describeOffer(Payload.Sa sa) {
        List<String> out = new ArrayList<>();
        for (Payload.Proposal p : sa.proposals()) {
            for (Payload.Transform t : p.transforms()) out.add(describe(t));
        }
        return String.join(", ", out);
    }

    static String describe(Payload.Transform t) {
        int enc = value(t, ENCRYPTION), h = value(t, HASH), g = value(t, GROUP), auth = value(t, AUTH_METHOD);
        IkeCipher c = IkeCipher.of(enc);
        IkeHash hh = IkeHash.of(h);
        DhGroup gg = DhGroup.of(g);
        String cs = c == null ? (enc == 1 ? "des" : "enc" + enc)
                : c.label() + (c.fixedKeyBits() == 0 ? Integer.toString(value(t, KEY_LENGTH)) : "");
        String hs = hh == null ? (h == 1 ? "md5" : "hash" + h) : hh.label();
        String gs = gg == null ? (g == 1 ? "modp768" : "group" + g) : gg.label();
        String as = auth == AUTH_PSK ? "" : "/auth=" + (auth == 3 ? "rsa" : auth >= 65001 && auth <= 65010 ? "xauth" + auth : auth);
        return cs + "-" + hs + "-" + gs + as;
    }

    static String describeAllowed(IkeSettings s) {
        List<String> enc = new ArrayList<>();
        s.ikeAesKeyBits().forEach(b -> enc.add("aes" + b));
        if (s.legacy3des()) enc.add("3des");
        return String.join("|", enc) + " x " + String.join("|", s.ikeHashes().stream().map(IkeHash::label).toList())
                + " x " + String.join("|", s.allowedGroups().stream().map(DhGroup::label).toList()) + " auth="
                + (s.pskAuth() ? "psk" : "") + (s.pskAuth() && s.certificates().isPresent() ? "|" : "")
                + (s.certificates().isPresent() ? "rsa" : "");
    }
}
