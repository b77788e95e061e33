package net.l2sec.aaa;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LogTextTest {
    @Test
    void visibleNamesOfAnyScriptStayAsTheyAre() {
        assertThat(LogText.escape("alice")).isEqualTo("alice");
        assertThat(LogText.escape("CORP\\bob")).isEqualTo("\"CORP\\\\bob\"");
        assertThat(LogText.escape("jürgen.müller@corp.example")).isEqualTo("jürgen.müller@corp.example");
        assertThat(LogText.escape("山田")).isEqualTo("山田");
        assertThat(LogText.escape("a=b")).isEqualTo("a=b");
    }

    @Test
    void aNameCannotBreakTheLineOrForgeAField() {
        assertThat(LogText.escape("alice\nERROR forged line")).isEqualTo("\"alice\\nERROR forged line\"");
        assertThat(LogText.escape("alice result=accept")).isEqualTo("\"alice result=accept\"");
        assertThat(LogText.escape("a\"b")).isEqualTo("\"a\\\"b\"");
        assertThat(LogText.escape("\r\t\0\u001b[31m\u007f\u0085")).isEqualTo("\"\\r\\t\\x00\\x1b[31m\\x7f\\x85\"");
        assertThat(LogText.escape("")).isEqualTo("\"\"");
        assertThat(LogText.escape(null)).isEqualTo("-");
    }

    @Test
    void invisibleAndDirectionalCharactersAreShownAsCodePoints() {
        assertThat(LogText.escape("admin\u202egnp.exe")).isEqualTo("\"admin\\u{202e}gnp.exe\"");
        assertThat(LogText.escape("a\u200bb\u2028c\u00a0d")).isEqualTo("\"a\\u{200b}b\\u{2028}c\\xa0d\"");
        assertThat(LogText.escape("x\ud800y")).as("unpaired surrogate").isEqualTo("\"x\\u{d800}y\"");
        // what the dataplane makes of bytes that are not UTF-8: visible replacement characters
        assertThat(LogText.escape(new String(new byte[] {'a', (byte) 0xff, 'b'}, StandardCharsets.UTF_8))).isEqualTo("a\ufffdb");
    }

    @Test
    void longValuesAreCutAndSayHowMuchIsMissing() {
        String escaped = LogText.escape("x".repeat(300));
        assertThat(escaped).isEqualTo("\"" + "x".repeat(256) + "...(+44)\"");
        assertThat(LogText.escape("x".repeat(256))).isEqualTo("x".repeat(256));
    }
}
