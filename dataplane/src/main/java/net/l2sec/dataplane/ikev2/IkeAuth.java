package net.l2sec.dataplane.ikev2;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import net.l2sec.dataplane.auth.eap.EapAuthenticator;
import net.l2sec.dataplane.auth.eap.EapDiscard;
import net.l2sec.dataplane.ike.auth.CertificateAuth;
import net.l2sec.dataplane.ike.auth.PeerValidation;
import net.l2sec.dataplane.ikev2.message.ExchangeType;
import net.l2sec.dataplane.ikev2.message.Ikev2Header;
import net.l2sec.dataplane.ikev2.message.NotifyType;
import net.l2sec.dataplane.ikev2.message.Payload;
import net.l2sec.dataplane.ikev2.message.Payload.Auth;
import net.l2sec.dataplane.ikev2.message.Payload.Cert;
import net.l2sec.dataplane.ikev2.message.Payload.Config;
import net.l2sec.dataplane.ikev2.message.Payload.ConfigAttribute;
import net.l2sec.dataplane.ikev2.message.Payload.Eap;
import net.l2sec.dataplane.ikev2.message.Payload.Identification;
import net.l2sec.dataplane.ikev2.message.Payload.Notify;
import net.l2sec.dataplane.ikev2.message.Payload.Sa;
import net.l2sec.dataplane.ikev2.message.Payload.TrafficSelector;
import net.l2sec.dataplane.ikev2.message.Payload.TrafficSelectors;
import net.l2sec.dataplane.ipsec.ChildSaSpec;
import net.l2sec.spi.auth.AuthMethod;
import net.l2sec.spi.auth.AuthRequest;
import net.l2sec.spi.auth.AuthResult;
import net.l2sec.spi.auth.Credentials;
import net.l2sec.spi.auth.Ipv4Route;
import net.l2sec.spi.auth.ProvenIdentity;
import net.l2sec.spi.auth.RejectReason;
import net.l2sec.spi.session.EndCause;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * IKE_AUTH, responder side, with EAP (RFC 7296 sections 1.2, 2.15, 2.16): the first request carries IDi, the
 * configuration request, the child SA's proposals and traffic selectors, and no AUTH; we answer with IDr, our
 * certificate chain and signature, and the first EAP Request. EAP Requests and Responses follow, one exchange each,
 * until EAP succeeds; then the client's AUTH, computed with the EAP method's MSK, is verified and ours sent with
 * the configuration reply (RFC 7296 section 3.15: the client's internal address, DNS, NBNS, split-tunnel subnets),
 * the chosen child SA and the narrowed traffic selectors. The client's session opens at that moment.
 */
final class IkeAuth {
    private static final Logger log = LoggerFactory.getLogger(Ikev2Responder.class);
    private final Ikev2Responder r;

    IkeAuth(Ikev2Responder responder) {
        this.r = responder;
    }

    void request(Ikev2Sa sa, InetSocketAddress peer, InetSocketAddress local, Ikev2Header h, List<Payload> in) {
        int mid = h.messageId();
        // the client switched to UDP/4500 after IKE_SA_INIT (RFC 7296 section 2.23): this is its address from now on
        if (sa.state == Ikev2Sa.State.INIT_DONE) {
            sa.peer = peer;
            sa.local = local;
        }
        switch (sa.state) {
            case INIT_DONE -> first(sa, mid, in);
            case EAP -> eapResponse(sa, mid, in);
            case EAP_DONE -> finalAuth(sa, mid, in);
            case ESTABLISHED, DEAD -> {
                r.drop(net.l2sec.dataplane.ikev2.message.Ikev2DropReason.UNEXPECTED_MESSAGE, peer, sa.tag + " IKE_AUTH in " + sa.state);
                r.respondError(sa, mid, ExchangeType.IKE_AUTH, NotifyType.INVALID_SYNTAX);
            }
        }
    }

    /**
     * The first IKE_AUTH request. Without AUTH the client asks for EAP (section 2.16); with AUTH it authenticates
     * in this message, with the pre-shared key (method 2) or its certificate's signature, and the exchange ends here.
     */
    private void first(Ikev2Sa sa, int mid, List<Payload> in) {
        Auth auth = null;
        List<byte[]> certs = new ArrayList<>();
        boolean eapOnlyAsked = false;
        for (Payload p : in) {
            switch (p) {
                case Identification id when id.initiator() -> sa.idi = id;
                case Auth a -> auth = a;
                case Cert c when c.encoding() == Cert.X509_SIGNATURE -> certs.add(c.data());
                case Config c when c.cfgType() == Config.CFG_REQUEST -> sa.cfgRequest = c;
                case Sa s -> sa.childSa = s;
                case TrafficSelectors ts when ts.initiator() -> sa.tsi = ts;
                case TrafficSelectors ts -> sa.tsr = ts;
                case Notify n when n.notifyType() == NotifyType.MOBIKE_SUPPORTED -> sa.peerMobike = true;
                case Notify n when n.notifyType() == NotifyType.INITIAL_CONTACT -> sa.initialContact = true;
                case Notify n when n.notifyType() == NotifyType.EAP_ONLY_AUTHENTICATION -> eapOnlyAsked = true;
                default -> {
                }
            }
        }
        if (sa.idi == null || sa.childSa == null || sa.tsi == null || sa.tsr == null) {
            fail(sa, mid, Ikev2Metrics.Failure.AUTH_FAILED, "IKE_AUTH without IDi, SA, TSi or TSr", NotifyType.INVALID_SYNTAX);
            return;
        }
        sa.client = sa.client.withIke(List.of(), sa.suite.group().label());
        if (auth != null) {
            if (auth.method() == Auth.SHARED_KEY_MIC) psk(sa, mid, auth);
            else certificate(sa, mid, auth, certs);
            return;
        }
        if (!r.v2.clientAuth().contains(Ikev2Settings.ClientAuth.EAP)) {
            fail(sa, mid, Ikev2Metrics.Failure.UNSUPPORTED_AUTH, "client asks for EAP (no AUTH payload) and "
                    + "ipsec.ikev2.client-auth does not list eap", NotifyType.AUTHENTICATION_FAILED);
            return;
        }
        // RFC 5998: only when the operator allows it, as EAP-MSCHAPv2 then is all that authenticates us
        sa.eapOnly = eapOnlyAsked && r.v2.eapOnly();
        Optional<CertificateAuth> credentials = r.settings.certificates();
        if (credentials.isEmpty() && !sa.eapOnly) {
            fail(sa, mid, Ikev2Metrics.Failure.NO_CERTIFICATE, "EAP needs our certificate: configure ipsec.certificate"
                    + (eapOnlyAsked ? " (the client offers EAP-only authentication: ipsec.ikev2.eap-only allows it)" : ""),
                    NotifyType.AUTHENTICATION_FAILED);
            return;
        }
        sa.context = r.remoteAccess.context(sa.tag, sa.peer, sa.client);
        sa.idr = ourIdentity(credentials, sa.local);
        List<Payload> head = new ArrayList<>();
        head.add(sa.idr);
        if (!sa.eapOnly) {
            Optional<List<Payload>> signature = signature(sa, mid, credentials.get());
            if (signature.isEmpty()) return;
            head.addAll(signature.get());
        }
        sa.state = Ikev2Sa.State.EAP;
        sa.authMethod = AuthMethod.EAP_MSCHAPV2;
        sa.processing = true;
        EapHost host = new EapHost(sa, mid, head);
        sa.eap = new EapAuthenticator(host, List.of(AuthMethod.EAP_MSCHAPV2), r.authenticator.relaysEap(), r.random);
        log.info("{} ike_auth idi={} eap{} peer={}", sa.tag, describe(sa.idi), sa.eapOnly ? " eap-only (RFC 5998)" : "",
                Ikev2Responder.address(sa.peer));
        sa.eap.start(describe(sa.idi));
    }

    /** Our certificate chain and signature AUTH over our IKE_SA_INIT response (section 2.15); empty when it failed. */
    private Optional<List<Payload>> signature(Ikev2Sa sa, int mid, CertificateAuth credentials) {
        byte[] signed = AuthPayloads.signedOctets(sa.initResponse, sa.ni, sa.keys.macedId(false, sa.idr.body()));
        List<Payload> out = new ArrayList<>();
        for (X509Certificate c : credentials.chain()) {
            try {
                out.add(new Cert(Cert.X509_SIGNATURE, c.getEncoded()));
            } catch (CertificateEncodingException e) {
                throw new IllegalStateException(e);
            }
        }
        try {
            out.add(AuthPayloads.sign(credentials.privateKey(), sa.peerSignatureHashes, signed));
        } catch (GeneralSecurityException e) {
            fail(sa, mid, Ikev2Metrics.Failure.NO_CERTIFICATE, "signing failed: " + e, NotifyType.AUTHENTICATION_FAILED);
            return Optional.empty();
        }
        return Optional.of(out);
    }

    /**
     * A client that authenticates with the pre-shared key (section 2.15: AUTH = prf(prf(PSK, "Key Pad for IKEv2"),
     * IKE_SA_INIT request | Nr | prf(SK_pi, IDi'))). We answer the same way: such clients (Android "IKEv2/IPSec PSK",
     * strongSwan with {@code leftauth=psk}) expect the server to prove the same key.
     */
    private void psk(Ikev2Sa sa, int mid, Auth auth) {
        if (!r.v2.clientAuth().contains(Ikev2Settings.ClientAuth.PSK)) {
            fail(sa, mid, Ikev2Metrics.Failure.UNSUPPORTED_AUTH, "client authenticates with the pre-shared key and "
                    + "ipsec.ikev2.client-auth does not list psk", NotifyType.AUTHENTICATION_FAILED);
            return;
        }
        Optional<byte[]> psk = r.settings.psk();
        if (psk.isEmpty()) {
            fail(sa, mid, Ikev2Metrics.Failure.UNSUPPORTED_AUTH, "client authenticates with the pre-shared key and none "
                    + "is configured (ipsec.psk-file)", NotifyType.AUTHENTICATION_FAILED);
            return;
        }
        byte[] signedI = AuthPayloads.signedOctets(sa.initRequest, sa.nr, sa.keys.macedId(true, sa.idi.body()));
        if (!AuthPayloads.verifySharedKeyMic(sa.suite.prf(), psk.get(), signedI, auth.data())) {
            fail(sa, mid, Ikev2Metrics.Failure.PSK_MISMATCH, "client's AUTH does not verify with our pre-shared key"
                    + " (idi=" + describe(sa.idi) + ")", NotifyType.AUTHENTICATION_FAILED);
            return;
        }
        sa.idr = ourIdentity(r.settings.certificates(), sa.local);
        Auth ours = new Auth(Auth.SHARED_KEY_MIC, AuthPayloads.sharedKeyMic(sa.suite.prf(), psk.get(),
                AuthPayloads.signedOctets(sa.initResponse, sa.ni, sa.keys.macedId(false, sa.idr.body()))));
        authorize(sa, mid, AuthMethod.IKEV2_PSK, ClientCertificate.userName(sa.idi), "pre-shared key", List.of(sa.idr, ours));
    }

    /**
     * A client that signs its AUTH with its certificate's key: chain, identity and signature are checked on a
     * crypto worker ({@link ClientCertificate}); we answer with our own certificate and signature.
     */
    private void certificate(Ikev2Sa sa, int mid, Auth auth, List<byte[]> certs) {
        if (!r.v2.clientAuth().contains(Ikev2Settings.ClientAuth.CERTIFICATE)) {
            fail(sa, mid, Ikev2Metrics.Failure.UNSUPPORTED_AUTH, "client authenticates with a certificate (AUTH method "
                    + auth.method() + ") and ipsec.ikev2.client-auth does not list certificate", NotifyType.AUTHENTICATION_FAILED);
            return;
        }
        Optional<CertificateAuth> ours = r.settings.certificates();
        if (ours.isEmpty() || ours.get().trustAnchors().isEmpty()) {
            fail(sa, mid, Ikev2Metrics.Failure.NO_CERTIFICATE, "client certificates need ipsec.certificate with a ca-file",
                    NotifyType.AUTHENTICATION_FAILED);
            return;
        }
        PeerValidation validation = new PeerValidation(ours.get(), r.clock);
        Identification idi = sa.idi;
        byte[] signedI = AuthPayloads.signedOctets(sa.initRequest, sa.nr, sa.keys.macedId(true, idi.body()));
        sa.processing = true;
        boolean accepted = r.crypto.submit(() -> ClientCertificate.check(validation, certs, idi, auth, signedI), r.continuations,
                outcome -> {
                    if (sa.state == Ikev2Sa.State.DEAD) return;
                    ClientCertificate.Verdict verdict = outcome.failure() != null
                            ? new ClientCertificate.Verdict.Refused(Ikev2Metrics.Failure.CERTIFICATE_INVALID, String.valueOf(outcome.failure()))
                            : outcome.value();
                    switch (verdict) {
                        case ClientCertificate.Verdict.Refused refused ->
                                fail(sa, mid, refused.failure(), refused.why(), NotifyType.AUTHENTICATION_FAILED);
                        case ClientCertificate.Verdict.Verified verified -> {
                            sa.idr = ourIdentity(ours, sa.local);
                            Optional<List<Payload>> signature = signature(sa, mid, ours.get());
                            if (signature.isEmpty()) return;
                            List<Payload> head = new ArrayList<>();
                            head.add(sa.idr);
                            head.addAll(signature.get());
                            authorize(sa, mid, AuthMethod.IKEV2_CERTIFICATE, verified.user(), verified.evidence(), head);
                        }
                    }
                });
        if (!accepted) {
            // the client retransmits its request and is served then
            sa.processing = false;
            r.drop(net.l2sec.dataplane.ikev2.message.Ikev2DropReason.CRYPTO_BUSY, sa.peer, sa.tag + " certificate check");
        }
    }

    /**
     * IKE proved the client's identity: the backends authorize it ({@link ProvenIdentity}: the user must exist and
     * may log in; the policy gives its rule, pool and routes), and the exchange ends with {@code ourAuth}.
     */
    private void authorize(Ikev2Sa sa, int mid, AuthMethod method, String user, String evidence, List<Payload> ourAuth) {
        sa.context = r.remoteAccess.context(sa.tag, sa.peer, sa.client);
        sa.authMethod = method;
        sa.processing = true;
        log.info("{} ike_auth idi={} method={} {} peer={}", sa.tag, describe(sa.idi), method.configName(), evidence,
                Ikev2Responder.address(sa.peer));
        r.authenticator.authenticate(new AuthRequest(sa.context, method, new ProvenIdentity(user, evidence)))
                .whenComplete((result, failure) -> r.scheduler.execute(() -> {
                    if (sa.state == Ikev2Sa.State.DEAD) return;
                    AuthResult outcome = failure != null ? new AuthResult.Reject(RejectReason.BACKEND_ERROR, failure.toString()) : result;
                    switch (outcome) {
                        case AuthResult.Accept accept -> {
                            sa.accepted = accept;
                            log.info("{} auth ok method={} user={}", sa.tag, method.configName(),
                                    net.l2sec.dataplane.LogText.quote(accept.user()));
                            establish(sa, mid, ourAuth);
                        }
                        case AuthResult.Reject reject -> fail(sa, mid, Ikev2Metrics.Failure.AUTHORIZATION_REFUSED, "user="
                                + net.l2sec.dataplane.LogText.quote(user) + " not authorized: " + reject.reason().label() + " "
                                + reject.detail(), NotifyType.AUTHENTICATION_FAILED);
                        case AuthResult.Challenge c -> fail(sa, mid, Ikev2Metrics.Failure.AUTHORIZATION_REFUSED, "user="
                                + net.l2sec.dataplane.LogText.quote(user) + ": the backend answered with an EAP challenge",
                                NotifyType.AUTHENTICATION_FAILED);
                    }
                }));
    }

    /** An IKE_AUTH request carrying the client's next EAP Response. */
    private void eapResponse(Ikev2Sa sa, int mid, List<Payload> in) {
        Eap eap = null;
        for (Payload p : in) if (p instanceof Eap e) eap = e;
        if (eap == null) {
            fail(sa, mid, Ikev2Metrics.Failure.EAP_FAILED, "IKE_AUTH without EAP during EAP", NotifyType.AUTHENTICATION_FAILED);
            return;
        }
        sa.processing = true;
        ((EapHost) sa.eapHost).mid = mid;
        ((EapHost) sa.eapHost).head = List.of();
        sa.eap.receive(eap.packet());
    }

    /** The client's AUTH after EAP succeeded (section 2.16): verified with the MSK; then everything is set up. */
    private void finalAuth(Ikev2Sa sa, int mid, List<Payload> in) {
        Auth auth = null;
        for (Payload p : in) if (p instanceof Auth a) auth = a;
        if (auth == null || auth.method() != Auth.SHARED_KEY_MIC) {
            fail(sa, mid, Ikev2Metrics.Failure.AUTH_FAILED, "no shared-key AUTH after EAP", NotifyType.AUTHENTICATION_FAILED);
            return;
        }
        if (sa.eapOnly && sa.msk == null) {
            // RFC 5998 section 3: without our signature only the MSK authenticates us
            fail(sa, mid, Ikev2Metrics.Failure.AUTH_FAILED, "EAP-only authentication needs the EAP MSK and the backend gave"
                    + " none", NotifyType.AUTHENTICATION_FAILED);
            return;
        }
        // a method that generates no MSK authenticates with SK_pi / SK_pr instead (section 2.16)
        byte[] keyI = sa.msk != null ? sa.msk : sa.keys.skPi();
        byte[] keyR = sa.msk != null ? sa.msk : sa.keys.skPr();
        byte[] signedI = AuthPayloads.signedOctets(sa.initRequest, sa.nr, sa.keys.macedId(true, sa.idi.body()));
        if (!AuthPayloads.verifySharedKeyMic(sa.suite.prf(), keyI, signedI, auth.data())) {
            fail(sa, mid, Ikev2Metrics.Failure.AUTH_FAILED, "client's AUTH does not verify with the EAP MSK"
                    + (sa.msk == null ? " (the backend gave no MSK)" : ""), NotifyType.AUTHENTICATION_FAILED);
            return;
        }
        Auth ours = new Auth(Auth.SHARED_KEY_MIC, AuthPayloads.sharedKeyMic(sa.suite.prf(), keyR,
                AuthPayloads.signedOctets(sa.initResponse, sa.ni, sa.keys.macedId(false, sa.idr.body()))));
        establish(sa, mid, List.of(ours));
    }

    /**
     * The client is authenticated and authorized: its session opens, the child SA is installed and the last IKE_AUTH
     * response carries {@code ourAuth} (our AUTH, after IDr and CERT when this is the only IKE_AUTH exchange), the
     * configuration reply, the chosen child proposal and the narrowed traffic selectors.
     */
    private void establish(Ikev2Sa sa, int mid, List<Payload> ourAuth) {
        Optional<Ikev2Proposals.ChildSuite> child = r.proposals.chooseChild(sa.childSa, Optional.empty());
        if (child.isEmpty()) {
            log.warn("{} child sa failed reason=no_proposal_chosen offered: {}", sa.tag, IkeSaInit.describe(sa.childSa));
            r.metrics.failed(Ikev2Metrics.Failure.CHILD_NO_PROPOSAL);
            r.respond(sa, mid, ExchangeType.IKE_AUTH, with(ourAuth, Notify.of(NotifyType.NO_PROPOSAL_CHOSEN)));
            r.delete(sa, EndCause.AUTH_FAILED, "no child proposal chosen");
            return;
        }
        boolean wantsIpv6 = sa.cfgRequest != null && sa.cfgRequest.attributes().stream()
                .anyMatch(a -> a.attributeType() == ConfigAttribute.INTERNAL_IP6_ADDRESS);
        RemoteAccess.Opening opening = r.remoteAccess.open(sa.context, sa.authMethod, sa.accepted, sa.client, wantsIpv6,
                r.childSas.tunnelSender(sa.tag), cause -> r.scheduler.execute(() -> r.deleteCurrent(sa.tag, cause)));
        switch (opening) {
            case RemoteAccess.Opening.Refused refused -> {
                // section 3.15.4: no address is INTERNAL_ADDRESS_FAILURE; a session limit refuses the authorization
                boolean address = refused.cause() == EndCause.NO_POOL || refused.cause() == EndCause.POOL_EXHAUSTED
                        || refused.cause() == EndCause.ADDRESS_IN_USE;
                r.metrics.failed(Ikev2Metrics.Failure.SESSION_REFUSED);
                log.warn("{} session refused user={} reason={} {}", sa.tag, net.l2sec.dataplane.LogText.quote(sa.accepted.user()),
                        refused.cause().tag(), refused.detail());
                r.respond(sa, mid, ExchangeType.IKE_AUTH, address
                        ? with(ourAuth, Notify.of(NotifyType.INTERNAL_ADDRESS_FAILURE))
                        : List.of(Notify.of(NotifyType.AUTHENTICATION_FAILED)));
                r.tearDown(sa, refused.cause(), "session refused: " + refused.cause().tag());
            }
            case RemoteAccess.Opening.Opened opened -> {
                sa.session = opened.session();
                int ourSpi = newChildSpi();
                Ikev2Proposals.ChildSuite suite = child.get();
                installChild(r, sa, suite, ourSpi, null);
                sa.clientSelectors = narrowedTsi(opened);
                sa.ourSelectors = narrowedTsr(sa.tsr, opened.routes(), opened.address6().isPresent());
                List<Payload> out = new ArrayList<>(ourAuth);
                out.add(configReply(sa.cfgRequest, opened));
                out.add(suite.reply(spiBytes(ourSpi)));
                out.add(sa.clientSelectors);
                out.add(sa.ourSelectors);
                if (sa.peerMobike && r.v2.mobike()) out.add(Notify.of(NotifyType.MOBIKE_SUPPORTED));
                r.respond(sa, mid, ExchangeType.IKE_AUTH, out);
                r.establishedNow(sa);
                if (sa.initialContact) initialContact(sa);
                if (sa.timer != null) sa.timer.cancel();
                r.lifetimes(sa);
                r.metrics.established();
                r.metrics.loggedIn(sa.authMethod);
                r.liveness(sa);
                log.info("{} ike_sa up {} esp {} user={} method={} address={} peer={}", sa.tag, sa.suite.describe(),
                        suite.describe(), net.l2sec.dataplane.LogText.quote(sa.accepted.user()), sa.authMethod.configName(),
                        opened.address().getHostAddress(), Ikev2Responder.address(sa.peer));
            }
        }
    }

    /**
     * INITIAL_CONTACT (RFC 7296 section 2.4): the client asserts that this is now its only IKE SA with us. Its older
     * IKE SAs (same IDi, same authenticated user, same address: a client that restarted or lost its state) end
     * without a Delete, which it could not read. Clients are steered to workers by address, so they are all here; a
     * second device of the same user has its own IDi and stays.
     */
    private void initialContact(Ikev2Sa sa) {
        for (Ikev2Sa old : new ArrayList<>(r.bySpi.values())) {
            if (old == sa || old.state != Ikev2Sa.State.ESTABLISHED || old.handedOver || old.idi == null || old.accepted == null) {
                continue;
            }
            if (!Arrays.equals(old.idi.body(), sa.idi.body()) || !old.accepted.user().equals(sa.accepted.user())
                    || !old.peer.getAddress().equals(sa.peer.getAddress())) {
                continue;
            }
            log.info("{} initial_contact user={}: ending the client's older {} (peer={})", sa.tag,
                    net.l2sec.dataplane.LogText.quote(sa.accepted.user()), old.tag, Ikev2Responder.address(old.peer));
            r.metrics.replaced();
            r.tearDown(old, EndCause.REPLACED, "replaced after initial contact");
        }
    }

    private static List<Payload> with(List<Payload> head, Payload last) {
        List<Payload> out = new ArrayList<>(head);
        out.add(last);
        return out;
    }

    /** Installs a tunnel-mode child SA pair keyed from this IKE SA (section 2.17); {@code sharedSecret} for PFS. */
    static void installChild(Ikev2Responder r, Ikev2Sa sa, Ikev2Proposals.ChildSuite suite, int ourSpi, byte[] sharedSecret) {
        installChild(r, sa, suite, ourSpi, sharedSecret, sa.ni, sa.nr, false);
    }

    /**
     * @param weInitiated we initiated the exchange that created the pair: {@code ni} is ours, and the first half of
     *                    KEYMAT (initiator to responder) keys our outbound SA
     */
    static void installChild(Ikev2Responder r, Ikev2Sa sa, Ikev2Proposals.ChildSuite suite, int ourSpi, byte[] sharedSecret,
                             byte[] ni, byte[] nr, boolean weInitiated) {
        int encLength = suite.keyBits() / 8 + (suite.cipher().aead() ? 4 : 0);
        int integLength = suite.integrity().keyBits() / 8;
        int each = encLength + integLength;
        byte[] keymat = sa.keys.childKeymat(sharedSecret, ni, nr, 2 * each);
        byte[] initiatorToResponder = Arrays.copyOfRange(keymat, 0, each);
        byte[] responderToInitiator = Arrays.copyOfRange(keymat, each, 2 * each);
        Arrays.fill(keymat, (byte) 0);
        int peerSpi = java.nio.ByteBuffer.wrap(suite.peerSpi()).getInt();
        byte[] inbound = weInitiated ? responderToInitiator : initiatorToResponder;
        byte[] outbound = weInitiated ? initiatorToResponder : responderToInitiator;
        ChildSaSpec spec = new ChildSaSpec(sa.tag, sa.peer, sa.local, ourSpi, peerSpi, suite.cipher(), suite.keyBits(),
                suite.integrity(), inbound, outbound, r.settings.childLifetimeMax(), 0, 0);
        r.childSas.installTunnel(spec, sa.session);
        sa.children.add(new Ikev2Sa.Child(ourSpi, peerSpi, suite));
    }

    static int newChildSpi() {
        int spi;
        do {
            spi = java.util.concurrent.ThreadLocalRandom.current().nextInt();
        } while (Integer.compareUnsigned(spi, 256) < 0); // 1-255 are reserved (RFC 4303 section 2.1)
        return spi;
    }

    static byte[] spiBytes(int spi) {
        return java.nio.ByteBuffer.allocate(4).putInt(spi).array();
    }

    /**
     * Our IDr: {@code ipsec.local-id} when set (an IPv4 literal as ID_IPV4_ADDR, else ID_FQDN: Android and macOS/iOS
     * compare it with the server name they dial), else our certificate's subject DN (ID_DER_ASN1_DN), else (a PSK
     * responder without certificate) the address the client reached us at.
     */
    private Identification ourIdentity(Optional<CertificateAuth> credentials, InetSocketAddress local) {
        Optional<String> localId = r.settings.localId();
        if (localId.isPresent()) {
            String id = localId.get();
            if (id.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
                try {
                    return new Identification(false, Identification.ID_IPV4_ADDR, InetAddress.getByName(id).getAddress());
                } catch (java.net.UnknownHostException e) {
                    // not an address after all: an FQDN
                }
            }
            return new Identification(false, Identification.ID_FQDN, id.getBytes(StandardCharsets.US_ASCII));
        }
        if (credentials.isPresent()) {
            return new Identification(false, Identification.ID_DER_ASN1_DN,
                    credentials.get().certificate().getSubjectX500Principal().getEncoded());
        }
        byte[] address = local.getAddress().getAddress();
        return new Identification(false, address.length == 4 ? Identification.ID_IPV4_ADDR : Identification.ID_IPV6_ADDR, address);
    }

    /** CFG_REPLY (section 3.15): what the client asked for that we have. */
    static Config configReply(Config request, RemoteAccess.Opening.Opened opened) {
        List<ConfigAttribute> out = new ArrayList<>();
        out.add(new ConfigAttribute(ConfigAttribute.INTERNAL_IP4_ADDRESS, opened.address().getAddress()));
        boolean askedNetmask = request != null && request.attributes().stream().anyMatch(a -> a.attributeType() == ConfigAttribute.INTERNAL_IP4_NETMASK);
        if (askedNetmask) out.add(new ConfigAttribute(ConfigAttribute.INTERNAL_IP4_NETMASK, new byte[] {-1, -1, -1, -1}));
        opened.address6().ifPresent(a6 -> {
            byte[] v = Arrays.copyOf(a6.getAddress(), 17);
            v[16] = 64;
            out.add(new ConfigAttribute(ConfigAttribute.INTERNAL_IP6_ADDRESS, v));
        });
        for (InetAddress dns : opened.dns()) {
            out.add(new ConfigAttribute(dns instanceof Inet4Address ? ConfigAttribute.INTERNAL_IP4_DNS : ConfigAttribute.INTERNAL_IP6_DNS,
                    dns.getAddress()));
        }
        for (Inet4Address nbns : opened.nbns()) out.add(new ConfigAttribute(ConfigAttribute.INTERNAL_IP4_NBNS, nbns.getAddress()));
        for (Ipv4Route route : opened.routes()) {
            byte[] v = new byte[8];
            System.arraycopy(route.destination().getAddress(), 0, v, 0, 4);
            int mask = route.prefixLength() == 0 ? 0 : -1 << (32 - route.prefixLength());
            java.nio.ByteBuffer.wrap(v, 4, 4).putInt(mask);
            out.add(new ConfigAttribute(ConfigAttribute.INTERNAL_IP4_SUBNET, v));
        }
        opened.domain().ifPresent(d -> out.add(new ConfigAttribute(ConfigAttribute.INTERNAL_DNS_DOMAIN,
                d.getBytes(StandardCharsets.US_ASCII))));
        return new Config(Config.CFG_REPLY, out);
    }

    /** TSi: the client's own address(es) (section 2.9: narrowed to what the configuration payload gave it). */
    static TrafficSelectors narrowedTsi(RemoteAccess.Opening.Opened opened) {
        List<TrafficSelector> s = new ArrayList<>();
        byte[] a = opened.address().getAddress();
        s.add(new TrafficSelector(TrafficSelector.TS_IPV4_ADDR_RANGE, 0, 0, 65535, a, a));
        opened.address6().ifPresent(a6 -> {
            byte[] start = Arrays.copyOf(a6.getAddress(), 16);
            byte[] end = start.clone();
            for (int i = 8; i < 16; i++) {
                start[i] = 0;
                end[i] = -1;
            }
            s.add(new TrafficSelector(TrafficSelector.TS_IPV6_ADDR_RANGE, 0, 0, 65535, start, end));
        });
        return new TrafficSelectors(true, s);
    }

    /**
     * TSr: the split-tunnel subnets when the policy has any, else what the client asked for (normally everything),
     * IPv6 selectors only when the client got an IPv6 address.
     */
    static TrafficSelectors narrowedTsr(TrafficSelectors asked, List<Ipv4Route> routes, boolean ipv6) {
        List<TrafficSelector> s = new ArrayList<>();
        if (!routes.isEmpty()) {
            for (Ipv4Route route : routes) {
                int base = java.nio.ByteBuffer.wrap(route.destination().getAddress()).getInt();
                int mask = route.prefixLength() == 0 ? 0 : -1 << (32 - route.prefixLength());
                s.add(new TrafficSelector(TrafficSelector.TS_IPV4_ADDR_RANGE, 0, 0, 65535, spiBytes(base & mask),
                        spiBytes(base | ~mask)));
            }
        } else {
            for (TrafficSelector t : asked.selectors()) {
                if (t.tsType() == TrafficSelector.TS_IPV4_ADDR_RANGE || ipv6) s.add(t);
            }
            if (s.isEmpty()) {
                s.add(new TrafficSelector(TrafficSelector.TS_IPV4_ADDR_RANGE, 0, 0, 65535, new byte[4], new byte[] {-1, -1, -1, -1}));
            }
        }
        return new TrafficSelectors(false, s);
    }

    /** Refuses the exchange with {@code notify} and ends the half-open SA. */
    private void fail(Ikev2Sa sa, int mid, Ikev2Metrics.Failure failure, String why, int notify) {
        r.metrics.failed(failure);
        log.warn("{} ike_auth failed peer={} reason={} {}", sa.tag, Ikev2Responder.address(sa.peer), failure.tag, why);
        r.respondError(sa, mid, ExchangeType.IKE_AUTH, notify);
        r.tearDown(sa, EndCause.AUTH_FAILED, failure.tag);
    }

    static String describe(Identification id) {
        return switch (id.idType()) {
            case Identification.ID_IPV4_ADDR, Identification.ID_IPV6_ADDR -> {
                try {
                    yield InetAddress.getByAddress(id.data()).getHostAddress();
                } catch (java.net.UnknownHostException e) {
                    yield "?";
                }
            }
            case Identification.ID_FQDN, Identification.ID_RFC822_ADDR, Identification.ID_KEY_ID ->
                    net.l2sec.dataplane.LogText.quote(new String(id.data(), StandardCharsets.UTF_8));
            case Identification.ID_DER_ASN1_DN -> {
                try {
                    yield new javax.security.auth.x500.X500Principal(id.data()).getName();
                } catch (IllegalArgumentException e) {
                    yield "dn?";
                }
            }
            default -> "id-type-" + id.idType();
        };
    }

    /** The EAP conversation's link to IKE: each EAP Request goes out as the response to the pending request. */
    private final class EapHost implements EapAuthenticator.Host {
        final Ikev2Sa sa;
        int mid;
        /** Payloads in front of the EAP Request (IDr, CERT, AUTH in the first response). */
        List<Payload> head;

        EapHost(Ikev2Sa sa, int mid, List<Payload> head) {
            this.sa = sa;
            this.mid = mid;
            this.head = head;
            sa.eapHost = this;
        }

        @Override
        public void send(byte[] eapRequest) {
            if (sa.state == Ikev2Sa.State.DEAD) return;
            List<Payload> out = new ArrayList<>(head);
            out.add(new Eap(eapRequest));
            r.respond(sa, mid, ExchangeType.IKE_AUTH, out);
        }

        @Override
        public void verify(AuthMethod method, String user, Credentials credentials, Consumer<AuthResult> onResult) {
            sa.context = sa.context.withClient(sa.client);
            r.authenticator.authenticate(new AuthRequest(sa.context, method, credentials)).whenComplete((result, failure) ->
                    r.scheduler.execute(() -> {
                        if (sa.state == Ikev2Sa.State.DEAD) return;
                        onResult.accept(failure != null ? new AuthResult.Reject(RejectReason.BACKEND_ERROR, failure.toString()) : result);
                    }));
        }

        @Override
        public void succeeded(AuthMethod method, AuthResult.Accept accept, byte[] eapSuccess) {
            sa.accepted = accept;
            sa.authMethod = method;
            sa.msk = accept.msk().orElse(null);
            sa.state = Ikev2Sa.State.EAP_DONE;
            log.info("{} auth ok method={} user={} msk={}", sa.tag, method.configName(),
                    net.l2sec.dataplane.LogText.quote(accept.user()), sa.msk != null);
            send(eapSuccess);
        }

        @Override
        public void failed(AuthMethod method, RejectReason reason, String detail, byte[] eapFailure) {
            r.metrics.failed(Ikev2Metrics.Failure.EAP_FAILED);
            log.warn("{} eap failed peer={} method={} reason={} {}", sa.tag, Ikev2Responder.address(sa.peer), method,
                    reason, detail);
            send(eapFailure);
            r.tearDown(sa, EndCause.AUTH_FAILED, "eap " + reason);
        }

        @Override
        public void malformed(EapDiscard reason, String detail) {
            // the client retransmits its request (same message ID) and is served then
            sa.processing = false;
            r.metrics.eapDiscarded(reason);
            log.debug("{} eap response discarded reason={} {}", sa.tag, reason.label(), detail);
        }
    }
}
