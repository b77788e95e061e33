package net.l2sec.spi.auth;

/** RFC 1334 section 2.2.1: Peer-ID and Password from an Authenticate-Request. */
public record PapCredentials(String user, byte[] password) implements Credentials {
    public PapCredentials {
        password = password.clone();
    }

    @Override
    public byte[] password() {
        return password.clone();
    }

    @Override
    public String toString() {
        return "PapCredentials[user=" + user + ", password=<redacted>]";
    }
}
