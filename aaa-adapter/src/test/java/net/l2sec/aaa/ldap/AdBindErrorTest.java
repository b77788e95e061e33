package net.l2sec.aaa.ldap;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.OptionalLong;
import net.l2sec.spi.auth.AuthResult;
import net.l2sec.spi.auth.RejectReason;
import org.apache.directory.api.ldap.model.message.ResultCodeEnum;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AdBindErrorTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-06-01T00:00:00Z"), ZoneOffset.UTC);

    private static String diagnostic(String code) {
        return "80090308: LdapErr: DSID-0C0903A9, comment: AcceptSecurityContext error, data " + code + ", v1db1";
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "525|UNKNOWN_USER|unknown user",
            "52e|BAD_CREDENTIALS|wrong password",
            "52E|BAD_CREDENTIALS|wrong password",
            "530|POLICY_DENIED|logon not permitted at this time (logon hours)",
            "531|POLICY_DENIED|logon not permitted from this workstation",
            "532|ACCOUNT_DISABLED|password expired",
            "533|ACCOUNT_DISABLED|account disabled",
            "701|ACCOUNT_DISABLED|account expired",
            "773|ACCOUNT_DISABLED|password must be changed",
            "775|ACCOUNT_DISABLED|locked out"})
    void adDataCodes(String code, RejectReason reason, String detail) {
        assertThat(AdBindError.parse(diagnostic(code)).orElseThrow().reject()).isEqualTo(new AuthResult.Reject(reason, detail));
        assertThat(LdapAuthenticator.bindFailure(ResultCodeEnum.INVALID_CREDENTIALS, diagnostic(code), AccountState.none(), CLOCK))
                .isEqualTo(new AuthResult.Reject(reason, detail));
    }

    @Test
    void unknownOrMissingCodes() {
        assertThat(AdBindError.parse(diagnostic("999"))).isEmpty();
        assertThat(AdBindError.parse("invalid credentials")).isEmpty();
        assertThat(AdBindError.parse(null)).isEmpty();
        assertThat(AdBindError.parse("metadata 525")).isEmpty();
    }

    @Test
    void genericFailureIsExplainedByTheAccountAttributes() {
        AccountState disabled = new AccountState(OptionalLong.of(0x202), OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty());
        assertThat(LdapAuthenticator.bindFailure(ResultCodeEnum.INVALID_CREDENTIALS, "", disabled, CLOCK))
                .isEqualTo(new AuthResult.Reject(RejectReason.ACCOUNT_DISABLED, "account disabled"));
        // 52e with a disabled account (AD hides the cause behind a wrong password)
        assertThat(LdapAuthenticator.bindFailure(ResultCodeEnum.INVALID_CREDENTIALS, diagnostic("52e"), disabled, CLOCK))
                .isEqualTo(new AuthResult.Reject(RejectReason.ACCOUNT_DISABLED, "account disabled"));
        assertThat(LdapAuthenticator.bindFailure(ResultCodeEnum.INVALID_CREDENTIALS, "", AccountState.none(), CLOCK))
                .isEqualTo(new AuthResult.Reject(RejectReason.BAD_CREDENTIALS, "wrong password"));
    }

    @Test
    void otherResultCodesAreBackendErrors() {
        AuthResult.Reject r = LdapAuthenticator.bindFailure(ResultCodeEnum.UNWILLING_TO_PERFORM, "no", AccountState.none(), CLOCK);
        assertThat(r.reason()).isEqualTo(RejectReason.BACKEND_ERROR);
        assertThat(r.detail()).contains("UNWILLING_TO_PERFORM");
    }
}
