package net.l2sec.aaa.policy;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import net.l2sec.spi.auth.AuthMethod;

/**
 * Which backends verify which method, tried in order (config {@code aaa.methods}). The next backend is asked
 * only when the previous one does not know the user, cannot verify the method or did not answer (unknown user,
 * method unsupported, timeout, error); a wrong password or a disabled account is final. EAP (both EAP methods) has
 * one route: when its first backend relays EAP (RADIUS), the whole EAP conversation goes there and there is no
 * fallback. The IKEv2 PSK and certificate methods carry an identity IKE verified
 * ({@link net.l2sec.spi.auth.ProvenIdentity}): their backends authorize it (local file, LDAP); RADIUS answers
 * method unsupported, so the next one is asked.
 */
public record MethodRoutes(Map<AuthMethod, List<Backend>> routes) {
    public MethodRoutes {
        var copy = new EnumMap<AuthMethod, List<Backend>>(AuthMethod.class);
        routes.forEach((m, b) -> copy.put(m, List.copyOf(b)));
        routes = Map.copyOf(copy);
    }

    /** Every method to the same backends. */
    public static MethodRoutes all(List<Backend> backends) {
        var m = new EnumMap<AuthMethod, List<Backend>>(AuthMethod.class);
        for (AuthMethod method : AuthMethod.values()) m.put(method, backends);
        return new MethodRoutes(m);
    }

    public List<Backend> route(AuthMethod method) {
        return routes.getOrDefault(method, List.of());
    }
}
