package net.l2sec.spi.auth;

import java.security.MessageDigest;
import java.util.Optional;

/**
 * RFC 2759 section 4 Response packet contents, with the Authenticator Challenge we sent.
 *
 * @param user                   the Name field (may carry a DOMAIN\ prefix, which RFC 2759 section 8.2 strips
 *                               for the challenge hash; {@link #userNameForHash()} does that)
 * @param authenticatorChallenge our 16-octet challenge
 * @param peerChallenge          the peer's 16-octet challenge
 * @param ntResponse             the 24-octet NT-Response
 */
public record MsChapV2Credentials(String user, byte[] authenticatorChallenge, byte[] peerChallenge, byte[] ntResponse)
        implements Credentials {
    public MsChapV2Credentials {
        if (authenticatorChallenge.length != 16 || peerChallenge.length != 16 || ntResponse.length != 24) {
            throw new IllegalArgumentException("MS-CHAPv2 challenge/response of wrong length");
        }
        authenticatorChallenge = authenticatorChallenge.clone();
        peerChallenge = peerChallenge.clone();
        ntResponse = ntResponse.clone();
    }

    @Override
    public byte[] authenticatorChallenge() {
        return authenticatorChallenge.clone();
    }

    @Override
    public byte[] peerChallenge() {
        return peerChallenge.clone();
    }

    @Override
    public byte[] ntResponse() {
        return ntResponse.clone();
    }

    /** RFC 2759 section 8.2 ChallengeHash uses the user name without any domain prefix. */
    public String userNameForHash() {
        int slash = user.lastIndexOf('\\');
        return slash >= 0 ? user.substring(slash + 1) : user;
    }

    /**
     * Verifies the NT-Response against the stored NT password hash (MD4 of the UTF-16LE password) in constant
     * time, and on success returns the 20-octet AuthenticatorResponse (RFC 2759 section 8.7) to send back.
     */
    public Optional<byte[]> verify(byte[] ntPasswordHash) {
        byte[] expected = MsChapV2.generateNtResponse(authenticatorChallenge, peerChallenge, userNameForHash(), ntPasswordHash);
        if (!MessageDigest.isEqual(expected, ntResponse)) return Optional.empty();
        return Optional.of(MsChapV2.generateAuthenticatorResponse(ntPasswordHash, ntResponse, peerChallenge,
                authenticatorChallenge, userNameForHash()));
    }

    @Override
    public String toString() {
        return "MsChapV2Credentials[user=" + user + ", ntResponse=<redacted>]";
    }
}
