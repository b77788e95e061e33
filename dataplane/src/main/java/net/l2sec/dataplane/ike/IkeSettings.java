package net.l2sec.dataplane.ike;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import net.l2sec.dataplane.ike.auth.CertificateAuth;
import net.l2sec.dataplane.ike.keymat.DhGroup;
import net.l2sec.dataplane.ike.keymat.IkeHash;
import net.l2sec.dataplane.ipsec.EspCipher;
import net.l2sec.dataplane.ipsec.EspIntegrity;

/**
 * Policy of the IKEv1 responder.
 *
 * @param psk                  the pre-shared key; without one every PSK Main Mode fails authentication
 * @param ikeAesKeyBits        AES-CBC key sizes allowed in phase 1
 * @param ikeHashes            phase-1 hash (and PRF) algorithms
 * @param ikeGroups            DH groups for phase 1 and for PFS; MODP1024 only with {@code legacyModp1024}
 * @param espCiphers           ESP ciphers (TRIPLE_DES_CBC only with {@code legacy3des})
 * @param espAesKeyBits        AES key sizes for ESP (CBC and GCM)
 * @param espIntegrity         ESP integrity algorithms for non-AEAD ciphers
 * @param legacy3des           also allow 3DES in phase 1 and ESP
 * @param legacyModp1024       also allow MODP1024 (group 2) in phase 1 and for PFS; Windows proposes it
 * @param ikeLifetimeMax       upper bound of the ISAKMP SA lifetime; the client's shorter lifetime wins
 * @param childLifetimeMax     upper bound of an ESP SA's lifetime
 * @param dpdDelay             idle time before an R-U-THERE probe to a peer that announced DPD; zero disables probing
 * @param dpdMaxProbes         unanswered probes after which the peer is declared dead
 * @param localId              our identity in ID_R: an IPv4 literal (ID_IPV4_ADDR) or an FQDN; empty: our local address
 * @param halfOpenLimit        phase 1s in progress that hold keying material at once: Main Modes after message 3,
 *                             Aggressive Modes after message 1 ({@link HalfOpen} bounds the Main Modes before)
 * @param halfOpenTimeout      how long a Main Mode may take
 * @param newSasPerSourcePerSecond new Main Modes accepted per source address and second
 * @param aggressiveMode       accept Aggressive Mode with pre-shared keys (RFC 2409 section 5.4); default false:
 *                             refused and counted, since its message 2 exposes a hash of the PSK to offline guessing
 * @param pskAuth              accept Main Mode proposals with pre-shared key authentication (auth method 1);
 *                             default true
 * @param certificates         if present, our certificate and the client CAs: IKEv2 signs with it (RSA or ECDSA);
 *                             IKEv1 accepts RSA signature authentication (auth method 3) with these credentials,
 *                             trust anchors and peer-identity rules (RFC 2409 section 5.1) only when they
 *                             {@linkplain CertificateAuth#servesIkev1() serve IKEv1} ({@link #ikev1Certificates()});
 *                             default empty (certificates off). Load them with {@code ike.auth.PemFiles.load(chain,
 *                             key, cas)}. At least one of {@code pskAuth} and {@code certificates} must be enabled.
 * @param fragmentation        IKEv1 fragmentation (the FRAGMENTATION vendor ID); see {@link Fragmentation}
 * @param halfOpen             the bounds of Main Modes answered with message 2 whose message 3 has not come; see
 *                             {@link HalfOpen}
 */
public record IkeSettings(Optional<byte[]> psk, List<Integer> ikeAesKeyBits, List<IkeHash> ikeHashes,
                          List<DhGroup> ikeGroups, List<EspCipher> espCiphers, List<Integer> espAesKeyBits,
                          List<EspIntegrity> espIntegrity, boolean legacy3des, boolean legacyModp1024,
                          Duration ikeLifetimeMax, Duration childLifetimeMax, Duration dpdDelay, int dpdMaxProbes,
                          Optional<String> localId, int halfOpenLimit, Duration halfOpenTimeout,
                          int newSasPerSourcePerSecond, boolean aggressiveMode, boolean pskAuth,
                          Optional<CertificateAuth> certificates, Fragmentation fragmentation, HalfOpen halfOpen) {

    /**
     * The Main Modes that message 1 opened and message 3 has not yet continued: nothing is computed for them
     * and they hold a few hundred octets each ({@code HalfOpenTable}), within these bounds. A new one beyond
     * {@code maxBytes} replaces the oldest; one beyond {@code perSource} from one address replaces that address's
     * oldest. Neither refuses a new client.
     *
     * @param maxBytes  the memory all of them may take, in octets (entries are accounted at their heap size); default
     *                  32 MiB, at least 1 MiB
     * @param perSource how many one source address may hold at once; default 64
     */
    public record HalfOpen(long maxBytes, int perSource) {
        public static final long MIB = 1L << 20;

        public HalfOpen {
            if (maxBytes < MIB || perSource < 1) throw new IllegalArgumentException("half-open bounds out of range");
        }

        public static HalfOpen defaults() {
            return new HalfOpen(32 * MIB, 64);
        }
    }

    /**
     * IKEv1 fragmentation as Windows and strongSwan do it (payload type 132, MS-IKEE section 2.2.3.1).
     *
     * @param enabled            echo the peer's FRAGMENTATION vendor ID, reassemble fragments, fragment our large
     *                           messages to a peer that announced it; default true
     * @param maxDatagram        the largest IP datagram we send an IKE message in (IP and UDP headers included);
     *                           larger messages go fragmented; default 576, as Windows does for IPv4
     * @param maxFragments       fragments of one message we accept; default 16
     * @param maxMessageSize     the largest reassembled message we accept, in octets; default 16384
     * @param reassemblyTimeout  how long the fragments of one message may take to arrive; default 5 s
     */
    public record Fragmentation(boolean enabled, int maxDatagram, int maxFragments, int maxMessageSize,
                                Duration reassemblyTimeout) {
        public Fragmentation {
            if (maxDatagram < 576 || maxDatagram > 65535 || maxFragments < 1 || maxFragments > 255 || maxMessageSize < 1) {
                throw new IllegalArgumentException("fragmentation limits out of range");
            }
            if (!reassemblyTimeout.isPositive()) throw new IllegalArgumentException("reassembly timeout must be positive");
        }

        public static Fragmentation defaults() {
            return new Fragmentation(true, 576, 16, 16384, Duration.ofSeconds(5));
        }
    }

    /**
     * The certificate credentials IKEv1 uses: present only with an RSA key and client CAs (an EC key, or no
     * ca-file, leaves IKEv1 with the PSK; the certificate then serves IKEv2 alone).
     */
    public Optional<CertificateAuth> ikev1Certificates() {
        return certificates.filter(CertificateAuth::servesIkev1);
    }

    public IkeSettings {
        if (!pskAuth && certificates.isEmpty()) throw new IllegalArgumentException("neither PSK nor certificates enabled");
        psk = psk.map(byte[]::clone);
        if (psk.isPresent() && psk.get().length == 0) throw new IllegalArgumentException("empty pre-shared key");
        if (halfOpenLimit < 1 || newSasPerSourcePerSecond < 1 || dpdMaxProbes < 1) {
            throw new IllegalArgumentException("limits must be positive");
        }
        if (!ikeLifetimeMax.isPositive() || !childLifetimeMax.isPositive() || !halfOpenTimeout.isPositive()
                || dpdDelay.isNegative()) {
            throw new IllegalArgumentException("durations must be positive (dpdDelay zero disables probing)");
        }
        ikeAesKeyBits = List.copyOf(ikeAesKeyBits);
        ikeHashes = List.copyOf(ikeHashes);
        ikeGroups = List.copyOf(ikeGroups);
        espCiphers = List.copyOf(espCiphers);
        espAesKeyBits = List.copyOf(espAesKeyBits);
        espIntegrity = List.copyOf(espIntegrity);
    }

    /**
     * The responder's baseline, for tests and benchmarks: AES only, SHA-1/SHA-2, MODP2048/ECP256/ECP384, no legacy
     * algorithms, no PSK, PSK authentication only (certificates off), fragmentation on. The concentrator's
     * defaults are those of its {@code ipsec} config section (documented in conf/concentrator.yaml); of these it
     * takes only {@link #halfOpenTimeout()}, which is not configurable.
     */
    public static IkeSettings defaults() {
        return new IkeSettings(Optional.empty(), List.of(128, 256),
                List.of(IkeHash.SHA1, IkeHash.SHA2_256, IkeHash.SHA2_384, IkeHash.SHA2_512),
                List.of(DhGroup.MODP2048, DhGroup.ECP256, DhGroup.ECP384),
                List.of(EspCipher.AES_CBC, EspCipher.AES_GCM_16), List.of(128, 256),
                List.of(EspIntegrity.HMAC_SHA1_96, EspIntegrity.HMAC_SHA2_256_128, EspIntegrity.HMAC_SHA2_384_192,
                        EspIntegrity.HMAC_SHA2_512_256),
                false, false, Duration.ofHours(24), Duration.ofHours(8), Duration.ofSeconds(30), 5, Optional.empty(),
                1024, Duration.ofSeconds(30), 20, false, true, Optional.empty(), Fragmentation.defaults(),
                HalfOpen.defaults());
    }

    public IkeSettings withPsk(byte[] key) {
        return new IkeSettings(Optional.of(key), ikeAesKeyBits, ikeHashes, ikeGroups, espCiphers, espAesKeyBits,
                espIntegrity, legacy3des, legacyModp1024, ikeLifetimeMax, childLifetimeMax, dpdDelay, dpdMaxProbes,
                localId, halfOpenLimit, halfOpenTimeout, newSasPerSourcePerSecond, aggressiveMode, pskAuth, certificates,
                fragmentation, halfOpen);
    }

    /** Certificate authentication on with {@code auth}; PSK authentication too if {@code alsoPsk}. */
    public IkeSettings withCertificates(CertificateAuth auth, boolean alsoPsk) {
        return new IkeSettings(this.psk, ikeAesKeyBits, ikeHashes, ikeGroups, espCiphers, espAesKeyBits, espIntegrity,
                legacy3des, legacyModp1024, ikeLifetimeMax, childLifetimeMax, dpdDelay, dpdMaxProbes, localId,
                halfOpenLimit, halfOpenTimeout, newSasPerSourcePerSecond, aggressiveMode, alsoPsk, Optional.of(auth),
                fragmentation, halfOpen);
    }

    public IkeSettings withFragmentation(Fragmentation f) {
        return new IkeSettings(psk, ikeAesKeyBits, ikeHashes, ikeGroups, espCiphers, espAesKeyBits, espIntegrity,
                legacy3des, legacyModp1024, ikeLifetimeMax, childLifetimeMax, dpdDelay, dpdMaxProbes, localId,
                halfOpenLimit, halfOpenTimeout, newSasPerSourcePerSecond, aggressiveMode, pskAuth, certificates, f,
                halfOpen);
    }

    public IkeSettings withLegacy(boolean threeDes, boolean modp1024) {
        return new IkeSettings(psk, ikeAesKeyBits, ikeHashes, ikeGroups, espCiphers, espAesKeyBits, espIntegrity,
                threeDes, modp1024, ikeLifetimeMax, childLifetimeMax, dpdDelay, dpdMaxProbes, localId, halfOpenLimit,
                halfOpenTimeout, newSasPerSourcePerSecond, aggressiveMode, pskAuth, certificates, fragmentation, halfOpen);
    }

    /** Aggressive Mode (PSK only) accepted or refused; it exposes a hash of the PSK to offline guessing. */
    public IkeSettings withAggressiveMode(boolean on) {
        return new IkeSettings(psk, ikeAesKeyBits, ikeHashes, ikeGroups, espCiphers, espAesKeyBits, espIntegrity,
                legacy3des, legacyModp1024, ikeLifetimeMax, childLifetimeMax, dpdDelay, dpdMaxProbes, localId,
                halfOpenLimit, halfOpenTimeout, newSasPerSourcePerSecond, on, pskAuth, certificates, fragmentation, halfOpen);
    }

    public IkeSettings withLimits(int halfOpen, int perSourcePerSecond) {
        return new IkeSettings(psk, ikeAesKeyBits, ikeHashes, ikeGroups, espCiphers, espAesKeyBits, espIntegrity,
                legacy3des, legacyModp1024, ikeLifetimeMax, childLifetimeMax, dpdDelay, dpdMaxProbes, localId,
                halfOpen, halfOpenTimeout, perSourcePerSecond, aggressiveMode, pskAuth, certificates, fragmentation,
                this.halfOpen);
    }

    /** The bounds of Main Modes between message 1 and message 3. */
    public IkeSettings withHalfOpen(HalfOpen bounds) {
        return new IkeSettings(psk, ikeAesKeyBits, ikeHashes, ikeGroups, espCiphers, espAesKeyBits, espIntegrity,
                legacy3des, legacyModp1024, ikeLifetimeMax, childLifetimeMax, dpdDelay, dpdMaxProbes, localId,
                halfOpenLimit, halfOpenTimeout, newSasPerSourcePerSecond, aggressiveMode, pskAuth, certificates,
                fragmentation, bounds);
    }

    /** Phase-1 and PFS groups in effect (the legacy switch adds MODP1024). */
    public List<DhGroup> allowedGroups() {
        List<DhGroup> g = new ArrayList<>(ikeGroups);
        if (!legacyModp1024) g.remove(DhGroup.MODP1024);
        else if (!g.contains(DhGroup.MODP1024)) g.add(DhGroup.MODP1024);
        return g;
    }

    /** ESP ciphers in effect (the legacy switch adds 3DES). */
    public List<EspCipher> allowedEspCiphers() {
        List<EspCipher> c = new ArrayList<>(espCiphers);
        if (!legacy3des) c.remove(EspCipher.TRIPLE_DES_CBC);
        else if (!c.contains(EspCipher.TRIPLE_DES_CBC)) c.add(EspCipher.TRIPLE_DES_CBC);
        return c;
    }

    /** Equal settings: the pre-shared key compares by its octets, everything else as a record does. */
    @Override
    public boolean equals(Object o) {
        return o instanceof IkeSettings s && Arrays.equals(psk.orElse(null), s.psk.orElse(null))
                && ikeAesKeyBits.equals(s.ikeAesKeyBits) && ikeHashes.equals(s.ikeHashes) && ikeGroups.equals(s.ikeGroups)
                && espCiphers.equals(s.espCiphers) && espAesKeyBits.equals(s.espAesKeyBits)
                && espIntegrity.equals(s.espIntegrity) && legacy3des == s.legacy3des && legacyModp1024 == s.legacyModp1024
                && ikeLifetimeMax.equals(s.ikeLifetimeMax) && childLifetimeMax.equals(s.childLifetimeMax)
                && dpdDelay.equals(s.dpdDelay) && dpdMaxProbes == s.dpdMaxProbes && localId.equals(s.localId)
                && halfOpenLimit == s.halfOpenLimit && halfOpenTimeout.equals(s.halfOpenTimeout)
                && newSasPerSourcePerSecond == s.newSasPerSourcePerSecond && aggressiveMode == s.aggressiveMode
                && pskAuth == s.pskAuth && certificates.equals(s.certificates) && fragmentation.equals(s.fragmentation)
                && halfOpen.equals(s.halfOpen);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(psk.orElse(null)), ikeAesKeyBits, ikeHashes, ikeGroups, espCiphers,
                espAesKeyBits, espIntegrity, legacy3des, legacyModp1024, ikeLifetimeMax, childLifetimeMax, dpdDelay,
                dpdMaxProbes, localId, halfOpenLimit, halfOpenTimeout, newSasPerSourcePerSecond, aggressiveMode, pskAuth,
                certificates, fragmentation, halfOpen);
    }

    @Override
    public String toString() {
        return "IkeSettings[psk=" + (psk.isPresent() ? "<set>" : "<none>") + " ike=aes" + ikeAesKeyBits
                + (legacy3des ? "|3des" : "") + " x " + ikeHashes.stream().map(IkeHash::label).toList() + " x "
                + allowedGroups().stream().map(DhGroup::label).toList() + " esp=" + allowedEspCiphers() + espAesKeyBits
                + " x " + espIntegrity + " ikeLifetimeMax=" + ikeLifetimeMax + " childLifetimeMax=" + childLifetimeMax
                + " dpd=" + dpdDelay + "x" + dpdMaxProbes + " localId=" + localId.orElse("<address>") + " halfOpen="
                + halfOpenLimit + "/" + halfOpenTimeout + " message1=" + halfOpen.maxBytes() / HalfOpen.MIB + "MiB,"
                + halfOpen.perSource() + "/source rate=" + newSasPerSourcePerSecond + "/s aggressive="
                + aggressiveMode + " auth=" + (pskAuth ? "psk" : "") + (pskAuth && certificates.isPresent() ? "|" : "")
                + certificates.map(CertificateAuth::toString).orElse("") + " fragmentation="
                + (fragmentation.enabled() ? fragmentation.maxDatagram() + "/" + fragmentation.maxFragments() + "x/"
                + fragmentation.maxMessageSize() + "/" + fragmentation.reassemblyTimeout() : "off") + "]";
    }
}
