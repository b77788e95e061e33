package net.l2sec.dataplane.ipsec;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;

/**
 * A pair of transport-mode ESP SAs agreed in one Quick Mode, as IKE hands it to ESP.
 *
 * @param ikeSaTag       the IKE SA's log tag (e.g. {@code ike=3f2a...}) for correlated logs
 * @param peer           the peer's outer address and port; with UDP encapsulation always its UDP/4500 NAT mapping
 * @param local          our outer address and port (UDP/4500)
 * @param inboundSpi     the SPI we chose: the peer sends with it
 * @param outboundSpi    the SPI the peer chose: we send with it
 * @param cipher         encryption transform
 * @param keyBits        encryption key length in bits (without GCM's salt)
 * @param integrity      integrity transform ({@link EspIntegrity#NONE} with AEAD)
 * @param inboundKeymat  KEYMAT for the inbound SA: encryption key (and GCM salt) first, then integrity key
 *                       (RFC 2409 section 5.5; RFC 4106 section 8.1 for the salt)
 * @param outboundKeymat KEYMAT for the outbound SA, same layout
 * @param lifetime       hard lifetime in time (the peer rekeys before it; ESP deletes the SA when it passes)
 * @param lifetimeBytes  hard lifetime in octets, 0 for none
 * @param peerL2tpPort   the peer's UDP source port for L2TP inside the SA (usually 1701) from its Quick Mode ID
 */
public record ChildSaSpec(String ikeSaTag, InetSocketAddress peer, InetSocketAddress local, int inboundSpi,
                          int outboundSpi, EspCipher cipher, int keyBits, EspIntegrity integrity,
                          byte[] inboundKeymat, byte[] outboundKeymat, Duration lifetime, long lifetimeBytes,
                          int peerL2tpPort) {

    /** Overwrites the key material; ESP calls this once it has built its keys. */
    public void wipe() {
        Arrays.fill(inboundKeymat, (byte) 0);
        Arrays.fill(outboundKeymat, (byte) 0);
    }

    @Override
    public String toString() {
        return "ChildSaSpec[" + ikeSaTag + " peer=" + peer + " spi-in=" + Integer.toHexString(inboundSpi) + " spi-out="
                + Integer.toHexString(outboundSpi) + " " + cipher + "/" + keyBits + " " + integrity + "]";
    }
}
