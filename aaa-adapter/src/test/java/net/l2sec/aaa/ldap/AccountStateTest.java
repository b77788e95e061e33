package net.l2sec.aaa.ldap;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;
import net.l2sec.spi.auth.AuthResult;
import net.l2sec.spi.auth.RejectReason;
import org.junit.jupiter.api.Test;

class AccountStateTest {
    private static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");
    private static final long NORMAL_ACCOUNT = 0x200;

    private static Optional<String> problem(long uac, OptionalLong computed, long lockoutTime, long accountExpires) {
        return new AccountState(OptionalLong.of(uac), computed, OptionalLong.of(lockoutTime), OptionalLong.of(accountExpires))
                .problem(NOW).map(r -> {
                    assertThat(r.reason()).isEqualTo(RejectReason.ACCOUNT_DISABLED);
                    return r.detail();
                });
    }

    /** FILETIME of an instant: 100-ns ticks since 1601-01-01. */
    private static long fileTime(Instant t) {
        return (t.getEpochSecond() + 11_644_473_600L) * 10_000_000L + t.getNano() / 100;
    }

    @Test
    void healthyAccount() {
        assertThat(problem(NORMAL_ACCOUNT, OptionalLong.of(0), 0, Long.MAX_VALUE)).isEmpty();
        assertThat(problem(NORMAL_ACCOUNT, OptionalLong.of(0), 0, 0)).isEmpty();
        assertThat(AccountState.none().problem(NOW)).isEmpty();
    }

    @Test
    void userAccountControlFlags() {
        assertThat(problem(NORMAL_ACCOUNT | AccountState.ACCOUNTDISABLE, OptionalLong.empty(), 0, 0)).contains("account disabled");
        assertThat(problem(NORMAL_ACCOUNT | AccountState.LOCKOUT, OptionalLong.empty(), 0, 0)).contains("locked out");
        assertThat(problem(NORMAL_ACCOUNT | AccountState.PASSWORD_EXPIRED, OptionalLong.empty(), 0, 0)).contains("password expired");
        // AD reports lockout and password expiry in the computed attribute only
        assertThat(problem(NORMAL_ACCOUNT, OptionalLong.of(AccountState.LOCKOUT), 0, 0)).contains("locked out");
        assertThat(problem(NORMAL_ACCOUNT, OptionalLong.of(AccountState.PASSWORD_EXPIRED), 0, 0)).contains("password expired");
        // disabled wins over everything else
        assertThat(problem(NORMAL_ACCOUNT | AccountState.ACCOUNTDISABLE, OptionalLong.of(AccountState.LOCKOUT), 1, 1)).contains("account disabled");
    }

    @Test
    void lockoutTime() {
        // without the computed attribute a lockoutTime means locked
        assertThat(problem(NORMAL_ACCOUNT, OptionalLong.empty(), fileTime(NOW.minusSeconds(60)), 0)).contains("locked out");
        // with it, a stale lockoutTime whose duration has passed does not
        assertThat(problem(NORMAL_ACCOUNT, OptionalLong.of(0), fileTime(NOW.minusSeconds(86_400)), 0)).isEmpty();
    }

    @Test
    void accountExpires() {
        assertThat(problem(NORMAL_ACCOUNT, OptionalLong.of(0), 0, fileTime(NOW.minusSeconds(1)))).contains("account expired");
        assertThat(problem(NORMAL_ACCOUNT, OptionalLong.of(0), 0, fileTime(NOW.plusSeconds(3600)))).isEmpty();
    }

    @Test
    void fileTimeConversion() {
        assertThat(AccountState.fromFileTime(116_444_736_000_000_000L)).isEqualTo(Instant.EPOCH);
        assertThat(AccountState.fromFileTime(fileTime(NOW))).isEqualTo(NOW);
        assertThat(AccountState.fromFileTime(0)).isEqualTo(Instant.parse("1601-01-01T00:00:00Z"));
    }

    @Test
    void rejectShape() {
        assertThat(new AccountState(OptionalLong.of(2), OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty()).problem(NOW))
                .contains(new AuthResult.Reject(RejectReason.ACCOUNT_DISABLED, "account disabled"));
    }

    /** A login without a password (IKEv2 certificate or PSK) is refused for the account, not for its password. */
    @Test
    void withoutAPasswordOnlyTheAccountCounts() {
        var expiredPassword = new AccountState(OptionalLong.of(NORMAL_ACCOUNT), OptionalLong.of(AccountState.PASSWORD_EXPIRED),
                OptionalLong.of(0), OptionalLong.of(0));
        assertThat(expiredPassword.problem(NOW)).map(AuthResult.Reject::detail).contains("password expired");
        assertThat(expiredPassword.problemWithoutPassword(NOW)).isEmpty();
        var disabledAndExpired = new AccountState(OptionalLong.of(NORMAL_ACCOUNT | AccountState.ACCOUNTDISABLE),
                OptionalLong.of(AccountState.PASSWORD_EXPIRED), OptionalLong.of(0), OptionalLong.of(0));
        assertThat(disabledAndExpired.problemWithoutPassword(NOW)).map(AuthResult.Reject::detail).contains("account disabled");
        var locked = new AccountState(OptionalLong.of(NORMAL_ACCOUNT), OptionalLong.of(AccountState.LOCKOUT | AccountState.PASSWORD_EXPIRED),
                OptionalLong.of(1), OptionalLong.of(0));
        assertThat(locked.problemWithoutPassword(NOW)).hasValueSatisfying(r -> {
            assertThat(r.reason()).isEqualTo(RejectReason.ACCOUNT_DISABLED);
            assertThat(r.detail()).isEqualTo("locked out");
        });
        var expiredAccount = new AccountState(OptionalLong.of(NORMAL_ACCOUNT), OptionalLong.of(0), OptionalLong.of(0),
                OptionalLong.of(fileTime(NOW.minusSeconds(1))));
        assertThat(expiredAccount.problemWithoutPassword(NOW)).map(AuthResult.Reject::detail).contains("account expired");
        assertThat(AccountState.none().problemWithoutPassword(NOW)).isEmpty();
    }
}
