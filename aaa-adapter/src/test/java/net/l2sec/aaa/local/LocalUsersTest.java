package net.l2sec.aaa.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import net.l2sec.aaa.ConfigFileException;
import net.l2sec.spi.auth.AuthMethod;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LocalUsersTest {
    @TempDir
    Path dir;

    private Path write(String... lines) throws Exception {
        Path file = dir.resolve("users");
        Files.write(file, List.of(lines));
        return file;
    }

    @Test
    void parsesCommentsBlankLinesFlagsAndTrailingComments() throws Exception {
        Path file = write(
                "# header",
                "",
                "   # indented comment",
                "alice  nt:8846f7eaee8fb117ad06bdd830b7586c",
                "bob\tplain:correct-horse   # trailing comment",
                "carol plain:x#not-a-comment disabled",
                "dave plain:y disabled # gone");

        LocalUsers users = LocalUsers.parse(file);

        assertThat(users.size()).isEqualTo(4);
        assertThat(users.find("alice").orElseThrow().secret()).isInstanceOf(StoredSecret.NtHash.class);
        assertThat(users.find("bob").orElseThrow().secret().matchesPassword("correct-horse".getBytes())).isTrue();
        assertThat(users.find("bob").orElseThrow().disabled()).isFalse();
        assertThat(users.find("carol").orElseThrow().secret().matchesPassword("x#not-a-comment".getBytes())).isTrue();
        assertThat(users.find("carol").orElseThrow().disabled()).isTrue();
        assertThat(users.find("dave").orElseThrow().line()).isEqualTo(7);
        assertThat(users.find("Alice")).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "eve plain:s3cr3t-horse battery     | 2 | unexpected field 3",
            "eve s3cr3t-horse                   | 2 | lacks a scheme",
            "eve sha1:s3cr3t-horse              | 2 | unknown scheme",
            "eve nt:s3cr3t-horse                | 2 | expected 32 hex digits",
            "eve nt:8846F7EAEE8FB117AD06BDD830B7586    | 2 | expected 32 hex digits",
            "eve plain:                         | 2 | empty password",
            "eve pbkdf2-sha256:s3cr3t-horse     | 2 | expected iterations:salt:hash",
            "eve pbkdf2-sha256:x:c2FsdHNhbHQ=:AAAAAAAAAAAAAAAAAAAAAA== | 2 | iterations is not a number",
            "eve pbkdf2-sha256:10:c2FsdHNhbHQ=:AAAAAAAAAAAAAAAAAAAAAA== | 2 | outside",
            "eve pbkdf2-sha256:1000:s3cr3t-horse:AAAAAAAAAAAAAAAAAAAAAA== | 2 | salt is not valid base64",
            "eve pbkdf2-sha256:1000:c2FsdA==:AAAAAAAAAAAAAAAAAAAAAA== | 2 | salt shorter than 8",
            "eve pbkdf2-sha256:1000:c2FsdHNhbHQ=:s3cr3t-horse | 2 | hash is not valid base64",
            "eve                                | 2 | has no secret",
            "bob plain:s3cr3t-horse             | 2 | already defined on line 1",
            "eve plain:s3cr3t-horse disabled disabled | 2 | unexpected field 4",
    })
    void malformedLinesNameFileAndLineButNotTheSecret(String line, int number, String reason) throws Exception {
        Path file = write("bob plain:other-secret", line, "zed plain:fine");

        assertThatThrownBy(() -> LocalUsers.parse(file))
                .isInstanceOfSatisfying(ConfigFileException.class, e -> {
                    assertThat(e.line()).isEqualTo(number);
                    assertThat(e.file()).isEqualTo(file);
                    assertThat(e.getMessage()).startsWith(file + ":" + number + ": ").contains(reason)
                            .doesNotContain("s3cr3t", "horse", "battery", "other-secret");
                });
    }

    @Test
    void missingFileIsAClearError() {
        Path missing = dir.resolve("nope");
        assertThatThrownBy(() -> LocalUsers.parse(missing)).isInstanceOf(ConfigFileException.class)
                .hasMessageStartingWith(missing + ": cannot read");
    }

    @Test
    void invalidUtf8IsRefused() throws Exception {
        Path file = dir.resolve("users");
        Files.write(file, new byte[] {'a', ' ', 'p', 'l', 'a', 'i', 'n', ':', (byte) 0xff});
        assertThatThrownBy(() -> LocalUsers.parse(file)).hasMessage(file + ": not valid UTF-8");
    }

    @Test
    void ntHashLineRoundTrips() throws Exception {
        String line = LocalUsers.ntHashLine("alice", "password");
        assertThat(line).isEqualTo("alice nt:8846F7EAEE8FB117AD06BDD830B7586C");

        LocalUsers users = LocalUsers.parse(write(line));
        StoredSecret s = users.find("alice").orElseThrow().secret();
        assertThat(s.matchesPassword("password".getBytes(StandardCharsets.UTF_8))).isTrue();
        assertThat(s.matchesPassword("Password".getBytes(StandardCharsets.UTF_8))).isFalse();
    }

    @Test
    void pbkdf2LineRoundTripsWithFreshSalt() throws Exception {
        String line = LocalUsers.pbkdf2Line("carol", "pässwörd");
        assertThat(line).startsWith("carol pbkdf2-sha256:" + LocalUsers.PBKDF2_ITERATIONS + ":");

        StoredSecret s = LocalUsers.parse(write(line)).find("carol").orElseThrow().secret();
        assertThat(s.methods()).containsExactly(AuthMethod.PAP);
        assertThat(s.matchesPassword("pässwörd".getBytes(StandardCharsets.UTF_8))).isTrue();
    }

    @Test
    void lineHelpersRefuseNamesTheParserWouldMisread() {
        assertThatThrownBy(() -> LocalUsers.ntHashLine("a b", "x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LocalUsers.ntHashLine("#a", "x")).isInstanceOf(IllegalArgumentException.class);
    }
}
