package net.l2sec.loadgen.ppp;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.random.RandomGenerator;
import net.l2sec.dataplane.ppp.auth.ChapPacket;
import net.l2sec.spi.auth.MsChapV2;

/**
 * MS-CHAPv2, the authenticating peer (RFC 2759): answers each Challenge with a Response (section 4) and checks the
 * authenticator response in the Success packet (section 5), so a server that does not know the password fails
 * too. The computations are the SPI's {@link MsChapV2} (RFC 2759 section 8).
 */
final class MsChapV2Peer {
    private static final int CHALLENGE_LENGTH = 16;
    private final String user;
    private final byte[] passwordHash;
    private final RandomGenerator random;
    private byte[] expectedSuccess;
    private byte[] lastChallenge;
    private ChapPacket.Response lastResponse;

    MsChapV2Peer(String user, String password, RandomGenerator random) {
        this.user = user;
        this.passwordHash = MsChapV2.ntPasswordHash(password);
        this.random = random;
    }

    /**
     * The Response to {@code challenge}: Value = Peer-Challenge (16) | Reserved (8 zero octets) | NT-Response (24)
     * | Flags (0) (section 4), Name = our user name. Null when the challenge is not 16 octets.
     */
    ChapPacket.Response respond(ChapPacket.Challenge challenge) {
        byte[] authenticatorChallenge = challenge.value();
        if (authenticatorChallenge.length != CHALLENGE_LENGTH) return null;
        // a retransmitted Challenge (same identifier and value; the server's restart timer ran out while our
        // Response was on its way or in its queue) gets the same Response: a new Peer-Challenge would make the
        // Success the server sends for the first Response look wrong to us
        if (lastResponse != null && lastResponse.identifier() == challenge.identifier()
                && Arrays.equals(lastChallenge, authenticatorChallenge)) {
            return lastResponse;
        }
        byte[] peerChallenge = new byte[CHALLENGE_LENGTH];
        random.nextBytes(peerChallenge);
        byte[] ntResponse = MsChapV2.generateNtResponse(authenticatorChallenge, peerChallenge, user, passwordHash);
        byte[] value = new byte[49];
        System.arraycopy(peerChallenge, 0, value, 0, 16);
        System.arraycopy(ntResponse, 0, value, 24, 24);
        expectedSuccess = MsChapV2.authenticatorResponseString(MsChapV2.generateAuthenticatorResponse(passwordHash,
                ntResponse, peerChallenge, authenticatorChallenge, user)).getBytes(StandardCharsets.US_ASCII);
        lastChallenge = authenticatorChallenge.clone();
        lastResponse = new ChapPacket.Response(challenge.identifier(), value, user.getBytes(StandardCharsets.UTF_8));
        return lastResponse;
    }

    /** Whether the Success message starts with the authenticator response we expect ("S=" and 40 hex digits). */
    boolean verify(ChapPacket.Success success) {
        if (expectedSuccess == null) return false;
        byte[] got = success.message().getBytes(StandardCharsets.US_ASCII);
        if (got.length < expectedSuccess.length) return false;
        return Arrays.equals(upper(Arrays.copyOf(got, expectedSuccess.length)), expectedSuccess);
    }

    /** The reason a progress line shows for a Failure packet: {@code mschapv2_691} from "E=691 R=0 ...". */
    static String failureReason(ChapPacket.Failure f) {
        String m = f.message();
        if (m.startsWith("E=")) {
            int end = 2;
            while (end < m.length() && Character.isDigit(m.charAt(end))) end++;
            if (end > 2) return "mschapv2_" + m.substring(2, end);
        }
        return "mschapv2_failure";
    }

    private static byte[] upper(byte[] b) {
        for (int i = 0; i < b.length; i++) if (b[i] >= 'a' && b[i] <= 'f') b[i] -= 32;
        return b;
    }
}
