package net.l2sec.dataplane.ike.message;

import java.util.Arrays;

/** Growable big-endian writer. */
final class WireWriter {
    private byte[] buf = new byte[256];
    private int len;

    private void ensure(int n) {
        if (len + n > buf.length) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
    }

    int length() {
        return len;
    }

    WireWriter u8(int v) {
        ensure(1);
        buf[len++] = (byte) v;
        return this;
    }

    WireWriter u16(int v) {
        return u8(v >> 8).u8(v);
    }

    WireWriter u32(int v) {
        return u16(v >>> 16).u16(v);
    }

    WireWriter u64(long v) {
        return u32((int) (v >>> 32)).u32((int) v);
    }

    WireWriter bytes(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, buf, len, b.length);
        len += b.length;
        return this;
    }

    void putU16At(int at, int v) {
        buf[at] = (byte) (v >> 8);
        buf[at + 1] = (byte) v;
    }

    byte[] toArray() {
        return Arrays.copyOf(buf, len);
    }
}
