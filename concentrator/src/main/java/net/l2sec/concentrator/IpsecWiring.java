package net.l2sec.concentrator;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import net.l2sec.concentrator.config.ConcentratorConfig;
import net.l2sec.dataplane.esp.EspEndpoint;
import net.l2sec.dataplane.ike.CryptoWorkers;
import net.l2sec.dataplane.ike.IkeBacklog;
import net.l2sec.dataplane.ike.IkeResponder;
import net.l2sec.dataplane.ike.IkeSettings;
import net.l2sec.dataplane.ikev2.Ikev2Responder;
import net.l2sec.spi.auth.Authenticator;
import net.l2sec.dataplane.udp.ChannelDatagramSender;
import net.l2sec.dataplane.ipsec.DatagramSender;
import net.l2sec.dataplane.udp.SteeredDatagramHandler;
import net.l2sec.dataplane.ipsec.UdpEncapsulationDemux;
import net.l2sec.dataplane.udp.LocalAddressSockets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * IPsec: per worker, the IKEv1 responder and the ESP endpoint it keys, and their sockets on every local address:
 * IKE on UDP/500, IKE (after the non-ESP marker) and UDP-encapsulated ESP on UDP/4500 (RFC 3948), each worker's
 * socket beside the others' ({@code SO_REUSEPORT}) and steered by the client's address, so that a client's IKE
 * SAs, ESP SAs and L2TP stay on its worker. ESP hands the L2TP it decrypts to its worker's LNS. The crypto workers
 * are shared. Each worker's responder gets an equal share of the process-wide phase-1 bounds
 * ({@link #shareOf}); the per-source bounds hold as they are, a source's datagrams all going to one worker.
 */
record IpsecWiring(List<IkeResponder> ikes, List<Optional<Ikev2Responder>> ikev2s, List<EspEndpoint> esps,
                   LocalAddresses.Port ikeSockets, LocalAddresses.Port nattSockets, CryptoWorkers crypto) {
    private static final Logger log = LoggerFactory.getLogger(Concentrator.class);
    static final String LISTEN_OR_ENABLING = "ipsec.listen-ike / listen-natt / enabling IPsec";
    static final String DISABLING = "ipsec.psk-file / certificate (disabling IPsec)";
    static final String CRYPTO_WORKERS = "ipsec.crypto-workers / crypto-nice";
    static final String IKEV2_ENABLED = "ipsec.ikev2.enabled";

    /**
     * ESP's lifetime events drive IKE: a rekey we initiate at the soft limit, a Delete at expiry. Child SAs of IKEv2
     * SAs (their tags start with {@code ike2=}) go to the IKEv2 responder.
     */
    private record SaEventsToIke(IkeResponder ike, Optional<Ikev2Responder> ikev2) implements EspEndpoint.SaEvents {
        @Override
        public void rekeyNeeded(String ikeSaTag, int inboundSpi, String why) {
            if (ikev2.isPresent() && Ikev2Responder.owns(ikeSaTag)) ikev2.get().rekeyChildSa(ikeSaTag, inboundSpi);
            else ike.rekeyChildSa(ikeSaTag, inboundSpi, why);
        }

        @Override
        public void expired(String ikeSaTag, int inboundSpi) {
            if (ikev2.isPresent() && Ikev2Responder.owns(ikeSaTag)) ikev2.get().childSaExpired(ikeSaTag, inboundSpi);
            else ike.childSaExpired(ikeSaTag, inboundSpi);
        }
    }

    /** Starts IKE and ESP on every worker and binds their ports (closed again if one cannot be bound). */
    static IpsecWiring start(ConcentratorConfig.Ipsec config, IkeSettings settings, L2tpWiring l2tp, Workers workers,
                             MeterRegistry registry, LocalAddresses addresses, Authenticator authenticator)
            throws IOException, InterruptedException {
        LocalAddresses.Port ikeSockets = addresses.port("ike", config.ikeListen());
        LocalAddresses.Port nattSockets = addresses.port("natt", config.nattListen());
        // Diffie-Hellman off the event loops, which carry every established client's packets too
        CryptoWorkers crypto = CryptoWorkers.pool(config.cryptoWorkers(), config.cryptoNice());
        List<IkeResponder> ikes = new ArrayList<>();
        List<Optional<Ikev2Responder>> ikev2s = new ArrayList<>();
        List<EspEndpoint> esps = new ArrayList<>();
        List<SteeredDatagramHandler.Worker> ikeTargets = new ArrayList<>();
        List<SteeredDatagramHandler.Worker> nattTargets = new ArrayList<>();
        IkeSettings share = shareOf(settings, workers.size());
        log.info("IKEv1 responder {} crypto={} workers={}", settings, crypto, workers.size());
        if (config.ikev2Enabled()) log.info("IKEv2 responder {} on the same ports", config.ikev2());
        else log.info("IKEv2 responder off (ipsec.ikev2.enabled: false)");
        for (Workers.Worker w : workers.all()) {
            DatagramSender sender = ChannelDatagramSender.over(ikeSockets.of(w.index()), nattSockets.of(w.index()));
            EspEndpoint esp = new EspEndpoint(l2tp.server(w.index()), sender, w.scheduler(), w.registry(), config.replayWindow());
            IkeResponder ike = new IkeResponder(share, esp, sender, w.scheduler(), w.registry(), crypto);
            Optional<Ikev2Responder> ikev2 = config.ikev2Enabled()
                    ? Optional.of(new Ikev2Responder(share, config.ikev2(), esp, sender, w.scheduler(), w.registry(), crypto,
                            new RemoteAccessPort(l2tp.remoteAccess(w.index())), authenticator))
                    : Optional.empty();
            esp.saEvents(new SaEventsToIke(ike, ikev2));
            // IKE waits its turn behind ESP on the worker's loop: a connect storm does not delay established clients
            IkeBacklog backlog = ike.yielding(IkeBacklog.Turns.of(w.loop()));
            // IKEv2 on the same sockets and behind the same backlog (RFC 7296 section 3.1: the header's major version)
            ikev2.ifPresent(v2 -> {
                ike.otherVersions(v2::receive);
                v2.continueOn(backlog);
            });
            ikev2s.add(ikev2);
            UdpEncapsulationDemux demux = new UdpEncapsulationDemux(backlog, backlog.behind(esp), w.registry());
            ikes.add(ike);
            esps.add(esp);
            ikeTargets.add(new SteeredDatagramHandler.Worker(w.loop(), backlog::receive));
            nattTargets.add(new SteeredDatagramHandler.Worker(w.loop(), demux::receive));
        }
        IpsecWiring ipsec = new IpsecWiring(List.copyOf(ikes), List.copyOf(ikev2s), List.copyOf(esps), ikeSockets, nattSockets, crypto);
        Counter ikeHandoffs = handoffs(registry, "ike");
        Counter nattHandoffs = handoffs(registry, "natt");
        try {
            addresses.open(ikeSockets, (worker, local) ->
                    new SteeredDatagramHandler(worker, ikeTargets, workers::ownerOf, local, ikeHandoffs));
            addresses.open(nattSockets, (worker, local) ->
                    new SteeredDatagramHandler(worker, nattTargets, workers::ownerOf, local, nattHandoffs));
        } catch (IOException | InterruptedException | RuntimeException e) {
            ipsec.closeSockets();
            throw e;
        }
        return ipsec;
    }

    private static Counter handoffs(MeterRegistry registry, String socket) {
        return Counter.builder("l2sec.listen.handoffs").tag("socket", socket)
                .description("Datagrams that reached another worker than the one owning their sender, handed over to it")
                .register(registry);
    }

    /**
     * One worker's share of the process-wide phase-1 bounds: the keyed phase 1s ({@code ipsec.limits.half-open})
     * and the memory of Main Modes between messages 1 and 3 ({@code half-open-memory-mib}) divided evenly (at least
     * one, and the 1 MiB minimum); per-source bounds stay whole.
     */
    static IkeSettings shareOf(IkeSettings settings, int workers) {
        if (workers <= 1) return settings;
        IkeSettings.HalfOpen h = settings.halfOpen();
        return settings.withLimits(Math.max(1, (settings.halfOpenLimit() + workers - 1) / workers), settings.newSasPerSourcePerSecond())
                .withHalfOpen(new IkeSettings.HalfOpen(Math.max(IkeSettings.HalfOpen.MIB, h.maxBytes() / workers), h.perSource()));
    }

    /** Logs where IKE is served, once the host's addresses were read. */
    void logReady(Set<InetAddress> local, Optional<String> localId) {
        LocalAddressSockets first = ikeSockets.of(0);
        boolean wildcard = first.listen().getAddress().isAnyLocalAddress();
        log.info("ipsec ready ike={} natt={} local-addresses={}{}", first.listen(), nattSockets.listen(),
                wildcard ? local.stream().filter(first::accepts).map(InetAddress::getHostAddress).sorted().toList()
                        : List.of(first.listen().getAddress().getHostAddress()),
                localId.map(id -> " local-id=" + id).orElse(""));
    }

    /**
     * Logs, at start and on reload, when the certificate serves IKEv2 only (an EC key, or no client CAs): IKEv1
     * then authenticates with the PSK alone (RSA signatures need our RSA key and the clients' CAs).
     */
    static void logCertificateUse(IkeSettings settings) {
        settings.certificates().filter(c -> !c.servesIkev1()).ifPresent(c -> log.warn(
                "ipsec certificate {} serves IKEv2 only ({}): IKEv1 (L2TP/IPsec) clients authenticate with {}",
                c.certificate().getSubjectX500Principal().getName(),
                c.rsa() ? "no ca-file: no client certificates accepted" : "an EC key: IKEv1 signatures are RSA only",
                settings.pskAuth() ? "the PSK" : "nothing: IKEv1 refuses every Main Mode (no_proposal_chosen)"));
    }

    /** Worker {@code worker}'s responder. */
    IkeResponder ike(int worker) {
        return ikes.get(worker);
    }

    /** Worker {@code worker}'s IKEv2 responder; empty with {@code ipsec.ikev2.enabled: false}. */
    Optional<Ikev2Responder> ikev2(int worker) {
        return ikev2s.get(worker);
    }

    /**
     * Applies the next proposals, keys and limits to SAs negotiated from now on (established ones keep theirs);
     * returns what needs a restart: other listen addresses, or IPsec turned off. Call from outside the loops.
     */
    List<String> reload(ConcentratorConfig.Ipsec before, ConcentratorConfig.Ipsec next, Workers workers) throws Exception {
        List<String> restart = restartNeededWhileOn(before, next);
        if (next.ike().isEmpty()) {
            restart.add(DISABLING);
            return restart;
        }
        IkeSettings share = shareOf(next.ike().get(), workers.size());
        log.info("IKEv1 responder reconfigured {}", next.ike().get());
        logCertificateUse(next.ike().get());
        workers.onEach(w -> {
            ikes.get(w.index()).updateSettings(share);
            ikev2s.get(w.index()).ifPresent(v2 -> v2.updateSettings(share, next.ikev2()));
            return null;
        }, 10);
        return restart;
    }

    /**
     * What of a reload needs a restart while IPsec is on: other listen addresses, other crypto workers, or IKEv2
     * turned on or off (that changes who answers IKE_SA_INIT on the shared sockets; IKEv2's other settings apply to
     * IKE SAs negotiated from then on).
     */
    static List<String> restartNeededWhileOn(ConcentratorConfig.Ipsec before, ConcentratorConfig.Ipsec next) {
        List<String> restart = new ArrayList<>();
        if (!next.ikeListen().equals(before.ikeListen()) || !next.nattListen().equals(before.nattListen())) {
            restart.add(LISTEN_OR_ENABLING);
        }
        if (next.cryptoWorkers() != before.cryptoWorkers() || next.cryptoNice() != before.cryptoNice()) restart.add(CRYPTO_WORKERS);
        if (next.ikev2().enabled() != before.ikev2().enabled()) restart.add(IKEV2_ENABLED);
        return restart;
    }

    /** What needs a restart while IPsec is off: other listen addresses, or IPsec turned on. */
    static List<String> restartNeededWhileOff(ConcentratorConfig.Ipsec before, ConcentratorConfig.Ipsec next) {
        boolean listen = !next.ikeListen().equals(before.ikeListen()) || !next.nattListen().equals(before.nattListen());
        return listen || next.ike().isPresent() ? List.of(LISTEN_OR_ENABLING) : List.of();
    }

    /** Sends every peer of worker {@code worker} a Delete for each of its SAs (shutdown). Call on that worker's loop. */
    void deleteSas(int worker) {
        ikes.get(worker).close();
        ikev2s.get(worker).ifPresent(Ikev2Responder::close);
    }

    /** Closes both ports' sockets and stops the crypto workers. Call from outside the event loops. */
    void closeSockets() {
        ikeSockets.close();
        nattSockets.close();
        crypto.close();
    }
}
