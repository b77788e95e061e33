package net.l2sec.aaa.ldap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LdapSettingsTest {
    private static LdapSettings ad(List<URI> urls) {
        return LdapSettings.activeDirectory(urls, false, Optional.empty(), "CN=svc,DC=ex,DC=com",
                "s3cret-service".getBytes(StandardCharsets.UTF_8), "DC=ex,DC=com");
    }

    @Test
    void defaultsAndRedaction() {
        LdapSettings s = ad(List.of(URI.create("ldaps://dc1.ex.com"), URI.create("ldaps://dc2.ex.com:3269")));
        assertThat(s.userFilter()).isEqualTo("(&(objectClass=user)(|(sAMAccountName={user})(userPrincipalName={user})))");
        assertThat(s.groupMode()).isEqualTo(GroupMode.AD_IN_CHAIN);
        assertThat(s.toString()).doesNotContain("s3cret").contains("bindPassword=<redacted>");
        byte[] pw = s.bindPassword();
        pw[0] = 'x';
        assertThat(new String(s.bindPassword(), StandardCharsets.UTF_8)).isEqualTo("s3cret-service");
    }

    @Test
    void rejectsBadValues() {
        assertThatThrownBy(() -> ad(List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ad(List.of(URI.create("http://dc1")))).hasMessageContaining("ldap:// or ldaps://");
        assertThatThrownBy(() -> ad(List.of(URI.create("ldaps:///")))).hasMessageContaining("without host");
        LdapSettings ok = ad(List.of(URI.create("ldap://dc1")));
        assertThatThrownBy(() -> ok.withGroupMode(GroupMode.MEMBER_OF_WALK, "(uid=alice)")).hasMessageContaining("{user}");
        assertThatThrownBy(() -> ok.withTimeouts(Duration.ZERO, Duration.ofSeconds(1), Duration.ofSeconds(1)))
                .hasMessageContaining("connectTimeout");
    }
}
