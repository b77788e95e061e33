package net.l2sec.aaa.local;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import net.l2sec.spi.auth.AuthMethod;
import net.l2sec.spi.auth.MsChapV2;

/**
 * A user's secret in one of the forms {@code conf/users} can hold, and which PPP methods each form can verify.
 * CHAP-MD5 needs the cleartext; MS-CHAPv2 needs the cleartext or the NT hash; a salted slow hash can check a
 * cleartext password (PAP) only. {@code toString()} never shows secret material.
 */
sealed interface StoredSecret {

    /** The {@code scheme} word in the file. */
    String scheme();

    /** The methods this form can verify. */
    Set<AuthMethod> methods();

    /** Constant-time check of a cleartext password (PAP). */
    boolean matchesPassword(byte[] password);

    /**
     * Deliberately slow to check (a key-derivation function): its checks go through the {@link VerificationLimit}
     * so that a flood of logins cannot take every processor.
     */
    default boolean slow() {
        return false;
    }

    /** {@code plain:<password>}: the cleartext, the only form CHAP-MD5 and EAP-MD5 can use. */
    record Plain(byte[] password) implements StoredSecret {
        public Plain {
            password = password.clone();
        }

        @Override
        public String scheme() {
            return "plain";
        }

        @Override
        public Set<AuthMethod> methods() {
            return AuthMethod.pppMethods();
        }

        @Override
        public boolean matchesPassword(byte[] given) {
            return MessageDigest.isEqual(given, password);
        }

        /** RFC 2759 section 8.3 NtPasswordHash of the stored cleartext. */
        byte[] ntHash() {
            return MsChapV2.ntPasswordHash(new String(password, StandardCharsets.UTF_8));
        }

        @Override
        public String toString() {
            return "Plain[<redacted>]";
        }
    }

    /** {@code nt:<32 hex>}: MD4 of the UTF-16LE password (RFC 2759 section 8.3), as Windows and Samba store it. */
    record NtHash(byte[] hash) implements StoredSecret {
        public NtHash {
            if (hash.length != 16) throw new IllegalArgumentException("NT hash must be 16 octets");
            hash = hash.clone();
        }

        @Override
        public String scheme() {
            return "nt";
        }

        @Override
        public Set<AuthMethod> methods() {
            return EnumSet.of(AuthMethod.PAP, AuthMethod.MSCHAPV2, AuthMethod.EAP_MSCHAPV2);
        }

        @Override
        public boolean matchesPassword(byte[] given) {
            return MessageDigest.isEqual(MsChapV2.ntPasswordHash(new String(given, StandardCharsets.UTF_8)), hash);
        }

        @Override
        public String toString() {
            return "NtHash[<redacted>]";
        }
    }

    /** {@code pbkdf2-sha256:<iterations>:<salt b64>:<hash b64>}: PBKDF2-HMAC-SHA256 (RFC 8018 section 5.2). */
    record Pbkdf2Sha256(int iterations, byte[] salt, byte[] hash) implements StoredSecret {
        public Pbkdf2Sha256 {
            salt = salt.clone();
            hash = hash.clone();
        }

        @Override
        public String scheme() {
            return "pbkdf2-sha256";
        }

        @Override
        public Set<AuthMethod> methods() {
            return EnumSet.of(AuthMethod.PAP);
        }

        @Override
        public boolean matchesPassword(byte[] given) {
            return MessageDigest.isEqual(derive(given, salt, iterations, hash.length), hash);
        }

        @Override
        public boolean slow() {
            return true;
        }

        static byte[] derive(byte[] password, byte[] salt, int iterations, int length) {
            char[] chars = new String(password, StandardCharsets.UTF_8).toCharArray();
            PBEKeySpec spec = new PBEKeySpec(chars, salt, iterations, length * 8);
            try {
                return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("PBKDF2WithHmacSHA256 missing from the JCE", e);
            } finally {
                spec.clearPassword();
                Arrays.fill(chars, '\0');
            }
        }

        @Override
        public String toString() {
            return "Pbkdf2Sha256[iterations=" + iterations + ", <redacted>]";
        }
    }
}
