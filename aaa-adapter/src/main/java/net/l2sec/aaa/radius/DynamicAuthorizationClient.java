package net.l2sec.aaa.radius;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;

/** A Dynamic Authorization Client (RFC 5176 section 1.3) allowed to send us Disconnect and CoA requests. */
public record DynamicAuthorizationClient(InetAddress address, byte[] secret) {
    public DynamicAuthorizationClient {
        if (address == null) throw new IllegalArgumentException("address");
        if (secret == null || secret.length == 0) throw new IllegalArgumentException("empty secret for " + address.getHostAddress());
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
