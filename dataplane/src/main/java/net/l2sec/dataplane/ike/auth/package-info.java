/**
 * Certificate authentication for IKEv1 Main Mode (RFC 2409 section 5.1): our credentials and the trust anchors
 * ({@code CertificateAuth}, loaded from PEM files by {@code PemFiles}), validation of a peer's chain and
 * identity ({@code PeerValidation}), and IKEv1 RSA signatures ({@code RsaSignature}).
 */
package net.l2sec.dataplane.ike.auth;
