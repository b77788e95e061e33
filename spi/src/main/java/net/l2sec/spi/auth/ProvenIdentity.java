package net.l2sec.spi.auth;

/**
 * An identity IKE has already authenticated: an IKEv2 client's AUTH payload verified with the pre-shared key
 * ({@link AuthMethod#IKEV2_PSK}) or with a trusted certificate that names the identity
 * ({@link AuthMethod#IKEV2_CERTIFICATE}). There is no secret to check: a backend that knows {@code user} authorizes
 * it (an enabled local user, a directory entry, and their groups); a backend that cannot authorize without a secret
 * (RADIUS) answers {@link RejectReason#METHOD_UNSUPPORTED}.
 *
 * @param user     the user name taken from the client's identity (the certificate's or the IDi's name)
 * @param evidence what proved it, for the log: e.g. {@code certificate CN=alice issued by CN=Corp CA serial 1f}
 */
public record ProvenIdentity(String user, String evidence) implements Credentials {}
