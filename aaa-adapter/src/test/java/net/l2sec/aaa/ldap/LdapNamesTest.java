package net.l2sec.aaa.ldap;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LdapNamesTest {
    @Test
    void filterValueEscapesRfc4515Specials() {
        // RFC 4515 section 4 examples
        assertThat(LdapNames.escapeFilterValue("Parens R Us (for all your parenthetical needs)"))
                .isEqualTo("Parens R Us \\28for all your parenthetical needs\\29");
        assertThat(LdapNames.escapeFilterValue("*")).isEqualTo("\\2a");
        assertThat(LdapNames.escapeFilterValue("C:\\MyFile")).isEqualTo("C:\\5cMyFile");
        assertThat(LdapNames.escapeFilterValue("a\0b")).isEqualTo("a\\00b");
        assertThat(LdapNames.escapeFilterValue("Lu\u010di\u0107")).isEqualTo("Lu\\c4\\8di\\c4\\87");
        assertThat(LdapNames.escapeFilterValue("alice")).isEqualTo("alice");
        assertThat(LdapNames.escapeFilterValue("x\r\n")).isEqualTo("x\\0d\\0a");
    }

    @Test
    void injectionCannotWidenTheUserFilter() {
        String f = LdapNames.userFilter(LdapSettings.AD_USER_FILTER, "*)(sAMAccountName=*");
        assertThat(f).isEqualTo("(&(objectClass=user)(|(sAMAccountName=\\2a\\29\\28sAMAccountName=\\2a)"
                + "(userPrincipalName=\\2a\\29\\28sAMAccountName=\\2a)))");
    }

    @Test
    void inChainFilterEscapesTheDn() {
        assertThat(LdapNames.inChainGroupFilter("CN=Smith\\, John (x),CN=Users,DC=ex,DC=com"))
                .isEqualTo("(member:1.2.840.113556.1.4.1941:=CN=Smith\\5c, John \\28x\\29,CN=Users,DC=ex,DC=com)");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "Smith, John|Smith\\, John",
            "a+b|a\\+b",
            "\" quoted \"|\\\" quoted \\\"",
            "<tag>;x|\\<tag\\>\\;x",
            "back\\slash|back\\\\slash",
            "#hash#|\\#hash#",
            "plain|plain"})
    void dnValueEscapesRfc4514Specials(String value, String escaped) {
        assertThat(LdapNames.escapeDnValue(value)).isEqualTo(escaped);
    }

    @Test
    void dnValueEscapesLeadingAndTrailingSpaces() {
        assertThat(LdapNames.escapeDnValue(" a b ")).isEqualTo("\\ a b\\ ");
        assertThat(LdapNames.escapeDnValue("nul\0")).isEqualTo("nul\\00");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "EXAMPLE\\alice|alice",
            "alice|alice",
            "alice@example.com|alice@example.com",
            "a\\b\\carol|carol",
            "EXAMPLE\\|''"})
    void userNameNormalization(String presented, String normalized) {
        assertThat(LdapNames.normalizeUser(presented)).isEqualTo(normalized);
    }
}
