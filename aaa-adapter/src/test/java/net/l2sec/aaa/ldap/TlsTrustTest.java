package net.l2sec.aaa.ldap;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TlsTrustTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "dc1.ex.com|dc1.ex.com|true",
            "DC1.Ex.Com|dc1.ex.com|true",
            "dc1.ex.com.|dc1.ex.com|true",
            "*.ex.com|dc1.ex.com|true",
            "*.ex.com|a.b.ex.com|false",
            "*.ex.com|ex.com|false",
            "*.com|ex.com|false",
            "dc1.ex.com|dc2.ex.com|false",
            "dc*.ex.com|dc1.ex.com|false"})
    void dnsNameMatching(String pattern, String host, boolean matches) {
        assertThat(TlsTrust.dnsNameMatches(pattern, host)).isEqualTo(matches);
    }
}
