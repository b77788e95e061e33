package net.l2sec.concentrator;

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
import net.l2sec.dataplane.ike.IkeResponder;
import net.l2sec.dataplane.ike.IkeSettings;
import net.l2sec.dataplane.udp.ChannelDatagramSender;
import net.l2sec.dataplane.ipsec.DatagramSender;
import net.l2sec.dataplane.udp.EncapsulatedDatagramHandler;
import net.l2sec.dataplane.udp.IkeDatagramHandler;
import net.l2sec.dataplane.ipsec.UdpEncapsulationDemux;
import net.l2sec.dataplane.l2tp.L2tpNetworkServer;
import net.l2sec.dataplane.udp.LocalAddressSockets;
import net.l2sec.spi.time.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * IPsec: the IKEv1 responder, the ESP endpoint it keys, and their sockets on every local address: IKE on UDP/500,
 * IKE (after the non-ESP marker) and UDP-encapsulated ESP on UDP/4500 (RFC 3948). ESP hands the L2TP it decrypts
 * to the LNS. Everything but {@link #start} and {@link #closeSockets} runs on the event loop.
 */
record IpsecWiring(IkeResponder ike, EspEndpoint esp, LocalAddressSockets ikeSockets, LocalAddressSockets nattSockets,
                   CryptoWorkers crypto) {
    private static final Logger log = LoggerFactory.getLogger(Concentrator.class);
    static final String LISTEN_OR_ENABLING = "ipsec.listen-ike / listen-natt / enabling IPsec";
    static final String DISABLING = "ipsec.psk-file / certificate (disabling IPsec)";
    static final String CRYPTO_WORKERS = "ipsec.crypto-workers";

    /** ESP's lifetime events drive IKE: a rekey we initiate at the soft limit, a Delete at expiry. */
    private record SaEventsToIke(IkeResponder ike) implements EspEndpoint.SaEvents {
        @Override
        public void rekeyNeeded(String ikeSaTag, int inboundSpi, String why) {
            ike.rekeyChildSa(ikeSaTag, inboundSpi, why);
        }

        @Override
        public void expired(String ikeSaTag, int inboundSpi) {
            ike.childSaExpired(ikeSaTag, inboundSpi);
        }
    }

    /** Starts IKE and ESP and binds their ports (closed again if one cannot be bound). */
    static IpsecWiring start(ConcentratorConfig.Ipsec config, IkeSettings settings, L2tpNetworkServer l2tp,
                             Scheduler scheduler, MeterRegistry registry, LocalAddresses addresses)
            throws IOException, InterruptedException {
        LocalAddressSockets ikeSockets = addresses.port("ike", config.ikeListen());
        LocalAddressSockets nattSockets = addresses.port("natt", config.nattListen());
        DatagramSender sender = ChannelDatagramSender.over(ikeSockets, nattSockets);
        EspEndpoint esp = new EspEndpoint(l2tp, sender, scheduler, registry, config.replayWindow());
        // Diffie-Hellman off the event loop, which carries every established client's packets too
        CryptoWorkers crypto = CryptoWorkers.pool(config.cryptoWorkers());
        IkeResponder ike = new IkeResponder(settings, esp, sender, scheduler, registry, crypto);
        esp.saEvents(new SaEventsToIke(ike));
        UdpEncapsulationDemux demux = new UdpEncapsulationDemux(ike, esp, registry);
        IpsecWiring ipsec = new IpsecWiring(ike, esp, ikeSockets, nattSockets, crypto);
        try {
            addresses.open(ikeSockets, local -> new IkeDatagramHandler(ike, local));
            addresses.open(nattSockets, local -> new EncapsulatedDatagramHandler(demux, local));
        } catch (IOException | InterruptedException | RuntimeException e) {
            ipsec.closeSockets();
            throw e;
        }
        return ipsec;
    }

    /** Logs where IKE is served, once the host's addresses were read. */
    void logReady(Set<InetAddress> local, Optional<String> localId) {
        boolean wildcard = ikeSockets.listen().getAddress().isAnyLocalAddress();
        log.info("ipsec ready ike={} natt={} local-addresses={}{}", ikeSockets.listen(), nattSockets.listen(),
                wildcard ? local.stream().filter(ikeSockets::accepts).map(InetAddress::getHostAddress).sorted().toList()
                        : List.of(ikeSockets.listen().getAddress().getHostAddress()),
                localId.map(id -> " local-id=" + id).orElse(""));
    }

    /**
     * Applies the next proposals, keys and limits to SAs negotiated from now on (established ones keep theirs);
     * returns what needs a restart: other listen addresses, or IPsec turned off. Call on the event loop.
     */
    List<String> reload(ConcentratorConfig.Ipsec before, ConcentratorConfig.Ipsec next) {
        List<String> restart = new ArrayList<>();
        if (!next.ikeListen().equals(before.ikeListen()) || !next.nattListen().equals(before.nattListen())) {
            restart.add(LISTEN_OR_ENABLING);
        }
        if (next.cryptoWorkers() != before.cryptoWorkers()) restart.add(CRYPTO_WORKERS);
        next.ike().ifPresentOrElse(ike::updateSettings, () -> restart.add(DISABLING));
        return restart;
    }

    /** What needs a restart while IPsec is off: other listen addresses, or IPsec turned on. */
    static List<String> restartNeededWhileOff(ConcentratorConfig.Ipsec before, ConcentratorConfig.Ipsec next) {
        boolean listen = !next.ikeListen().equals(before.ikeListen()) || !next.nattListen().equals(before.nattListen());
        return listen || next.ike().isPresent() ? List.of(LISTEN_OR_ENABLING) : List.of();
    }

    /** Sends every peer a Delete for each of its SAs (shutdown). Call on the event loop. */
    void deleteSas() {
        ike.close();
    }

    /** Closes both ports' sockets and stops the crypto workers. Call from outside the event loop. */
    void closeSockets() {
        ikeSockets.close();
        nattSockets.close();
        crypto.close();
    }
}
