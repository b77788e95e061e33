package net.l2sec.concentrator.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Optional;
import java.util.Set;

/**
 * The check every file holding a secret passes before it is read, at start and at every reload: only its owner may
 * read or write it (the pre-shared key, the local users, RADIUS and Disconnect/CoA shared secrets, the LDAP bind
 * password, the L2TP tunnel secret, the admin token). A secret readable by group or others is one every local
 * account can use; one writable by them lets any of them add a user or change a key. Refused with the file, its mode
 * and the fix, e.g. {@code /etc/l2sec/ipsec.psk is readable by group/others (mode 0644): chmod 600 it}.
 */
final class SecretFilePermissions {
    private SecretFilePermissions() {}

    /**
     * Why {@code file} must not be used as it is; empty when only its owner may read or write it. Also empty when
     * its permissions cannot be read (no such file, a file system without POSIX permissions): reading it then
     * reports what is wrong.
     */
    static Optional<String> exposure(Path file) {
        Set<PosixFilePermission> p;
        try {
            p = Files.getPosixFilePermissions(file);
        } catch (UnsupportedOperationException | IOException e) {
            return Optional.empty();
        }
        boolean readable = p.contains(PosixFilePermission.GROUP_READ) || p.contains(PosixFilePermission.OTHERS_READ);
        boolean writable = p.contains(PosixFilePermission.GROUP_WRITE) || p.contains(PosixFilePermission.OTHERS_WRITE);
        if (!readable && !writable) return Optional.empty();
        String how = readable && writable ? "readable and writable" : readable ? "readable" : "writable";
        return Optional.of(file + " is " + how + " by group/others (mode " + mode(p) + "): chmod 600 it");
    }

    /** The permission bits as chmod writes them, e.g. {@code 0644}. */
    static String mode(Set<PosixFilePermission> permissions) {
        int bits = 0;
        for (PosixFilePermission p : permissions) bits |= 1 << (8 - p.ordinal()); // OWNER_READ (0) is 0400 ... OTHERS_EXECUTE (8) is 0001
        return String.format("%04o", bits);
    }
}
