package net.l2sec.aaa.radius;

import io.micrometer.core.instrument.MeterRegistry;
import java.io.ByteArrayOutputStream;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.l2sec.aaa.LogText;
import net.l2sec.spi.session.SessionProtocol;
import net.l2sec.spi.session.SessionContext;
import net.l2sec.spi.auth.AuthMethod;
import net.l2sec.spi.auth.AuthRequest;
import net.l2sec.spi.auth.AuthResult;
import net.l2sec.spi.auth.Authenticator;
import net.l2sec.spi.auth.Authorization;
import net.l2sec.spi.auth.Ipv6Framing;
import net.l2sec.spi.auth.ChapCredentials;
import net.l2sec.spi.auth.EapCredentials;
import net.l2sec.spi.auth.Ipv4Route;
import net.l2sec.spi.auth.MsChapV2Credentials;
import net.l2sec.spi.auth.PapCredentials;
import net.l2sec.spi.auth.ProvenIdentity;
import net.l2sec.spi.auth.RateLimit;
import net.l2sec.spi.auth.RejectReason;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tinyradius.core.RadiusPacketException;
import org.tinyradius.core.attribute.AttributeTemplate;
import org.tinyradius.core.attribute.type.RadiusAttribute;
import org.tinyradius.core.attribute.type.VendorSpecificAttribute;
import org.tinyradius.core.dictionary.Dictionary;
import org.tinyradius.core.packet.request.RadiusRequest;
import org.tinyradius.core.packet.response.RadiusResponse;

/**
 * Authenticates PPP sessions against RADIUS servers (RFC 2865): PAP, CHAP-MD5, MS-CHAPv2 (RFC 2548) and EAP
 * pass-through (RFC 3579). The {@link RadiusSender} (normally {@link RadiusTransport#authentication}) adds the
 * Message-Authenticator, retransmits and fails over. {@link #close} closes the sender when it is closeable (the
 * transport's sockets).
 *
 * <p>The accepted user (RFC 2865 section 5.1) is the User-Name of the Access-Accept when it carries a non-empty
 * one (the server's canonical name for the user), else the name the request presented: the name the dataplane
 * verified (PAP Peer-ID, CHAP Name, MS-CHAPv2 Name; for EAP the EAP identity, which the dataplane has checked
 * against the name inside the EAP method).
 *
 * <p>An IKEv2 client that IKE authenticated with the pre-shared key or a certificate ({@link ProvenIdentity}) is
 * refused as {@link RejectReason#METHOD_UNSUPPORTED} without a packet: an Access-Request must carry a User-Password,
 * a CHAP-Password or a State (RFC 2865 section 4.1), or an EAP-Message (RFC 3579), and there is no credential to
 * put in one. The policy then asks the route's next backend.
 */
public final class RadiusAuthenticator implements Authenticator, AutoCloseable {
    /** The detail of the refusal of a {@link ProvenIdentity}. */
    static final String CANNOT_AUTHORIZE = "RADIUS cannot authorize an IKEv2 PSK or certificate client: an Access-Request"
            + " needs a password or EAP to send (route ikev2-psk and ikev2-certificate to local or ldap)";

    /** The {@link Authorization#rule()} of every accept. */
    public static final String RULE = "radius";

    private static final Logger log = LoggerFactory.getLogger(RadiusAuthenticator.class);
    private static final int MS = RadiusDictionary.MICROSOFT;
    /** RFC 3579 section 3.1: EAP packets longer than 253 octets span consecutive EAP-Message attributes. */
    private static final int MAX_ATTRIBUTE_VALUE = 253;
    /** RFC 3748 section 7.10: an MSK is at least 64 octets. */
    private static final int MSK_LENGTH = 64;
    private static final Pattern MS_CHAP_ERROR_CODE = Pattern.compile("E=(\\d+)");
    private static final Pattern MS_CHAP2_SUCCESS_VALUE = Pattern.compile("S=([0-9A-Fa-f]{40})");

    private final RadiusClientSettings settings;
    private final RadiusSender sender;
    private final Dictionary dictionary = RadiusDictionary.get();

    public RadiusAuthenticator(RadiusClientSettings settings, RadiusSender sender) {
        this.settings = settings;
        this.sender = sender;
    }

    /** With a {@link RadiusTransport#authentication} transport to the configured servers. */
    public static RadiusAuthenticator create(RadiusClientSettings settings, MeterRegistry registry) {
        return new RadiusAuthenticator(settings, RadiusTransport.authentication(settings, registry));
    }

    @Override
    public boolean relaysEap() {
        return true;
    }

    @Override
    public CompletionStage<AuthResult> authenticate(AuthRequest request) {
        if (request.credentials() instanceof ProvenIdentity) {
            AuthResult result = new AuthResult.Reject(RejectReason.METHOD_UNSUPPORTED, CANNOT_AUTHORIZE);
            log.info("radius auth session={} user={} method={} {}", request.session().tag(),
                    LogText.escape(request.credentials().user()), request.method().configName(), describe(result));
            return java.util.concurrent.CompletableFuture.completedFuture(result);
        }
        RadiusRequest packet;
        try {
            packet = accessRequest(request);
        } catch (IllegalArgumentException e) {
            return java.util.concurrent.CompletableFuture.completedFuture(
                    new AuthResult.Reject(RejectReason.PEER_PROTOCOL, LogText.escape(e.getMessage())));
        } catch (RadiusPacketException e) {
            return java.util.concurrent.CompletableFuture.completedFuture(
                    new AuthResult.Reject(RejectReason.BACKEND_ERROR, "cannot build Access-Request: " + LogText.escape(e.getMessage())));
        }
        return sender.send(packet).handle((response, failure) -> {
            AuthResult result = failure == null ? decide(request, response) : failed(failure);
            log.info("radius auth session={} user={} method={} {}", request.session().tag(),
                    LogText.escape(request.credentials().user()), request.method().configName(), describe(result));
            return result;
        });
    }

    /** The Access-Request for {@code request} (without Message-Authenticator, which the transport adds). */
    RadiusRequest accessRequest(AuthRequest request) throws RadiusPacketException {
        List<RadiusAttribute> attrs = new ArrayList<>();
        attrs.add(dictionary.createAttribute("User-Name", request.credentials().user()));
        switch (request.credentials()) {
            case PapCredentials pap when request.method() == AuthMethod.PAP ->
                    // RFC 2865 section 5.2: hidden by the transport with each server's secret
                    attrs.add(attribute("User-Password", pap.password()));
            case ChapCredentials chap when request.method() == AuthMethod.CHAP_MD5 || request.method() == AuthMethod.EAP_MD5 -> {
                // RFC 2865 section 5.3: CHAP Ident followed by the 16-octet response; section 5.40 the challenge
                byte[] value = new byte[17];
                value[0] = (byte) chap.identifier();
                byte[] response = chap.response();
                if (response.length != 16) throw new IllegalArgumentException("CHAP response is not 16 octets");
                System.arraycopy(response, 0, value, 1, 16);
                attrs.add(attribute("CHAP-Password", value));
                attrs.add(attribute("CHAP-Challenge", chap.challenge()));
            }
            case MsChapV2Credentials ms when request.method() == AuthMethod.MSCHAPV2 || request.method() == AuthMethod.EAP_MSCHAPV2 -> {
                // RFC 2548 section 2.3.2: Ident, Flags, Peer-Challenge (16), Reserved (8 zero), Response (24)
                ByteBuffer value = ByteBuffer.allocate(50);
                value.put((byte) 0).put((byte) 0).put(ms.peerChallenge()).put(new byte[8]).put(ms.ntResponse());
                attrs.add(vsa("MS-CHAP-Challenge", ms.authenticatorChallenge()));
                attrs.add(vsa("MS-CHAP2-Response", value.array()));
            }
            case EapCredentials eap -> {
                byte[] packet = eap.eapPacket();
                if (packet.length < 4) throw new IllegalArgumentException("EAP packet shorter than its header");
                for (int i = 0; i < packet.length; i += MAX_ATTRIBUTE_VALUE) {
                    attrs.add(attribute("EAP-Message", Arrays.copyOfRange(packet, i, Math.min(packet.length, i + MAX_ATTRIBUTE_VALUE))));
                }
                byte[] state = eap.state();
                if (state.length > 0) attrs.add(attribute("State", state));
            }
            default -> throw new IllegalArgumentException(request.method().configName() + " request carried "
                    + request.credentials().getClass().getSimpleName());
        }
        addNasAttributes(attrs, request.session());
        return RadiusRequest.create(dictionary, (byte) RadiusWire.ACCESS_REQUEST, (byte) 0, new byte[16], attrs);
    }

    /** The attribute the dictionary calls {@code name}, with {@code value} as its octets. */
    private RadiusAttribute attribute(String name, byte[] value) {
        return template(name).create(dictionary, (byte) 0, value);
    }

    /** A tagged attribute (RFC 2868 section 3) the dictionary calls {@code name}, with its textual value. */
    private RadiusAttribute attribute(String name, byte tag, String value) {
        return template(name).create(dictionary, tag, value);
    }

    /** A Microsoft attribute (RFC 2548) inside a Vendor-Specific attribute. */
    private RadiusAttribute vsa(String name, byte[] value) {
        return new VendorSpecificAttribute(dictionary, MS, List.of(attribute(name, value)));
    }

    private AttributeTemplate template(String name) {
        return dictionary.getAttributeTemplate(name)
                .orElseThrow(() -> new IllegalStateException("attribute " + name + " missing from " + RadiusDictionary.RESOURCE));
    }

    private void addNasAttributes(List<RadiusAttribute> attrs, SessionContext session) {
        settings.nasIpAddress().ifPresent(ip -> attrs.add(dictionary.createAttribute("NAS-IP-Address", ip.getHostAddress())));
        attrs.add(dictionary.createAttribute("NAS-Identifier", settings.nasIdentifier()));
        // 32 bits, unsigned: a tunnel ID above 32767 makes it larger than an int (RFC 2865 section 5.5)
        attrs.add(attribute("NAS-Port", ByteBuffer.allocate(4).putInt((int) session.nasPort()).array()));
        attrs.add(dictionary.createAttribute("NAS-Port-Type", "Virtual"));
        attrs.add(dictionary.createAttribute("Service-Type", "Framed"));
        // an IKEv2 client's session has no PPP (RFC 2865 section 5.7 has no IPsec value): no Framed-Protocol
        boolean ikev2 = session.protocol() == SessionProtocol.IKEV2;
        if (!ikev2) attrs.add(dictionary.createAttribute("Framed-Protocol", "PPP"));
        InetAddress client = session.peer().getAddress();
        String clientIp = client.getHostAddress();
        attrs.add(dictionary.createAttribute("Calling-Station-Id", clientIp));
        // RFC 2868 section 3: all three describe the same (one) tunnel, so they share a tag. Tag 1 rather than 0:
        // for the string-valued Tunnel-Client-Endpoint only 0x01..0x1F is unambiguously a tag octet (section 3.3),
        // and using the same non-zero tag on all three groups them explicitly.
        byte tag = 1;
        attrs.add(attribute("Tunnel-Type", tag, ikev2 ? "ESP" : "L2TP"));   // RFC 2868 section 3.1: 9 or 3
        attrs.add(attribute("Tunnel-Medium-Type", tag, client instanceof Inet6Address ? "IPv6" : "IPv4"));
        attrs.add(attribute("Tunnel-Client-Endpoint", tag, clientIp));
        attrs.add(dictionary.createAttribute("Acct-Session-Id", session.acctSessionId()));
    }

    AuthResult decide(AuthRequest request, RadiusResponse response) {
        return switch (response.getType() & 0xff) {
            case RadiusWire.ACCESS_ACCEPT -> accept(request, response);
            case RadiusWire.ACCESS_REJECT -> reject(response);
            case RadiusWire.ACCESS_CHALLENGE -> challenge(request, response);
            default -> new AuthResult.Reject(RejectReason.BACKEND_ERROR, "unexpected RADIUS code " + (response.getType() & 0xff));
        };
    }

    private AuthResult accept(AuthRequest request, RadiusResponse response) {
        String user = response.getAttribute("User-Name").map(a -> new String(a.getValue(), StandardCharsets.UTF_8))
                .filter(u -> !u.isEmpty()).orElse(request.credentials().user());
        Optional<byte[]> authenticatorResponse = Optional.empty();
        if (request.credentials() instanceof MsChapV2Credentials) {
            // RFC 2548 section 2.3.3: Ident followed by "S=" and 40 hex digits (RFC 2759 section 5)
            Optional<byte[]> success = vendorValue(response, "MS-CHAP2-Success").flatMap(v -> {
                Matcher m = MS_CHAP2_SUCCESS_VALUE.matcher(new String(v, StandardCharsets.US_ASCII));
                return m.find() ? Optional.of(HexFormat.of().parseHex(m.group(1))) : Optional.empty();
            });
            if (success.isEmpty()) {
                return new AuthResult.Reject(RejectReason.BACKEND_ERROR, "Access-Accept without MS-CHAP2-Success");
            }
            authenticatorResponse = success;
        }
        return new AuthResult.Accept(user, authenticatorResponse, authorization(response), msk(response));
    }

    /**
     * The MSK of a key-generating method the server ran or verified (EAP relayed, or MS-CHAPv2): MS-MPPE-Recv-Key
     * followed by MS-MPPE-Send-Key (RFC 2548 sections 2.4.2 and 2.4.3, which the {@link RadiusSender} decrypted),
     * zero-padded to 64 octets (RFC 3748 section 7.10). For TLS-based EAP methods servers carry the 64-octet MSK as
     * Recv-Key = MSK[0..31], Send-Key = MSK[32..63] (RFC 5216 section 2.3, [MS-PEAP] 3.1.5.7); for MS-CHAPv2, plain or
     * EAP, the two 16-octet RFC 3079 keys, MasterReceiveKey as Recv-Key ([MS-CHAP]), which makes this exactly the MSK
     * EAP-MSCHAPv2 peers compute ({@link net.l2sec.spi.auth.MsChapV2#eapMsk}). Empty without
     * both keys.
     */
    static Optional<byte[]> msk(RadiusResponse response) {
        Optional<byte[]> recv = vendorValue(response, "MS-MPPE-Recv-Key");
        Optional<byte[]> send = vendorValue(response, "MS-MPPE-Send-Key");
        if (recv.isEmpty() || send.isEmpty()) {
            if (recv.isPresent() || send.isPresent()) log.warn("RADIUS Access-Accept with only one of MS-MPPE-Recv-Key and -Send-Key: no MSK");
            return Optional.empty();
        }
        byte[] msk = new byte[Math.max(MSK_LENGTH, recv.get().length + send.get().length)];
        System.arraycopy(recv.get(), 0, msk, 0, recv.get().length);
        System.arraycopy(send.get(), 0, msk, recv.get().length, send.get().length);
        Arrays.fill(recv.get(), (byte) 0);
        Arrays.fill(send.get(), (byte) 0);
        return Optional.of(msk);
    }

    Authorization authorization(RadiusResponse response) {
        Optional<String> pool = string(response, "Framed-Pool");
        Optional<Duration> sessionTimeout = integer(response, "Session-Timeout").map(Duration::ofSeconds);
        Optional<Duration> idleTimeout = integer(response, "Idle-Timeout").map(Duration::ofSeconds);
        Optional<Inet4Address> address = response.getAttribute("Framed-IP-Address")
                .map(RadiusAttribute::getValue).filter(v -> v.length == 4)
                // RFC 2865 section 5.8: 255.255.255.255 = let the user choose, 255.255.255.254 = NAS chooses
                .filter(v -> !(v[0] == -1 && v[1] == -1 && v[2] == -1 && (v[3] == -1 || v[3] == -2)))
                .flatMap(RadiusAuthenticator::inet4);
        List<byte[]> classes = response.filterAttributes("Class").stream().map(RadiusAttribute::getValue).toList();
        Set<String> groups = new LinkedHashSet<>();
        for (String name : settings.groupAttributes()) {
            for (RadiusAttribute a : response.getFlattenedAttributes()) {
                if (!a.getAttributeName().equals(name)) continue;
                String type = a.getAttributeTemplate().map(t -> t.getDataType()).orElse("octets");
                String value = type.equals("string") || type.equals("octets")
                        ? new String(a.getValue(), StandardCharsets.UTF_8) : a.getValueString();
                if (!value.isBlank()) groups.add(value);
            }
        }
        List<Ipv4Route> routes = new ArrayList<>();
        for (RadiusAttribute a : response.filterAttributes("Framed-Route")) {
            String text = new String(a.getValue(), StandardCharsets.UTF_8);
            Optional<Ipv4Route> route = framedRoute(text);
            if (route.isPresent()) routes.add(route.get());
            else log.warn("RADIUS Framed-Route \"{}\" is not \"prefix[/length] gateway metric...\": ignored", LogText.escape(text));
        }
        return new Authorization(RULE, pool, List.of(), sessionTimeout, idleTimeout, address, classes, groups,
                string(response, "Filter-Id"), OptionalInt.empty(), routes, Optional.empty(), OptionalInt.empty(),
                rateLimit(response)).withIpv6(ipv6(response));
    }

    /**
     * WISPr-Bandwidth-Max-Down / -Up (vendor 14122, attributes 8 and 7, bits per second: the Wi-Fi Alliance's WISPr,
     * which FreeRADIUS' dictionary carries and hotspot and BRAS gear read): the session's rate limit. A value below
     * {@link RateLimit#MIN_BITS_PER_SECOND} (or 0) limits nothing in that direction and is logged.
     */
    static Optional<RateLimit> rateLimit(RadiusResponse response) {
        long down = wispr(response, "WISPr-Bandwidth-Max-Down");
        long up = wispr(response, "WISPr-Bandwidth-Max-Up");
        if (down == 0 && up == 0) return Optional.empty();
        return Optional.of(new RateLimit(down, up));
    }

    private static long wispr(RadiusResponse response, String name) {
        Optional<byte[]> v = response.getFlattenedAttributes().stream()
                .filter(a -> a.getVendorId() == RadiusDictionary.WISPR && a.getAttributeName().equals(name))
                .map(RadiusAttribute::getValue).findFirst();
        if (v.isEmpty()) return 0;
        if (v.get().length != 4) {
            log.warn("RADIUS {} is not a 4-octet integer: ignored", name);
            return 0;
        }
        long bps = ByteBuffer.wrap(v.get()).getInt() & 0xffffffffL;
        if (bps < RateLimit.MIN_BITS_PER_SECOND) {
            if (bps != 0) log.warn("RADIUS {} of {} bit/s is below {} bit/s: ignored", name, bps, RateLimit.MIN_BITS_PER_SECOND);
            return 0;
        }
        return bps;
    }

    /**
     * RFC 2865 section 5.22: "prefix[/length] gateway metric...", the length defaulting to the prefix's class (8, 16
     * or 24) and only its high-order bits counting. l2sec reads it as a network the client reaches through the
     * tunnel (split tunnelling); the gateway and metrics have no meaning on the client's side and are not used: the
     * client's router for it is the concentrator's tunnel address.
     */
    static Optional<Ipv4Route> framedRoute(String text) {
        String[] fields = text.strip().split("\\s+");
        if (fields.length == 0 || fields[0].isEmpty()) return Optional.empty();
        String prefix = fields[0];
        int slash = prefix.indexOf('/');
        try {
            Inet4Address network = Ipv4Route.ipv4(slash < 0 ? prefix : prefix.substring(0, slash), text);
            int first = network.getAddress()[0] & 0xff;
            int length = slash >= 0 ? Integer.parseInt(prefix.substring(slash + 1)) : first < 128 ? 8 : first < 192 ? 16 : 24;
            if (length < 1 || length > 32) return Optional.empty();
            byte[] b = network.getAddress();
            int v = (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
            v &= -1 << (32 - length);
            Inet4Address masked = (Inet4Address) InetAddress.getByAddress(new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v});
            return Optional.of(new Ipv4Route(masked, length));
        } catch (IllegalArgumentException | UnknownHostException e) {
            return Optional.empty();
        }
    }

    /** RFC 3162 Framed-IPv6-Prefix and Framed-Interface-Id, RFC 4818 Delegated-IPv6-Prefix; malformed ones are ignored. */
    static Ipv6Framing ipv6(RadiusResponse response) {
        OptionalLong interfaceId = response.getAttribute("Framed-Interface-Id").map(RadiusAttribute::getValue)
                .filter(v -> v.length == 8).map(v -> OptionalLong.of(ByteBuffer.wrap(v).getLong())).orElse(OptionalLong.empty());
        return new Ipv6Framing(prefix(response, "Framed-IPv6-Prefix"), interfaceId, prefix(response, "Delegated-IPv6-Prefix"));
    }

    /** RFC 3162 section 2.3: Reserved, Prefix-Length (0..128), then the prefix's significant octets (at most 16). */
    private static Optional<Ipv6Framing.Prefix> prefix(RadiusResponse response, String name) {
        return response.getAttribute(name).map(RadiusAttribute::getValue).flatMap(v -> {
            if (v.length < 2 || v.length > 18) return Optional.empty();
            int length = v[1] & 0xff;
            if (length > 128 || (v.length - 2) * 8 < length) return Optional.empty();
            byte[] address = new byte[16];
            System.arraycopy(v, 2, address, 0, v.length - 2);
            for (int bit = length; bit < 128; bit++) address[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));   // bits past the length
            try {
                return Optional.of(new Ipv6Framing.Prefix((Inet6Address) InetAddress.getByAddress(address), length));
            } catch (UnknownHostException e) {
                return Optional.empty();
            }
        });
    }

    private AuthResult reject(RadiusResponse response) {
        RejectReason reason = RejectReason.BAD_CREDENTIALS;
        String detail = "Access-Reject";
        Optional<byte[]> error = vendorValue(response, "MS-CHAP-Error");
        if (error.isPresent()) {
            // RFC 2548 section 2.1.5: Ident followed by the RFC 2759 section 6 failure string "E=eeeeeeeeee R=r ..."
            Matcher m = MS_CHAP_ERROR_CODE.matcher(new String(error.get(), StandardCharsets.US_ASCII));
            if (m.find()) {
                int code = Integer.parseInt(m.group(1).length() > 9 ? "0" : m.group(1));
                reason = switch (code) {
                    case 647, 648 -> RejectReason.ACCOUNT_DISABLED; // disabled, password expired
                    case 646, 649 -> RejectReason.POLICY_DENIED;    // restricted logon hours, no dial-in permission
                    default -> RejectReason.BAD_CREDENTIALS;        // 691 authentication failure and the rest
                };
                detail += " MS-CHAP error " + code;
            }
        }
        String reply = response.filterAttributes("Reply-Message").stream()
                .map(a -> new String(a.getValue(), StandardCharsets.UTF_8)).reduce((a, b) -> a + " " + b).orElse("");
        if (!reply.isBlank()) detail += ": " + LogText.escape(reply);
        return new AuthResult.Reject(reason, detail);
    }

    private AuthResult challenge(AuthRequest request, RadiusResponse response) {
        List<RadiusAttribute> eap = response.filterAttributes("EAP-Message");
        if (!(request.credentials() instanceof EapCredentials) || eap.isEmpty()) {
            return new AuthResult.Reject(RejectReason.BACKEND_ERROR, "Access-Challenge without EAP is not supported");
        }
        ByteArrayOutputStream packet = new ByteArrayOutputStream();
        eap.forEach(a -> packet.writeBytes(a.getValue()));
        byte[] state = response.getAttribute("State").map(RadiusAttribute::getValue).orElse(new byte[0]);
        return new AuthResult.Challenge(packet.toByteArray(), state);
    }

    private static AuthResult failed(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof RadiusUnavailableException) {
            return new AuthResult.Reject(RejectReason.BACKEND_TIMEOUT, "no RADIUS server answered");
        }
        return new AuthResult.Reject(RejectReason.BACKEND_ERROR, "RADIUS failure: " + cause.getClass().getSimpleName()
                + (cause.getMessage() == null ? "" : " " + LogText.escape(cause.getMessage())));
    }

    private static Optional<byte[]> vendorValue(RadiusResponse response, String name) {
        return response.getFlattenedAttributes().stream()
                .filter(a -> a.getVendorId() == MS && a.getAttributeName().equals(name)).map(RadiusAttribute::getValue).findFirst();
    }

    private static Optional<String> string(RadiusResponse response, String name) {
        return response.getAttribute(name).map(a -> new String(a.getValue(), StandardCharsets.UTF_8)).filter(s -> !s.isEmpty());
    }

    private static Optional<Long> integer(RadiusResponse response, String name) {
        return response.getAttribute(name).map(RadiusAttribute::getValue).filter(v -> v.length == 4)
                .map(v -> ByteBuffer.wrap(v).getInt() & 0xffffffffL).filter(v -> v > 0);
    }

    private static Optional<Inet4Address> inet4(byte[] v) {
        try {
            return Optional.of((Inet4Address) InetAddress.getByAddress(v));
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    /** The result as log fields; a reject's detail is the last (outside text in it was escaped when it was made). */
    private static String describe(AuthResult result) {
        return switch (result) {
            case AuthResult.Accept a -> "result=accept accepted=" + LogText.escape(a.user());
            case AuthResult.Reject r -> "result=reject reason=" + r.reason().label() + " detail=" + r.detail(); // escaped when made
            case AuthResult.Challenge c -> "result=challenge length=" + c.eapPacket().length;
        };
    }

    @Override
    public void close() throws Exception {
        if (sender instanceof AutoCloseable closeable) closeable.close();
    }

    @Override
    public String toString() {
        return "RadiusAuthenticator[servers=" + settings.servers().stream().map(RadiusServer::name).toList()
                + ", nasIdentifier=" + settings.nasIdentifier() + "]";
    }
}
