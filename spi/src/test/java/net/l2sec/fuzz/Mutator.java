package net.l2sec.fuzz;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The byte-level mutations of {@link Fuzzer}, in the manner of libFuzzer's and AFL's havoc stage: bit flips, byte
 * and word sets to boundary values, edits of what may be a big-endian length field, truncation, insertion,
 * deletion, duplication, and splicing with another corpus entry. Every choice comes from the {@link SplittableRandom}
 * passed in, so an input is a function of its seed and the corpus.
 */
public final class Mutator {
    private static final int[] INTERESTING_8 = {0, 1, 2, 4, 0x10, 0x20, 0x40, 0x7f, 0x80, 0xfe, 0xff};
    private static final int[] INTERESTING_16 = {0, 1, 2, 3, 4, 6, 8, 12, 16, 20, 28, 0x7f, 0x80, 0xff, 0x100, 0x3ff,
            0x400, 0x7fff, 0x8000, 0xfffe, 0xffff};
    private static final int[] INTERESTING_32 = {0, 1, 0xff, 0x100, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe,
            0xffffffff};

    private final int maxLength;

    /** @param maxLength no mutation makes an input longer than this */
    public Mutator(int maxLength) {
        this.maxLength = maxLength;
    }

    /** One to eight stacked mutations of {@code in} (not changed); {@code corpus} is where splices come from. */
    public byte[] mutate(byte[] in, List<byte[]> corpus, SplittableRandom r) {
        byte[] b = in.clone();
        int n = 1 + Integer.numberOfTrailingZeros(r.nextInt() | 0x80); // 1 half the time, 2 a quarter, ... up to 8
        for (int i = 0; i < n; i++) b = once(b, corpus, r);
        return b.length > maxLength ? Arrays.copyOf(b, maxLength) : b;
    }

    private byte[] once(byte[] b, List<byte[]> corpus, SplittableRandom r) {
        int len = b.length;
        switch (r.nextInt(len == 0 ? 2 : 15)) {
            case 0 -> { // insert random octets
                int at = r.nextInt(len + 1);
                byte[] ins = new byte[1 + r.nextInt(r.nextBoolean() ? 4 : 64)];
                r.nextBytes(ins);
                return insert(b, at, ins);
            }
            case 1 -> { // append random octets
                byte[] ins = new byte[1 + r.nextInt(32)];
                r.nextBytes(ins);
                return insert(b, len, ins);
            }
            case 2 -> b[r.nextInt(len)] ^= (byte) (1 << r.nextInt(8));
            case 3 -> b[r.nextInt(len)] = (byte) r.nextInt(256);
            case 4 -> b[r.nextInt(len)] = (byte) INTERESTING_8[r.nextInt(INTERESTING_8.length)];
            case 5 -> { // a 16-bit boundary value, or the input's own length, somewhere
                if (len < 2) return b;
                int at = r.nextInt(len - 1);
                int v = r.nextInt(4) == 0 ? len + r.nextInt(9) - 4 : INTERESTING_16[r.nextInt(INTERESTING_16.length)];
                put16(b, at, v);
            }
            case 6 -> {
                if (len < 4) return b;
                int at = r.nextInt(len - 3);
                int v = INTERESTING_32[r.nextInt(INTERESTING_32.length)];
                for (int k = 0; k < 4; k++) b[at + k] = (byte) (v >>> (24 - 8 * k));
            }
            case 7 -> { // a length field off by a little: the commonest parser mistakes sit at its edges
                if (len < 2) return b;
                int at = r.nextInt(len - 1);
                int v = ((b[at] & 0xff) << 8 | b[at + 1] & 0xff) + r.nextInt(33) - 16;
                put16(b, at, v);
            }
            case 8 -> { // a one-octet length off by a little
                int at = r.nextInt(len);
                b[at] = (byte) (b[at] + r.nextInt(9) - 4);
            }
            case 9 -> { // truncate
                return Arrays.copyOf(b, r.nextInt(len));
            }
            case 10 -> { // delete a range
                int from = r.nextInt(len);
                int to = Math.min(len, from + 1 + r.nextInt(r.nextBoolean() ? 4 : 32));
                byte[] out = new byte[len - (to - from)];
                System.arraycopy(b, 0, out, 0, from);
                System.arraycopy(b, to, out, from, len - to);
                return out;
            }
            case 11 -> { // duplicate a range (a repeated option, AVP or payload)
                int from = r.nextInt(len);
                int n = Math.min(len - from, 1 + r.nextInt(64));
                return insert(b, r.nextInt(len + 1), Arrays.copyOfRange(b, from, from + n));
            }
            case 12 -> { // splice: our prefix, another entry's suffix
                byte[] other = corpus.get(r.nextInt(corpus.size()));
                int cut = r.nextInt(len + 1);
                int from = other.length == 0 ? 0 : r.nextInt(other.length);
                byte[] out = Arrays.copyOf(b, cut + other.length - from);
                System.arraycopy(other, from, out, cut, other.length - from);
                return out;
            }
            case 13 -> { // cross over: another entry's octets over ours at the same offset
                byte[] other = corpus.get(r.nextInt(corpus.size()));
                int at = r.nextInt(len);
                int n = Math.min(Math.min(len - at, other.length - Math.min(at, other.length)), 1 + r.nextInt(32));
                if (n > 0) System.arraycopy(other, at, b, at, n);
            }
            default -> { // swap two octets
                int i = r.nextInt(len), j = r.nextInt(len);
                byte t = b[i];
                b[i] = b[j];
                b[j] = t;
            }
        }
        return b;
    }

    private static void put16(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 8);
        b[at + 1] = (byte) v;
    }

    private static byte[] insert(byte[] b, int at, byte[] ins) {
        byte[] out = new byte[b.length + ins.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(ins, 0, out, at, ins.length);
        System.arraycopy(b, at, out, at + ins.length, b.length - at);
        return out;
    }
}
