package net.l2sec.dataplane.ike.message;

import java.lang.reflect.InvocationTargetException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Reads and writes any {@link Layout}: the one parser and generator behind every payload. */
final class LayoutCodec {
    static final int MAX_ELEMENTS = 64;

    private LayoutCodec() {
    }

    static Record read(Layout layout, WireReader r) throws IkeDecodeException {
        Map<String, Object> values = new HashMap<>();
        Map<String, Integer> lengths = new HashMap<>();
        for (Field f : layout.fields()) {
            switch (f) {
                case Field.Uint u -> values.put(u.component(), uint(r, u.octets()));
                case Field.Reserved res -> r.bytes(res.octets());
                case Field.LengthOf l -> lengths.put(l.component(), uint(r, l.octets()));
                case Field.CountOf c -> lengths.put(c.component(), uint(r, c.octets()));
                case Field.Sized s -> values.put(s.component(), r.bytes(lengths.get(s.component())));
                case Field.Rest rest -> values.put(rest.component(), r.rest());
                case Field.SizedList l -> {
                    int count = lengths.get(l.component());
                    if (count > MAX_ELEMENTS * 4) throw malformed("list of " + count);
                    int size = (Integer) values.get(l.sizeComponent());
                    List<byte[]> items = new ArrayList<>();
                    for (int i = 0; i < count; i++) items.add(r.bytes(size));
                    values.put(l.component(), items);
                }
                case Field.Substructures s -> values.put(s.component(), readSubstructures(s, lengths.get(s.component()), r));
                case Field.Attributes a -> values.put(a.component(), readAttributes(r));
                case Field.Fixed x -> values.put(x.component(), x.value());
            }
        }
        Object[] args = new Object[layout.components().length];
        for (int i = 0; i < args.length; i++) args[i] = values.get(layout.components()[i].getName());
        try {
            return (Record) layout.constructor().newInstance(args);
        } catch (InvocationTargetException e) {
            throw malformed(layout.type().getSimpleName() + ": " + e.getCause().getMessage());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A chain of substructures; with {@code count} (non-null) exactly that many, else until next payload is 0. */
    private static List<Record> readSubstructures(Field.Substructures s, Integer count, WireReader r) throws IkeDecodeException {
        List<Record> out = new ArrayList<>();
        int next = s.type();
        while (count != null ? out.size() < count : next == s.type()) {
            if (next != s.type()) throw malformed("substructure chain ends after " + out.size());
            if (out.size() >= MAX_ELEMENTS) throw malformed("more than " + MAX_ELEMENTS + " substructures");
            next = r.u8();
            r.u8();
            out.add(read(s.element(), r.slice(bodyLength(r.u16()))));
        }
        if (next != PayloadType.NONE) throw malformed("substructure chain does not end (next " + next + ")");
        return out;
    }

    static List<Attribute> readAttributes(WireReader r) throws IkeDecodeException {
        List<Attribute> out = new ArrayList<>();
        while (r.remaining() > 0) {
            if (out.size() >= MAX_ELEMENTS) throw malformed("too many attributes");
            int t = r.u16();
            if ((t & 0x8000) != 0) out.add(new Attribute(t & 0x7fff, r.bytes(2), true));
            else out.add(new Attribute(t, r.bytes(r.u16()), false));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    static void write(Layout layout, Record p, WireWriter w) {
        for (Field f : layout.fields()) {
            switch (f) {
                case Field.Uint u -> putUint(w, (Integer) get(layout, p, u.component()), u.octets());
                case Field.Reserved res -> {
                    for (int i = 0; i < res.octets(); i++) w.u8(0);
                }
                case Field.LengthOf l -> putUint(w, ((byte[]) get(layout, p, l.component())).length, l.octets());
                case Field.CountOf c -> putUint(w, ((List<?>) get(layout, p, c.component())).size(), c.octets());
                case Field.Sized s -> w.bytes((byte[]) get(layout, p, s.component()));
                case Field.Rest rest -> w.bytes((byte[]) get(layout, p, rest.component()));
                case Field.SizedList l -> ((List<byte[]>) get(layout, p, l.component())).forEach(w::bytes);
                case Field.Substructures s -> {
                    List<Record> items = (List<Record>) get(layout, p, s.component());
                    for (int i = 0; i < items.size(); i++) {
                        int start = w.length();
                        w.u8(i + 1 < items.size() ? s.type() : PayloadType.NONE).u8(0).u16(0);
                        write(s.element(), items.get(i), w);
                        w.putU16At(start + 2, w.length() - start);
                    }
                }
                case Field.Attributes a -> {
                    for (Attribute at : (List<Attribute>) get(layout, p, a.component())) {
                        if (at.tv()) w.u16(0x8000 | at.type()).bytes(at.value());
                        else w.u16(at.type()).u16(at.value().length).bytes(at.value());
                    }
                }
                case Field.Fixed x -> {
                }
            }
        }
    }

    private static Object get(Layout layout, Record p, String component) {
        for (var c : layout.components()) {
            if (c.getName().equals(component)) {
                try {
                    return c.getAccessor().invoke(p);
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        throw new IllegalStateException(layout.type().getSimpleName() + " has no " + component);
    }

    private static int uint(WireReader r, int octets) throws IkeDecodeException {
        return switch (octets) {
            case 1 -> r.u8();
            case 2 -> r.u16();
            default -> r.u32();
        };
    }

    private static void putUint(WireWriter w, int v, int octets) {
        switch (octets) {
            case 1 -> w.u8(v);
            case 2 -> w.u16(v);
            default -> w.u32(v);
        }
    }

    static int bodyLength(int payloadLength) throws IkeDecodeException {
        if (payloadLength < 4) throw new IkeDecodeException(IkeDropReason.MALFORMED_PAYLOAD, "payload length " + payloadLength);
        return payloadLength - 4;
    }

    static IkeDecodeException malformed(String why) {
        return new IkeDecodeException(IkeDropReason.MALFORMED_PAYLOAD, why);
    }
}
