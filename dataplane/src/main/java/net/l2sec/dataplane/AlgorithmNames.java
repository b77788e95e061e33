package net.l2sec.dataplane;

import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The names a configuration file gives a closed set of algorithms (strongSwan style: {@code aes256}, {@code sha1},
 * {@code modp2048}), looked up without regard to case; legacy ones only behind their switch. One lookup and one
 * set of messages for every algorithm enum.
 *
 * @param known  the algorithms that have a configuration name, in the order the error message lists them
 * @param nameOf the configuration name of one
 */
public record AlgorithmNames<T>(List<T> known, Function<T, String> nameOf) {
    public AlgorithmNames {
        known = List.copyOf(known);
    }

    /**
     * The algorithm {@code configName} names.
     *
     * @param refused a legacy algorithm whose switch is off
     * @param switchName the switch that allows the refused ones ({@code ipsec.legacy.3des}), for the message
     * @throws IllegalArgumentException {@code unknown algorithm "NAME" (known: a, b, ...)}, or
     *                                  {@code NAME is legacy: set SWITCH: true to allow it}
     */
    public T parse(String configName, Predicate<T> refused, String switchName) {
        String n = configName.toLowerCase(Locale.ROOT);
        for (T t : known) {
            if (!nameOf.apply(t).equals(n)) continue;
            if (refused.test(t)) throw new IllegalArgumentException(n + " is legacy: set " + switchName + ": true to allow it");
            return t;
        }
        throw new IllegalArgumentException("unknown algorithm \"" + configName + "\" (known: "
                + String.join(", ", known.stream().map(nameOf).toList()) + ")");
    }

    /** The algorithm {@code configName} names, where none is legacy. */
    public T parse(String configName) {
        return parse(configName, t -> false, "");
    }
}
