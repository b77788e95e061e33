package net.l2sec.aaa.ldap;

import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;
import net.l2sec.spi.auth.AuthResult;
import net.l2sec.spi.auth.RejectReason;

/**
 * The account attributes AD keeps on a user entry, read from the search result so a failed bind can be explained
 * even when the DC's error is generic.
 *
 * @param userAccountControl         {@code userAccountControl} (MS-ADTS 2.2.16 flags)
 * @param computedUserAccountControl {@code msDS-User-Account-Control-Computed}: where AD reports LOCKOUT and
 *                                   PASSWORD_EXPIRED, which it does not store in {@code userAccountControl}
 * @param lockoutTime                {@code lockoutTime} (FILETIME; 0 = not locked)
 * @param accountExpires             {@code accountExpires} (FILETIME; 0 or 2^63-1 = never)
 */
public record AccountState(OptionalLong userAccountControl, OptionalLong computedUserAccountControl,
                           OptionalLong lockoutTime, OptionalLong accountExpires) {
    public static final long ACCOUNTDISABLE = 0x2;
    public static final long LOCKOUT = 0x10;
    public static final long PASSWORD_EXPIRED = 0x800000;

    /** Attributes the user search asks for. */
    static final String[] ATTRIBUTES = {"userAccountControl", "msDS-User-Account-Control-Computed", "lockoutTime", "accountExpires"};

    /** 100-ns intervals between 1601-01-01 (FILETIME epoch) and 1970-01-01. */
    private static final long FILETIME_UNIX_OFFSET = 116_444_736_000_000_000L;

    public static AccountState none() {
        return new AccountState(OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty());
    }

    /** What is wrong with the account at {@code now}, most fundamental first; empty when nothing is. */
    public Optional<AuthResult.Reject> problem(Instant now) {
        return accountProblem(now).or(() -> (uac() & PASSWORD_EXPIRED) != 0 ? reject("password expired") : Optional.empty());
    }

    /**
     * What forbids a login that used no password (an IKEv2 client IKE verified with a certificate or the pre-shared
     * key) at {@code now}: a disabled, expired or locked-out account. An expired password (or one that must be
     * changed) does not: the login did not use it, as Windows smart-card and EAP-TLS logons do not.
     */
    public Optional<AuthResult.Reject> problemWithoutPassword(Instant now) {
        return accountProblem(now);
    }

    private Optional<AuthResult.Reject> accountProblem(Instant now) {
        long uac = uac();
        if ((uac & ACCOUNTDISABLE) != 0) return reject("account disabled");
        if (accountExpires.isPresent()) {
            long v = accountExpires.getAsLong();
            if (v != 0 && v != Long.MAX_VALUE && fromFileTime(v).isBefore(now)) return reject("account expired");
        }
        // the computed attribute honours the lockout duration; a bare lockoutTime may be stale
        if ((uac & LOCKOUT) != 0) return reject("locked out");
        if (computedUserAccountControl.isEmpty() && lockoutTime.orElse(0) > 0) return reject("locked out");
        return Optional.empty();
    }

    private long uac() {
        return userAccountControl.orElse(0) | computedUserAccountControl.orElse(0);
    }

    static Instant fromFileTime(long fileTime) {
        long unix100ns = fileTime - FILETIME_UNIX_OFFSET;
        return Instant.ofEpochSecond(Math.floorDiv(unix100ns, 10_000_000L), Math.floorMod(unix100ns, 10_000_000L) * 100);
    }

    private static Optional<AuthResult.Reject> reject(String detail) {
        return Optional.of(new AuthResult.Reject(RejectReason.ACCOUNT_DISABLED, detail));
    }
}
