package net.l2sec.aaa.radius;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;

/**
 * A Dynamic Authorization Client (RFC 5176 section 1.3) allowed to send us Disconnect and CoA requests.
 *
 * @param secret at least {@value #MIN_SECRET_LENGTH} octets: whoever learns it can end every session, and the
 *               Request Authenticator of one captured request is enough to guess a short one offline (RFC 5176
 *               section 6.1, RFC 2865 section 3 recommends at least 16 octets)
 */
public record DynamicAuthorizationClient(InetAddress address, byte[] secret) {
    public static final int MIN_SECRET_LENGTH = 16;

    public DynamicAuthorizationClient {
        if (address == null) throw new IllegalArgumentException("address");
        if (secret == null || secret.length < MIN_SECRET_LENGTH) {
            throw new IllegalArgumentException("the secret for " + address.getHostAddress() + " is shorter than "
                    + MIN_SECRET_LENGTH + " octets");
        }
        secret = secret.clone();
    }

    public DynamicAuthorizationClient(InetAddress address, String secret) {
        this(address, secret.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public byte[] secret() {
        return secret.clone();
    }

    @Override
    public String toString() {
        return "DynamicAuthorizationClient[address=" + address.getHostAddress() + ", secret=<redacted>]";
    }
}
