package net.l2sec.dataplane.ppp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import java.net.Inet6Address;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.random.RandomGenerator;
import net.l2sec.dataplane.ip.ClientRoutes;
import net.l2sec.dataplane.ip.Ipv6;
import net.l2sec.dataplane.ip.Ipv6Prefix;
import net.l2sec.dataplane.ip.nd.InvalidNdMessageException;
import net.l2sec.dataplane.ip.nd.NdCodec;
import net.l2sec.dataplane.ip.nd.NdMessage;
import net.l2sec.dataplane.ip.nd.NdMessage.RouterAdvertisement;
import net.l2sec.dataplane.ip.nd.NdOption;
import net.l2sec.dataplane.ip.nd.RouterPreference;
import net.l2sec.dataplane.ppp.cp.ControlPacket;
import net.l2sec.dataplane.ppp.cp.ControlPacketCodec;
import net.l2sec.dataplane.ppp.cp.LayerActions;
import net.l2sec.dataplane.ppp.cp.NegotiationAutomaton;
import net.l2sec.dataplane.ppp.frame.PppProtocol;
import net.l2sec.dataplane.ppp.ipv6cp.Ipv6cpOptions;
import net.l2sec.spi.time.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Network-Layer Protocol phase for IPv6 (RFC 1661 section 3.4) of one LCP opening: IPV6CP (RFC 5072) agrees on
 * the two Interface-Identifiers, then the concentrator is the IPv6 router of the PPP link. While IPV6CP is Opened
 * the session's /64 is routed to its {@link PacketPath}, and Router Advertisements (RFC 4861 section 6.2) from our
 * link-local address fe80::IID carry the /64 for SLAAC (Prefix Information with the A and L flags, RFC 4862), the
 * configured Default Router Preference (RFC 4191), the link MTU and, when configured, the DNS servers (RDNSS, RFC 8106): unsolicited ones when IPV6CP opens and then
 * from time to time (section 6.2.4), and answers to Router Solicitations (section 6.2.6).
 *
 * <p>IPv6 is an addition to the session: when IPV6CP fails, is rejected or times out, the session goes on with
 * IPv4 only.
 */
final class Ipv6NetworkLayer {
    /** The session's log lines, under the session's logger. */
    private static final Logger log = LoggerFactory.getLogger(PppSession.class);

    /** RFC 4861 section 10: the first advertisements come faster. */
    static final int MAX_INITIAL_RTR_ADVERTISEMENTS = 3;
    static final Duration MAX_INITIAL_RTR_ADVERT_INTERVAL = Duration.ofSeconds(16);
    /** Section 10: advertisements on one interface at most this often. */
    static final Duration MIN_DELAY_BETWEEN_RAS = Duration.ofSeconds(3);
    /** Section 6.2.1 AdvValidLifetime and AdvPreferredLifetime defaults, seconds. */
    static final long VALID_LIFETIME = 2_592_000;
    static final long PREFERRED_LIFETIME = 604_800;
    /** Section 6.2.1 AdvCurHopLimit: the Internet's default TTL (RFC 1700 era value hosts commonly use). */
    static final int CUR_HOP_LIMIT = 64;
    /** RFC 8200 section 5: the smallest link MTU IPv6 allows. */
    static final int MIN_MTU = 1280;

    /** What the session hears from IPV6CP. */
    interface Actions {
        void send(PppProtocol protocol, byte[] packet);
    }

    private final String tag;
    private final long prefix64;
    private final Ipv6Prefix delegated;
    private final List<Inet6Address> dns;
    private final int mtu;
    private final Duration maxRtrAdvInterval;
    private final RouterPreference preference;
    private final ClientRoutes routes;
    private final PacketPath path;
    private final PppMeters meters;
    private final Scheduler scheduler;
    private final RandomGenerator random;
    private final Actions actions;
    private final Ipv6cpOptions options;
    private final NegotiationAutomaton ipv6cp;
    private boolean opened;
    private boolean delegatedRouted;
    private int advertisementsSent;
    private long lastAdvertisementNanos;
    private Scheduler.Timeout advertisementTimer;
    /** When the timer is a delayed answer to a solicitation rather than the next unsolicited advertisement. */
    private boolean answerPending;

    /**
     * @param prefix64           the session's /64 (upper 64 bits) from {@link net.l2sec.dataplane.session.PrefixAssignment}
     * @param assignedIdentifier the client's Interface-Identifier fixed by the authorization, if any
     * @param delegated          a prefix delegated to the client (RFC 4818), routed to it; null for none
     */
    Ipv6NetworkLayer(String tag, PppServices services, NegotiationAutomaton.Limits limits, long prefix64,
                     OptionalLong assignedIdentifier, Ipv6Prefix delegated, PacketPath path, Actions actions) {
        PppSettings settings = services.settings();
        this.tag = tag;
        this.prefix64 = prefix64;
        this.delegated = delegated;
        this.dns = settings.ipv6().dns();
        this.mtu = Math.max(MIN_MTU, settings.mru());
        this.maxRtrAdvInterval = settings.ipv6().maxRtrAdvInterval();
        this.preference = settings.ipv6().routerPreference();
        this.routes = services.routes();
        this.path = path;
        this.meters = services.meters();
        this.scheduler = services.scheduler();
        this.random = services.random();
        this.actions = actions;
        this.options = new Ipv6cpOptions(services.random(), assignedIdentifier);
        this.ipv6cp = new NegotiationAutomaton(options, new Ipv6cpActions(), scheduler, limits, services.random().nextInt(256));
    }

    /** The Network phase began: IPV6CP negotiates. */
    void start() {
        ipv6cp.open();
        ipv6cp.up();
    }

    void receive(ControlPacket packet) {
        ipv6cp.receive(packet);
    }

    /** The peer sent an LCP Protocol-Reject for IPV6CP: it does not do IPv6 (RXJ-); IPv4 goes on. */
    void rejected() {
        ipv6cp.rxjMinus();
    }

    /** LCP went down or the session ends. */
    void stop() {
        ipv6cp.down();
        ipv6cp.shutdown();
        down();
    }

    boolean isOpened() {
        return opened;
    }

    private void down() {
        cancelTimer();
        if (!opened) return;
        opened = false;
        path.close6();
        routes.unregister6(prefix64, path);
        if (delegatedRouted) routes.unregisterDelegated(delegated, path);
        delegatedRouted = false;
        meters.ipv6cpDown();
    }

    /**
     * An IPv6 packet from the client to a link-scope destination; ownership passes here. A valid Router
     * Solicitation (RFC 4861 section 6.1.1) is answered; everything else stays on the link, counted.
     */
    void fromLink(ByteBuf packet) {
        if (!NdCodec.isIcmpv6(packet, NdMessage.ROUTER_SOLICITATION)) {
            path.dropLinkScope(packet, PppIpDropReason.LINK_SCOPE);
            return;
        }
        try {
            NdCodec.decode(packet);
        } catch (InvalidNdMessageException e) {
            log.debug("session={} router solicitation dropped: {}", tag, e.getMessage());
            path.dropLinkScope(packet, PppIpDropReason.INVALID_ND);
            return;
        }
        packet.release();
        solicited();
    }

    /**
     * Section 6.2.6: a solicitation is answered at once unless an advertisement went out less than
     * MIN_DELAY_BETWEEN_RAS ago, then at that time. On a point-to-point link the one solicitor is the client, so
     * the random delay that spreads many hosts' answers is left out.
     */
    private void solicited() {
        if (!opened || answerPending) return;
        long since = scheduler.nanoTime() - lastAdvertisementNanos;
        long wait = MIN_DELAY_BETWEEN_RAS.toNanos() - since;
        if (advertisementsSent == 0 || wait <= 0) {
            advertise(true);
            return;
        }
        cancelTimer();
        answerPending = true;
        advertisementTimer = scheduler.schedule(Duration.ofNanos(wait), () -> {
            advertisementTimer = null;
            answerPending = false;
            advertise(true);
        });
    }

    /** Sends a Router Advertisement to all-nodes and schedules the next unsolicited one (section 6.2.4). */
    private void advertise(boolean solicited) {
        if (!opened) return;
        actions.send(PppProtocol.IPV6, advertisement());
        meters.routerAdvertisement(solicited);
        advertisementsSent++;
        lastAdvertisementNanos = scheduler.nanoTime();
        cancelTimer();
        advertisementTimer = scheduler.schedule(nextInterval(), () -> {
            advertisementTimer = null;
            advertise(false);
        });
    }

    /** Section 6.2.4: uniformly between MinRtrAdvInterval (0.33 MaxRtrAdvInterval) and MaxRtrAdvInterval; the first few at most 16 s. */
    private Duration nextInterval() {
        long max = maxRtrAdvInterval.toMillis();
        long min = max * 33 / 100;
        Duration d = Duration.ofMillis(min + random.nextLong(max - min + 1));
        if (advertisementsSent < MAX_INITIAL_RTR_ADVERTISEMENTS && d.compareTo(MAX_INITIAL_RTR_ADVERT_INTERVAL) > 0) {
            d = MAX_INITIAL_RTR_ADVERT_INTERVAL;
        }
        return d;
    }

    /** The whole IPv6 packet of our Router Advertisement. */
    byte[] advertisement() {
        int routerLifetime = (int) Math.min(9000, 3 * maxRtrAdvInterval.toSeconds());   // section 6.2.1 AdvDefaultLifetime
        List<NdOption> o = new ArrayList<>();
        o.add(new NdOption.PrefixInformation(new Ipv6Prefix(prefix64, 64), true, true, VALID_LIFETIME, PREFERRED_LIFETIME));
        o.add(new NdOption.Mtu(mtu));
        if (!dns.isEmpty()) o.add(new NdOption.RecursiveDnsServer(routerLifetime, dns));   // RFC 8106 section 5.1
        var ra = new RouterAdvertisement(CUR_HOP_LIMIT, false, false, preference, routerLifetime, 0, 0, o);
        ByteBuf b = NdCodec.encode(ByteBufAllocator.DEFAULT, 0, ra, Ipv6.LINK_LOCAL_PREFIX, options.localIdentifier(),
                Ipv6.ALL_NODES_HIGH, Ipv6.ALL_NODES_LOW);
        try {
            return ByteBufUtil.getBytes(b);
        } finally {
            b.release();
        }
    }

    private void cancelTimer() {
        if (advertisementTimer != null) {
            advertisementTimer.cancel();
            advertisementTimer = null;
        }
        answerPending = false;
    }

    private final class Ipv6cpActions implements LayerActions {
        @Override
        public void send(ControlPacket packet) {
            actions.send(PppProtocol.IPV6CP, ControlPacketCodec.encode(packet));
        }

        @Override
        public void thisLayerUp() {
            if (!routes.register6(prefix64, path)) {
                log.warn("session={} ipv6 prefix {}/64 already routed to another session: IPv4 only", tag, Ipv6.text(prefix64, 0));
                return;
            }
            if (delegated != null) {
                delegatedRouted = routes.registerDelegated(delegated, path);
                if (!delegatedRouted) log.warn("session={} delegated prefix {} overlaps another session's: not routed", tag, delegated);
            }
            opened = true;
            long peer = options.peerIdentifier().orElse(0);
            path.open6(prefix64, peer, delegatedRouted ? delegated : null, Ipv6NetworkLayer.this::fromLink);
            meters.ipv6cpUp();
            log.info("session={} ipv6cp up prefix={}/64 link-local={} peer-link-local={}{}", tag, Ipv6.text(prefix64, 0),
                    Ipv6.text(Ipv6.LINK_LOCAL_PREFIX, options.localIdentifier()),
                    peer == 0 ? "-" : Ipv6.text(Ipv6.LINK_LOCAL_PREFIX, peer),
                    delegatedRouted ? " delegated=" + delegated : "");
            advertise(false);
        }

        @Override
        public void thisLayerDown() {
            down();
        }

        /** IPV6CP gave up (the client does not answer it, or closed it): the session goes on with IPv4. */
        @Override
        public void thisLayerFinished() {
            log.info("session={} ipv6cp finished: IPv4 only", tag);
        }
    }
}
