package net.l2sec.dataplane.ike.message;

import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.util.List;

/** The body layout of one payload or substructure record: its fields in wire order. */
record Layout(Class<? extends Record> type, List<Field> fields, Constructor<?> constructor, RecordComponent[] components) {

    static Layout describe(Class<? extends Record> type, Field... fields) {
        RecordComponent[] rc = type.getRecordComponents();
        Class<?>[] types = new Class<?>[rc.length];
        for (int i = 0; i < rc.length; i++) types[i] = rc[i].getType();
        try {
            return new Layout(type, List.of(fields), type.getDeclaredConstructor(types), rc);
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(e);
        }
    }
}
