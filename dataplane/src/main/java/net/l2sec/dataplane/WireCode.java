package net.l2sec.dataplane;

import java.util.Optional;

/** An enum constant that stands for a number on the wire (a code, a type, a protocol number). */
public interface WireCode {
    /** The number on the wire. */
    int code();

    /** The constant among {@code values} whose wire number is {@code code}, if any. */
    static <E extends WireCode> Optional<E> lookup(E[] values, int code) {
        for (E e : values) {
            if (e.code() == code) return Optional.of(e);
        }
        return Optional.empty();
    }
}
