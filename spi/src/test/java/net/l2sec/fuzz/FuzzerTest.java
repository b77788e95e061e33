package net.l2sec.fuzz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The fuzzer itself: it finds what a target throws, keeps the input, and repeats a run exactly. */
class FuzzerTest {
    /** A "decoder" of a 1-octet length and a body, with a bug: a length of exactly 0xff overruns. */
    static String lengthPrefixed(byte[] in) {
        if (in.length < 1) return "rejected:empty";
        int n = in[0] & 0xff;
        if (n == 0xff) return "body=" + in[n]; // ArrayIndexOutOfBoundsException unless 256 octets follow
        if (n > in.length - 1) return "rejected:short";
        return "decoded";
    }

    @Test
    void aBugBehindALengthFieldIsFoundWithItsInput() {
        FuzzReport report = Fuzzer.named("test-length").seeds(List.of(new byte[] {3, 1, 2, 3})).inputs(20_000)
                .target(FuzzerTest::lengthPrefixed).run();
        assertThat(report.findings()).hasSize(1);
        FuzzReport.Finding f = report.findings().getFirst();
        assertThat(f.failure()).isInstanceOf(ArrayIndexOutOfBoundsException.class);
        assertThat(f.input()[0] & 0xff).isEqualTo(0xff);
        assertThat(f.signature()).contains("ArrayIndexOutOfBoundsException").contains("FuzzerTest.lengthPrefixed");
        assertThatThrownBy(report::assertNoFindings).isInstanceOf(AssertionError.class)
                .hasMessageContaining(java.util.HexFormat.of().formatHex(f.input()));
        assertThat(report.outcomes()).containsKeys("decoded", "rejected:short", "finding");
        assertThat(report.inputs()).isEqualTo(20_001);
    }

    @Test
    void seedsRunAsTheyAreFirst() {
        List<String> seen = new ArrayList<>();
        Fuzzer.named("test-seeds").seeds(List.of(new byte[] {1}, new byte[] {2, 2})).inputs(3)
                .target(b -> {
                    seen.add(java.util.HexFormat.of().formatHex(b));
                    return "ok";
                }).run();
        assertThat(seen).hasSize(5).startsWith("01", "0202");
    }

    @Test
    void theSameMasterSeedGivesTheSameInputs() {
        List<String> a = new ArrayList<>();
        List<String> b = new ArrayList<>();
        Fuzzer.named("test-repeat").seeds(List.of(new byte[] {0x10, 0x20, 0x30})).inputs(500)
                .target(x -> a.add(java.util.HexFormat.of().formatHex(x)) ? "ok" + x.length % 3 : "").run();
        Fuzzer.named("test-repeat").seeds(List.of(new byte[] {0x10, 0x20, 0x30})).inputs(500)
                .target(x -> b.add(java.util.HexFormat.of().formatHex(x)) ? "ok" + x.length % 3 : "").run();
        assertThat(a).isEqualTo(b).hasSize(501);
    }

    @Test
    void theFixupSeesHalfTheMutants() {
        int[] fixed = {0};
        Fuzzer.named("test-fixup").seeds(List.of(new byte[] {1, 2, 3, 4})).inputs(2000)
                .fixup((in, r) -> {
                    fixed[0]++;
                    return in;
                }).target(x -> "ok").run();
        assertThat(fixed[0]).isBetween(800, 1200);
    }

    @Test
    void mutantsStayWithinTheLengthLimit() {
        Mutator m = new Mutator(64);
        SplittableRandom r = new SplittableRandom(1);
        List<byte[]> corpus = List.of(new byte[60], new byte[] {1});
        for (int i = 0; i < 10_000; i++) assertThat(m.mutate(corpus.get(i % 2), corpus, r).length).isLessThanOrEqualTo(64);
    }
}
