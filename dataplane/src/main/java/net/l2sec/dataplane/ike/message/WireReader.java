package net.l2sec.dataplane.ike.message;

/** Bounds-checked big-endian reader over a slice of an array; every overrun is a decode exception. */
final class WireReader {
    private final byte[] buf;
    private int pos;
    private final int end;

    WireReader(byte[] buf, int from, int end) {
        this.buf = buf;
        this.pos = from;
        this.end = end;
    }

    int remaining() {
        return end - pos;
    }

    int position() {
        return pos;
    }

    private void need(int n) throws IkeDecodeException {
        if (n < 0 || end - pos < n) throw new IkeDecodeException(IkeDropReason.TRUNCATED, "need " + n + " octets, " + (end - pos) + " left");
    }

    int u8() throws IkeDecodeException {
        need(1);
        return buf[pos++] & 0xff;
    }

    int u16() throws IkeDecodeException {
        need(2);
        int v = (buf[pos] & 0xff) << 8 | buf[pos + 1] & 0xff;
        pos += 2;
        return v;
    }

    int u32() throws IkeDecodeException {
        need(4);
        int v = (buf[pos] & 0xff) << 24 | (buf[pos + 1] & 0xff) << 16 | (buf[pos + 2] & 0xff) << 8 | buf[pos + 3] & 0xff;
        pos += 4;
        return v;
    }

    long u64() throws IkeDecodeException {
        return (long) u32() << 32 | u32() & 0xffffffffL;
    }

    byte[] bytes(int n) throws IkeDecodeException {
        need(n);
        byte[] b = java.util.Arrays.copyOfRange(buf, pos, pos + n);
        pos += n;
        return b;
    }

    byte[] rest() throws IkeDecodeException {
        return bytes(remaining());
    }

    /** A reader over the next {@code n} octets, which this reader skips. */
    WireReader slice(int n) throws IkeDecodeException {
        need(n);
        WireReader r = new WireReader(buf, pos, pos + n);
        pos += n;
        return r;
    }
}
