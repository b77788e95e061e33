package net.l2sec.dataplane.ikev2;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;
import net.l2sec.dataplane.ikev2.message.Ikev2DropReason;

/** The IKEv2 responder's meters (ops/METRICS.md, "IKEv2"). */
final class Ikev2Metrics {
    /** Why an IKE SA did not become established, or ended (bounded tags). */
    enum Failure {
        NO_PROPOSAL_CHOSEN("no_proposal_chosen"),
        INVALID_KE("invalid_ke"),
        NO_CERTIFICATE("no_certificate"),
        UNSUPPORTED_AUTH("unsupported_auth"),
        AUTH_FAILED("auth_failed"),
        PSK_MISMATCH("psk_mismatch"),
        CERTIFICATE_INVALID("certificate_invalid"),
        SIGNATURE_INVALID("signature_invalid"),
        AUTHORIZATION_REFUSED("authorization_refused"),
        EAP_FAILED("eap_failed"),
        AUTH_TIMEOUT("auth_timeout"),
        SESSION_REFUSED("session_refused"),
        CHILD_NO_PROPOSAL("child_no_proposal"),
        TS_UNACCEPTABLE("ts_unacceptable"),
        DH_FAILED("dh_failed");

        final String tag;

        Failure(String tag) {
            this.tag = tag;
        }
    }

    private final MeterRegistry registry;
    private final Map<Ikev2DropReason, Counter> dropped = new EnumMap<>(Ikev2DropReason.class);
    private final Map<Failure, Counter> failures = new EnumMap<>(Failure.class);
    private final Map<String, Counter> rekeys = new ConcurrentHashMap<>();
    private final Counter established;
    private final Map<net.l2sec.spi.auth.AuthMethod, Counter> logins = new EnumMap<>(net.l2sec.spi.auth.AuthMethod.class);
    private final Counter cookiesSent;
    private final Counter mobikeUpdates;
    private final Counter replaced;
    private final Counter deletesReceived;
    private final Map<net.l2sec.dataplane.auth.eap.EapDiscard, Counter> eapDiscarded =
            new EnumMap<>(net.l2sec.dataplane.auth.eap.EapDiscard.class);

    Ikev2Metrics(MeterRegistry registry, IntSupplier halfOpen, IntSupplier establishedNow) {
        this.registry = registry;
        for (Ikev2DropReason r : Ikev2DropReason.values()) {
            dropped.put(r, Counter.builder("l2sec.ikev2.packets.dropped").tag("reason", r.tag())
                    .description("IKEv2 datagrams dropped, by reason").register(registry));
        }
        // the methods an IKEv2 client authenticates with, at 0 from the start
        for (var m : java.util.List.of(net.l2sec.spi.auth.AuthMethod.EAP_MSCHAPV2, net.l2sec.spi.auth.AuthMethod.IKEV2_PSK,
                net.l2sec.spi.auth.AuthMethod.IKEV2_CERTIFICATE)) {
            logins.put(m, Counter.builder("l2sec.ikev2.logins").tag("method", m.configName())
                    .description("IKEv2 clients whose IKE_AUTH ended with a session, by how they authenticated").register(registry));
        }
        for (Failure f : Failure.values()) {
            failures.put(f, Counter.builder("l2sec.ikev2.sa.failures").tag("reason", f.tag)
                    .description("IKEv2 SAs that failed to become established, by reason").register(registry));
        }
        established = Counter.builder("l2sec.ikev2.sa.established").description("IKEv2 SAs established (IKE_AUTH done)")
                .register(registry);
        cookiesSent = Counter.builder("l2sec.ikev2.cookies.sent")
                .description("IKE_SA_INIT requests answered with a COOKIE (RFC 7296 section 2.6) under load").register(registry);
        mobikeUpdates = Counter.builder("l2sec.ikev2.mobike.updates")
                .description("MOBIKE address updates (RFC 4555 UPDATE_SA_ADDRESSES) applied").register(registry);
        replaced = Counter.builder("l2sec.ikev2.initial.contact.replaced")
                .description("Older IKE SAs ended because their client connected again with INITIAL_CONTACT (RFC 7296 section 2.4)")
                .register(registry);
        deletesReceived = Counter.builder("l2sec.ikev2.deletes.received")
                .description("IKE SAs the client deleted (INFORMATIONAL Delete)").register(registry);
        for (String kind : new String[] {"child", "ike"}) rekey(kind);
        for (var d : net.l2sec.dataplane.auth.eap.EapDiscard.values()) {
            eapDiscarded.put(d, Counter.builder("l2sec.ikev2.eap.discarded").tag("reason", d.label())
                    .description("EAP Responses discarded in IKE_AUTH (RFC 3748 section 4.1), by reason").register(registry));
        }
        Gauge.builder("l2sec.ikev2.sas", halfOpen::getAsInt).tag("state", "half_open")
                .description("IKEv2 SAs by state").register(registry);
        Gauge.builder("l2sec.ikev2.sas", establishedNow::getAsInt).tag("state", "established")
                .description("IKEv2 SAs by state").register(registry);
    }

    /** An EAP Response discarded inside IKE_AUTH (RFC 3748 section 4.1), by why. */
    void eapDiscarded(net.l2sec.dataplane.auth.eap.EapDiscard reason) {
        eapDiscarded.get(reason).increment();
    }

    void dropped(Ikev2DropReason reason) {
        dropped.get(reason).increment();
    }

    void failed(Failure failure) {
        failures.get(failure).increment();
    }

    void established() {
        established.increment();
    }

    void loggedIn(net.l2sec.spi.auth.AuthMethod method) {
        Counter c = logins.get(method);
        if (c != null) c.increment();
    }

    void cookieSent() {
        cookiesSent.increment();
    }

    void replaced() {
        replaced.increment();
    }

    void mobikeUpdate() {
        mobikeUpdates.increment();
    }

    void deleteReceived() {
        deletesReceived.increment();
    }

    void rekeyed(String kind) {
        rekey(kind).increment();
    }

    private Counter rekey(String kind) {
        return rekeys.computeIfAbsent(kind, k -> Counter.builder("l2sec.ikev2.rekeys").tag("sa", k)
                .description("IKEv2 rekeys by CREATE_CHILD_SA, by the SA rekeyed").register(registry));
    }
}
