package net.l2sec.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LogTextTest {
    @Test
    void anOrdinaryNameIsShownAsItIs() {
        assertThat(LogText.quote("alice")).isEqualTo("alice");
        assertThat(LogText.quote("CORP\\alice")).isEqualTo("\"CORP\\\\alice\"");
        assertThat(LogText.quote("alice@corp.example.com")).isEqualTo("alice@corp.example.com");
        assertThat(LogText.quote("Jürgen")).as("letters beyond ASCII are kept").isEqualTo("Jürgen");
    }

    @Test
    void aNameCannotEndTheLineOrForgeAnotherOne() {
        String forged = "bob\n12:00:00.000 INFO  PppSession - session=t1/s1 auth ok method=pap user=admin";
        String shown = LogText.quote(forged);
        assertThat(shown).doesNotContain("\n").startsWith("\"bob\\n12:00").endsWith("user=admin\"");
        assertThat(LogText.quote("a\rb\u0000c\u007fd\u0085e\u2028f\u2029g")).isEqualTo(
                "\"a\\rb\\u0000c\\u007Fd\\u0085e\\u2028f\\u2029g\"");
    }

    @Test
    void aNameCannotPassForAnotherField() {
        assertThat(LogText.quote("alice rule=admins")).isEqualTo("\"alice rule=admins\"");
        assertThat(LogText.quote("x=y")).isEqualTo("\"x=y\"");
        assertThat(LogText.quote("say \"hi\"")).isEqualTo("\"say \\\"hi\\\"\"");
        assertThat(LogText.quote("")).isEqualTo("\"\"");
        assertThat(LogText.quote(null)).isEqualTo("-");
        assertThat(LogText.quote("a\u00a0b")).as("a space that does not look like one").isEqualTo("\"a\\u00A0b\"");
    }

    @Test
    void invisibleCharactersAreShown() {
        assertThat(LogText.quote("adm\u200bin")).isEqualTo("\"adm\\u200Bin\"");         // zero-width space
        assertThat(LogText.quote("\u202eelgoog")).isEqualTo("\"\\u202Eelgoog\"");         // right-to-left override
        assertThat(LogText.quote("a\ud800b")).isEqualTo("\"a\\uD800b\"");                  // unpaired surrogate
        assertThat(LogText.quote("a\udb40\udc01")).isEqualTo("\"a\\U000E0001\"");          // language tag, a format character
        assertThat(LogText.quote("\ud83d\ude00")).as("a paired surrogate is a character").isEqualTo("\ud83d\ude00");
    }

    @Test
    void escapeKeepsSpacesForFreeText() {
        assertThat(LogText.escape("rule=default denies groups=[a, b]")).isEqualTo("rule=default denies groups=[a, b]");
        assertThat(LogText.escape("no such user\nforged")).isEqualTo("no such user\\nforged");
        assertThat(LogText.escape(null)).isEqualTo("-");
    }

    @Test
    void longTextIsCut() {
        String s = "x".repeat(LogText.MAX_CHARS + 10);
        assertThat(LogText.quote(s)).isEqualTo("\"" + "x".repeat(LogText.MAX_CHARS) + "\"...");
        assertThat(LogText.escape(s)).isEqualTo("x".repeat(LogText.MAX_CHARS) + "...");
        assertThat(LogText.quote("x".repeat(LogText.MAX_CHARS))).isEqualTo("x".repeat(LogText.MAX_CHARS));
    }
}
