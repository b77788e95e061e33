package net.l2sec.dataplane.esp;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

/**
 * Unpredictable CBC IVs (RFC 3602 section 3: "The IV MUST be chosen at random, and MUST be unpredictable") without
 * a {@link SecureRandom} draw per packet: the i-th IV of an SA is {@code AES-128_k'(i)}, the encryption of a
 * counter under an IV key {@code k'} drawn once per SA from a {@code SecureRandom} and used for nothing else. This
 * is the first method of NIST SP 800-38A Appendix C ("apply the forward cipher function ... to a nonce"; the
 * counter is the nonce, unique per SA), there under the data key, here under a separate random key so that no IV
 * is ever a block the data key has also produced. Without {@code k'} the IVs are indistinguishable from random, as
 * the RFC asks. Blocks are computed {@value #BATCH} at a time (one JCE call per 4 KiB of IVs); a 3DES SA takes the
 * first 8 octets of each. Confined to the SA's thread.
 */
final class CbcIvGenerator implements CbcTransform.IvSource {
    static final int BLOCK = 16;
    static final int BATCH = 256;

    private final byte[] key = new byte[BLOCK];
    private final Cipher cipher;
    private final byte[] counters = new byte[BATCH * BLOCK];
    private final byte[] ivs = new byte[BATCH * BLOCK];
    private long counter;
    private int next = BATCH;

    CbcIvGenerator(SecureRandom random) {
        random.nextBytes(key);
        try {
            cipher = Cipher.getInstance("AES/ECB/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES unavailable", e);
        }
    }

    @Override
    public void nextIv(byte[] iv) {
        if (next == BATCH) refill();
        System.arraycopy(ivs, next * BLOCK, iv, 0, iv.length);
        Arrays.fill(ivs, next * BLOCK, next * BLOCK + BLOCK, (byte) 0); // an IV handed out is not kept
        next++;
    }

    /** The next {@value #BATCH} counter blocks (8 zero octets, the 64-bit counter) encrypted under {@code k'}. */
    private void refill() {
        for (int i = 0; i < BATCH; i++) {
            long c = counter++;
            for (int j = 0; j < 8; j++) counters[i * BLOCK + 8 + j] = (byte) (c >>> (56 - 8 * j));
        }
        try {
            cipher.doFinal(counters, 0, counters.length, ivs, 0);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-ECB failed", e); // whole blocks: cannot happen
        }
        next = 0;
    }

    /** Overwrites the IV key and the IVs not yet handed out. */
    void wipe() {
        Arrays.fill(key, (byte) 0);
        Arrays.fill(ivs, (byte) 0);
        next = BATCH;
    }
}
