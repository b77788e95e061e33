/**
 * RFC 3748 EAP, authenticator side, independent of the lower layer that carries it: {@link
 * net.l2sec.dataplane.auth.eap.EapAuthenticator} runs Identity, EAP-MSCHAPv2 (draft-kamath-pppext-eap-mschapv2),
 * EAP-MD5-Challenge and Nak locally against the {@code Authenticator} SPI, or relays every Response to a backend that
 * runs the method itself (RADIUS EAP pass-through, RFC 3579). It exchanges whole EAP packets as octets with its
 * host, which carries them (IKEv2 EAP payloads, RFC 7296 section 3.16) and retransmits them: EAP here has no timer
 * (RFC 3748 section 4.3 leaves retransmission to a reliable lower layer). {@link
 * net.l2sec.dataplane.auth.eap.EapCodec} turns octets into {@link net.l2sec.dataplane.auth.eap.EapPacket} records and
 * back. Nothing here depends on PPP.
 */
package net.l2sec.dataplane.auth.eap;
