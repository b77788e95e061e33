package net.l2sec.dataplane.ikev2;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.l2sec.dataplane.ike.IkeSettings;
import net.l2sec.dataplane.ike.keymat.DhGroup;
import net.l2sec.dataplane.ike.keymat.IkeHash;
import net.l2sec.dataplane.ikev2.keymat.EncryptionAlgorithm;
import net.l2sec.dataplane.ikev2.keymat.IntegrityAlgorithm;
import net.l2sec.dataplane.ikev2.keymat.PrfAlgorithm;
import net.l2sec.dataplane.ikev2.message.Payload.Proposal;
import net.l2sec.dataplane.ikev2.message.Payload.Sa;
import net.l2sec.dataplane.ikev2.message.Payload.Transform;
import net.l2sec.dataplane.ipsec.EspCipher;
import net.l2sec.dataplane.ipsec.EspIntegrity;

/**
 * Chooses from a peer's SA payload (RFC 7296 section 2.7) what the policy allows, the peer's order first: for the
 * IKE SA the ciphers of {@code ipsec.ike} (AES-CBC of the configured key sizes, AES-GCM-16 of the same sizes, 3DES
 * only with the legacy switch), PRF and integrity from its hashes, its DH groups; for ESP the {@code ipsec.esp}
 * lists, without extended sequence numbers. A proposal is chosen when every transform type it needs has one we
 * accept; the reply carries exactly one of each (section 3.3.6).
 */
final class Ikev2Proposals {
    private final IkeSettings settings;

    Ikev2Proposals(IkeSettings settings) {
        this.settings = settings;
    }

    /** What the IKE SA uses. {@code integrity} is null with an AEAD cipher. */
    record IkeSuite(int number, EncryptionAlgorithm cipher, int keyBits, PrfAlgorithm prf, IntegrityAlgorithm integrity,
                    DhGroup group) {
        /** The SA payload of the reply, with {@code spi} (empty in IKE_SA_INIT, ours in a rekey). */
        Sa reply(byte[] spi) {
            List<Transform> t = new ArrayList<>();
            t.add(new Transform(Transform.ENCR, cipher.code(), cipher.fixedKeyBits() == 0 ? keyBits : 0));
            t.add(new Transform(Transform.PRF, prf.code(), 0));
            if (integrity != null) t.add(new Transform(Transform.INTEG, integrity.code(), 0));
            t.add(new Transform(Transform.DH, group.code(), 0));
            return new Sa(List.of(new Proposal(number, Proposal.IKE, spi, t)));
        }

        /**
         * strongSwan's notation, as clients are configured: {@code aes256-sha1-modp1024} (the PRF named only when it
         * is not the integrity algorithm's hash), {@code aes256gcm16-prfsha256-ecp256}.
         */
        String describe() {
            String integ = integrity != null ? "-" + integrity.esp().configName() : "";
            boolean prfImplied = integrity != null && integrity.esp().configName().equals(prf.configName());
            return (cipher == EncryptionAlgorithm.ENCR_3DES ? "3des" : "aes" + keyBits + (cipher.aead() ? "gcm16" : ""))
                    + integ + (prfImplied ? "" : "-prf" + prf.configName()) + "-" + group.label();
        }
    }

    /** What a child SA uses; {@code pfs} empty when the proposal has no DH (or offers NONE). */
    record ChildSuite(int number, byte[] peerSpi, EspCipher cipher, int keyBits, EspIntegrity integrity,
                      Optional<DhGroup> pfs) {
        Sa reply(byte[] ourSpi) {
            List<Transform> t = new ArrayList<>();
            EncryptionAlgorithm e = EncryptionAlgorithm.of(cipher);
            t.add(new Transform(Transform.ENCR, e.code(), e.fixedKeyBits() == 0 ? keyBits : 0));
            if (integrity != EspIntegrity.NONE) t.add(new Transform(Transform.INTEG, IntegrityAlgorithm.of(integrity).code(), 0));
            pfs.ifPresent(g -> t.add(new Transform(Transform.DH, g.code(), 0)));
            t.add(new Transform(Transform.ESN, 0, 0));
            return new Sa(List.of(new Proposal(number, Proposal.ESP, ourSpi, t)));
        }

        String describe() {
            return cipher == EspCipher.TRIPLE_DES_CBC ? "3des" : "aes" + keyBits + (cipher.aead() ? "gcm16" : "")
                    + (integrity != EspIntegrity.NONE ? "-" + integrity.configName() : "") + pfs.map(g -> "-" + g.label()).orElse("");
        }
    }

    /** The first IKE proposal we accept entirely, if any. */
    Optional<IkeSuite> chooseIke(Sa sa) {
        for (Proposal p : sa.proposals()) {
            if (p.protocol() != Proposal.IKE) continue;
            EncryptionAlgorithm cipher = null;
            int keyBits = 0;
            PrfAlgorithm prf = null;
            IntegrityAlgorithm integ = null;
            DhGroup group = null;
            boolean integNone = false;
            for (Transform t : p.transforms()) {
                switch (t.type()) {
                    case Transform.ENCR -> {
                        if (cipher == null) {
                            EncryptionAlgorithm e = EncryptionAlgorithm.of(t.id()).orElse(null);
                            if (e != null && ikeCipherAllowed(e, t.keyBits())) {
                                cipher = e;
                                keyBits = e.fixedKeyBits() != 0 ? e.fixedKeyBits() : t.keyBits();
                            }
                        }
                    }
                    case Transform.PRF -> {
                        if (prf == null) prf = PrfAlgorithm.of(t.id()).filter(this::hashAllowed).orElse(null);
                    }
                    case Transform.INTEG -> {
                        if (t.id() == 0) integNone = true;
                        else if (integ == null) integ = IntegrityAlgorithm.of(t.id()).filter(this::integrityAllowed).orElse(null);
                    }
                    case Transform.DH -> {
                        if (group == null) group = groupOf(t.id());
                    }
                    default -> {
                    }
                }
            }
            if (cipher == null || prf == null || group == null) continue;
            if (cipher.aead()) {
                // RFC 5282 section 8: with a combined-mode cipher, no integrity transform or only NONE
                boolean offeredIntegrity = p.transforms().stream().anyMatch(t -> t.type() == Transform.INTEG && t.id() != 0);
                if (offeredIntegrity && !integNone) continue;
                integ = null;
            } else if (integ == null) {
                continue;
            }
            return Optional.of(new IkeSuite(p.number(), cipher, keyBits, prf, integ, group));
        }
        return Optional.empty();
    }

    /**
     * The first ESP proposal we accept entirely; {@code requiredGroup} is the KE payload's group in a
     * CREATE_CHILD_SA with PFS (empty: the proposal must offer no DH other than NONE, as in IKE_AUTH).
     */
    Optional<ChildSuite> chooseChild(Sa sa, Optional<DhGroup> requiredGroup) {
        for (Proposal p : sa.proposals()) {
            if (p.protocol() != Proposal.ESP || p.spi().length != 4) continue;
            EspCipher cipher = null;
            int keyBits = 0;
            EspIntegrity integ = null;
            boolean integNone = false;
            boolean esnOff = false;
            boolean dhOffered = false;
            boolean dhNone = false;
            DhGroup group = null;
            for (Transform t : p.transforms()) {
                switch (t.type()) {
                    case Transform.ENCR -> {
                        if (cipher == null) {
                            EncryptionAlgorithm e = EncryptionAlgorithm.of(t.id()).orElse(null);
                            if (e != null && espCipherAllowed(e.esp(), e.fixedKeyBits() != 0 ? e.fixedKeyBits() : t.keyBits())) {
                                cipher = e.esp();
                                keyBits = e.fixedKeyBits() != 0 ? e.fixedKeyBits() : t.keyBits();
                            }
                        }
                    }
                    case Transform.INTEG -> {
                        if (t.id() == 0) integNone = true;
                        else if (integ == null) {
                            integ = IntegrityAlgorithm.of(t.id()).map(IntegrityAlgorithm::esp)
                                    .filter(settings.espIntegrity()::contains).orElse(null);
                        }
                    }
                    case Transform.ESN -> esnOff |= t.id() == 0;
                    case Transform.DH -> {
                        if (t.id() == 0) dhNone = true;
                        else {
                            dhOffered = true;
                            if (requiredGroup.isPresent() && requiredGroup.get().code() == t.id()) group = requiredGroup.get();
                        }
                    }
                    default -> {
                    }
                }
            }
            boolean esnListed = p.transforms().stream().anyMatch(t -> t.type() == Transform.ESN);
            if (cipher == null || (esnListed && !esnOff)) continue;
            if (cipher.aead()) {
                integ = EspIntegrity.NONE;
            } else if (integ == null) {
                continue;
            }
            if (requiredGroup.isPresent()) {
                if (group == null) continue;
            } else if (dhOffered && !dhNone) {
                continue;
            }
            return Optional.of(new ChildSuite(p.number(), p.spi(), cipher, keyBits, integ, Optional.ofNullable(group)));
        }
        return Optional.empty();
    }

    /** A DH group of the policy by its transform ID, or null. */
    DhGroup groupOf(int id) {
        for (DhGroup g : settings.allowedGroups()) if (g.code() == id) return g;
        return null;
    }

    /** The group we want in the KE payload when the peer's is not acceptable (INVALID_KE_PAYLOAD, section 1.2). */
    Optional<DhGroup> preferredGroup(Sa sa) {
        for (Proposal p : sa.proposals()) {
            for (Transform t : p.transforms()) {
                if (t.type() == Transform.DH) {
                    DhGroup g = groupOf(t.id());
                    if (g != null) return Optional.of(g);
                }
            }
        }
        return Optional.empty();
    }

    private boolean ikeCipherAllowed(EncryptionAlgorithm e, int keyBits) {
        return switch (e) {
            case ENCR_3DES -> settings.legacy3des();
            case ENCR_AES_CBC, ENCR_AES_GCM_16 -> settings.ikeAesKeyBits().contains(keyBits);
        };
    }

    private boolean espCipherAllowed(EspCipher c, int keyBits) {
        if (!settings.allowedEspCiphers().contains(c)) return false;
        return c == EspCipher.TRIPLE_DES_CBC || settings.espAesKeyBits().contains(keyBits);
    }

    private boolean hashAllowed(PrfAlgorithm prf) {
        for (IkeHash h : settings.ikeHashes()) if (h.label().equals(prf.configName())) return true;
        return false;
    }

    private boolean integrityAllowed(IntegrityAlgorithm a) {
        for (IkeHash h : settings.ikeHashes()) if (h.label().equals(a.esp().configName())) return true;
        return false;
    }
}
