package net.l2sec.dataplane.auth.eap;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;
import net.l2sec.dataplane.auth.eap.EapPacket.Failure;
import net.l2sec.dataplane.auth.eap.EapPacket.Request;
import net.l2sec.dataplane.auth.eap.EapPacket.Response;
import net.l2sec.dataplane.auth.eap.EapPacket.Success;
import net.l2sec.spi.auth.AuthMethod;
import net.l2sec.spi.auth.AuthResult;
import net.l2sec.spi.auth.Authenticator;
import net.l2sec.spi.auth.ChapCredentials;
import net.l2sec.spi.auth.Credentials;
import net.l2sec.spi.auth.EapCredentials;
import net.l2sec.spi.auth.MsChapV2Credentials;
import net.l2sec.spi.auth.RejectReason;

/**
 * RFC 3748 EAP, authenticator side, as an explicit state machine driven by its host: {@link #start} sends
 * Request/Identity, each {@link #receive} is one Response, each backend decision comes back through the callback the
 * host was given. Nothing here has a timer or a socket: the lower layer carries the packets and retransmits them
 * (IKEv2: RFC 7296 section 2.16, each EAP packet in an IKE_AUTH exchange, whose retransmission is IKE's); the host
 * bounds the conversation's time.
 *
 * <p>Locally ({@code relay} false) the configured methods run in order, EAP-MSCHAPv2 (type 26,
 * draft-kamath-pppext-eap-mschapv2: Challenge; Response; Success or Failure Request which the peer acknowledges with
 * the same OpCode; then EAP-Success or EAP-Failure) or EAP-MD5-Challenge (type 4, RFC 3748 section 5.4: Challenge;
 * Response; EAP-Success or EAP-Failure). A Nak (type 3, section 5.3.1) moves to the first remaining configured method
 * the peer lists; none left ends in EAP-Failure. In relay mode ({@link Authenticator#relaysEap()}, RADIUS EAP
 * pass-through, RFC 3579) every Response from the Identity on goes to the backend as {@link EapCredentials}; its
 * {@link AuthResult.Challenge} Requests go to the peer unchanged, its accept or reject ends the conversation.
 *
 * <p>The EAP Identity is bound to the credentials: an EAP-MSCHAPv2 Response whose Name is not the Identity, octet
 * for octet, is refused ({@link RejectReason#IDENTITY_MISMATCH}) before a backend sees it, locally and in relay mode
 * alike; otherwise a peer could prove one user's password (the Name is what the MS-CHAPv2 hash covers) and be known
 * by another's name (the Identity is the RADIUS User-Name).
 *
 * <p>EAP-MSCHAPv2 generates keys: an accept for it must carry the MSK ({@link AuthResult.Accept#msk()}: local users
 * derive it, RADIUS sends it as MS-MPPE-Recv-Key and -Send-Key). One without is refused as
 * {@link RejectReason#BACKEND_ERROR}, since IKEv2 would sign its AUTH payload with a key the peer does not have
 * (RFC 7296 section 2.16). EAP-MD5 generates none.
 *
 * <p>Not thread-safe: every call, and every {@code onResult}, on the host's one thread (an event loop).
 */
public final class EapAuthenticator {
    /** What the authenticator needs from the lower layer carrying EAP (IKEv2's IKE_AUTH exchanges). */
    public interface Host {
        /** An EAP Request to carry to the peer (the lower layer retransmits, not EAP). */
        void send(byte[] eapRequest);

        /**
         * Asks the backend about {@code credentials}, {@code user} as the peer presented it. {@code onResult} may
         * come later: the host hops back to its loop before calling it, and does not call it once the conversation
         * was {@link #stop stopped}. The host may refuse without asking (an invalid or throttled name) by answering
         * a {@link AuthResult.Reject}.
         */
        void verify(AuthMethod method, String user, Credentials credentials, Consumer<AuthResult> onResult);

        /**
         * Authentication succeeded: {@code eapSuccess} is the EAP-Success to carry to the peer, {@code accept.msk()}
         * is present for a key-generating method (EAP-MSCHAPv2, and every relayed method but EAP-MD5).
         */
        void succeeded(AuthMethod method, AuthResult.Accept accept, byte[] eapSuccess);

        /** Authentication failed for {@code reason}: {@code eapFailure} is the EAP-Failure to carry to the peer. */
        void failed(AuthMethod method, RejectReason reason, String detail, byte[] eapFailure);

        /** A packet from the peer that was discarded (RFC 3748 section 4.1); the conversation continues. */
        void malformed(EapDiscard reason, String detail);
    }

    /** The conversation's states; the public methods are its events. */
    enum State {
        /** Not started. */
        INITIAL,
        /** Request/Identity outstanding. */
        IDENTITY,
        /** A method's Challenge outstanding (local). */
        METHOD,
        /** The backend is deciding; no Request outstanding. */
        VERIFYING,
        /** EAP-MSCHAPv2 Success Request outstanding: the peer's Success Response ends the method. */
        MSCHAPV2_SUCCESS,
        /** EAP-MSCHAPv2 Failure Request outstanding: the peer's Failure Response ends the method. */
        MSCHAPV2_FAILURE,
        /** A backend's Request outstanding (relay). */
        RELAY,
        /** EAP-Success or EAP-Failure sent, or stopped. */
        DONE
    }

    /** Our Name in Challenges (RFC 2759 section 3, RFC 3748 section 5.4). */
    static final byte[] NAME = "l2sec".getBytes(StandardCharsets.US_ASCII);
    /** RFC 2865 section 5.1: a user name is at most 253 octets (a RADIUS User-Name). */
    static final int MAX_IDENTITY_OCTETS = 253;
    /** The backend's Requests relayed in one conversation at most: a bound on a backend that never decides. */
    static final int MAX_RELAY_ROUNDS = 50;

    private final Host host;
    private final RandomGenerator random;
    private final boolean relay;
    private final List<AuthMethod> remaining;
    private State state = State.INITIAL;
    /** The outstanding Request's Identifier. */
    private int identifier;
    private String identityHint = "";
    private String identity = "";
    /** The Identity as the peer sent it (RFC 3748 section 5.1: not null-terminated). */
    private byte[] identityOctets = new byte[0];
    private AuthMethod method;
    private byte[] challenge;
    private int msChapV2Id;
    private AuthResult.Accept accept;
    private AuthResult.Reject reject;
    private byte[] relayState = new byte[0];
    private int relayRounds;
    /** The Type of the last Response relayed: the method the backend ran, for the MSK rule. */
    private int relayedType;

    /**
     * @param methods {@link AuthMethod#EAP_MSCHAPV2} and/or {@link AuthMethod#EAP_MD5} in the order to offer them
     *                (others are ignored); in relay mode the first is what the host is told until the peer's
     *                Responses show the backend's method
     * @param relay   true to relay every Response to the backend ({@link Authenticator#relaysEap()})
     */
    public EapAuthenticator(Host host, List<AuthMethod> methods, boolean relay, RandomGenerator random) {
        this.host = host;
        this.relay = relay;
        this.random = random;
        this.remaining = new ArrayList<>(methods.stream()
                .filter(m -> m == AuthMethod.EAP_MSCHAPV2 || m == AuthMethod.EAP_MD5).distinct().toList());
        if (remaining.isEmpty()) throw new IllegalArgumentException("no EAP method configured (eap-mschapv2, eap-md5)");
        this.method = remaining.getFirst();
    }

    /** Sends Request/Identity. {@code identityHint} (the IKE IDi) only appears in details for the log. */
    public void start(String identityHint) {
        if (state != State.INITIAL) throw new IllegalStateException("EAP already started");
        this.identityHint = identityHint;
        identifier = random.nextInt(256);
        request(State.IDENTITY, EapType.IDENTITY, new byte[0]);
    }

    /** One EAP packet from the peer (the octets of an IKEv2 EAP payload). */
    public void receive(byte[] eapResponse) {
        Response response;
        try {
            if (!(EapCodec.decode(eapResponse) instanceof Response r)) {
                host.malformed(EapDiscard.NOT_A_RESPONSE, "EAP Code " + (eapResponse[0] & 0xff) + " from the peer");
                return;
            }
            response = r;
        } catch (MalformedEapException e) {
            host.malformed(e.discard(), e.getMessage());
            return;
        }
        switch (state) {
            case INITIAL, VERIFYING, DONE -> {
                host.malformed(EapDiscard.NOT_EXPECTED, "EAP Response while " + state.name().toLowerCase(java.util.Locale.ROOT));
                return;
            }
            default -> { }
        }
        if (response.identifier() != identifier) {
            host.malformed(EapDiscard.WRONG_IDENTIFIER, "EAP Identifier " + response.identifier() + ", outstanding " + identifier);
            return;
        }
        byte[] data = response.typeData();
        switch (state) {
            case IDENTITY -> {
                if (response.type() != EapType.IDENTITY.code()) {
                    unexpectedType(response);
                    return;
                }
                identity(data, response);
            }
            case METHOD -> {
                if (response.type() == EapType.NAK.code()) nak(data);
                else if (response.type() == typeOf(method).code()) methodResponse(data);
                else unexpectedType(response);
            }
            case MSCHAPV2_SUCCESS, MSCHAPV2_FAILURE -> {
                EapMsChapV2.OpCode expected = state == State.MSCHAPV2_SUCCESS ? EapMsChapV2.OpCode.SUCCESS : EapMsChapV2.OpCode.FAILURE;
                if (response.type() != EapType.MSCHAPV2.code()) {
                    unexpectedType(response);
                } else if (!EapMsChapV2.is(expected, data)) {
                    host.malformed(EapDiscard.BAD_MSCHAPV2, "EAP-MSCHAPv2 acknowledgement is not OpCode " + expected);
                } else if (state == State.MSCHAPV2_SUCCESS) {
                    succeed();
                } else {
                    fail(reject.reason(), reject.detail());
                }
            }
            case RELAY -> relayResponse(response);
            case INITIAL, VERIFYING, DONE -> throw new AssertionError(state);
        }
    }

    /** Ends the conversation without telling the peer: later backend decisions are ignored. */
    public void stop() {
        state = State.DONE;
    }

    /** True once succeeded or failed was called, or after {@link #stop}. */
    public boolean done() {
        return state == State.DONE;
    }

    /**
     * The refusal the peer has yet to acknowledge (an EAP-MSCHAPv2 Failure Request outstanding; {@link Host#failed}
     * comes with the acknowledgement): what the host reports when the peer never sends it before the host's timeout.
     */
    public Optional<AuthResult.Reject> pendingRejection() {
        return state == State.MSCHAPV2_FAILURE ? Optional.of(reject) : Optional.empty();
    }

    State state() {
        return state;
    }

    // ---- Identity (RFC 3748 section 5.1) ----

    private void identity(byte[] data, Response response) {
        identityOctets = data;
        identity = new String(data, StandardCharsets.UTF_8);
        Optional<String> problem = identityProblem(data);
        if (problem.isPresent()) {
            fail(RejectReason.INVALID_USER_NAME, "EAP Identity is not a user name: " + problem.get());
            return;
        }
        if (relay) relayResponse(response); else beginMethod();
    }

    /**
     * Why the Identity cannot name a user: empty, longer than a RADIUS User-Name, not UTF-8 or with a control
     * character (which would split a log line or an accounting record).
     */
    static Optional<String> identityProblem(byte[] octets) {
        if (octets.length == 0) return Optional.of("empty");
        if (octets.length > MAX_IDENTITY_OCTETS) return Optional.of(octets.length + " octets, more than " + MAX_IDENTITY_OCTETS);
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(octets)).toString();
        } catch (CharacterCodingException e) {
            return Optional.of("not UTF-8");
        }
        for (int i = 0; i < text.length(); i++) {
            if (Character.isISOControl(text.charAt(i))) return Optional.of(String.format("control character U+%04X", (int) text.charAt(i)));
        }
        return Optional.empty();
    }

    // ---- local methods ----

    private void beginMethod() {
        challenge = new byte[EapMsChapV2.CHALLENGE_LENGTH];
        random.nextBytes(challenge);
        next();
        if (method == AuthMethod.EAP_MSCHAPV2) {
            msChapV2Id = identifier;
            request(State.METHOD, EapType.MSCHAPV2, EapMsChapV2.challenge(msChapV2Id, challenge, NAME));
        } else {
            // RFC 3748 section 5.4: Value-Size, Value (the challenge), Name
            byte[] d = new byte[1 + challenge.length + NAME.length];
            d[0] = (byte) challenge.length;
            System.arraycopy(challenge, 0, d, 1, challenge.length);
            System.arraycopy(NAME, 0, d, 1 + challenge.length, NAME.length);
            request(State.METHOD, EapType.MD5_CHALLENGE, d);
        }
    }

    /** RFC 3748 section 5.3.1: the peer lists the types it wants; we pick the first one we still offer. */
    private void nak(byte[] desired) {
        AuthMethod refused = method;
        remaining.remove(method);
        Optional<AuthMethod> next = remaining.stream().filter(m -> {
            for (byte b : desired) if ((b & 0xff) == typeOf(m).code()) return true;
            return false;
        }).findFirst();
        if (next.isEmpty()) {
            StringBuilder wanted = new StringBuilder();
            for (byte b : desired) wanted.append(wanted.isEmpty() ? "" : ",").append(b & 0xff);
            fail(RejectReason.PEER_PROTOCOL, "the peer refused " + refused.configName() + " (Nak) and wants EAP types ["
                    + wanted + "], none of which is configured");
            return;
        }
        method = next.get();
        beginMethod();
    }

    private void methodResponse(byte[] data) {
        if (method == AuthMethod.EAP_MSCHAPV2) {
            EapMsChapV2.Response r;
            try {
                r = EapMsChapV2.response(data);
            } catch (MalformedEapException e) {
                host.malformed(e.discard(), e.getMessage());
                return;
            }
            if (r.msChapV2Id() != msChapV2Id) {
                host.malformed(EapDiscard.BAD_MSCHAPV2, "EAP-MSCHAPv2 MS-CHAPv2-ID " + r.msChapV2Id() + ", Challenge's " + msChapV2Id);
                return;
            }
            state = State.VERIFYING;
            if (!Arrays.equals(r.name(), identityOctets)) {
                mschapv2Decided(new AuthResult.Reject(RejectReason.IDENTITY_MISMATCH,
                        "EAP-MSCHAPv2 Name is not the EAP Identity " + identity));
                return;
            }
            var credentials = new MsChapV2Credentials(identity, challenge, r.peerChallenge(), r.ntResponse());
            host.verify(method, identity, credentials, result -> {
                if (state == State.VERIFYING) mschapv2Decided(result);
            });
        } else {
            // RFC 3748 section 5.4: Value-Size, Value (16 octets, the MD5 of RFC 1994 section 4.1), Name
            if (data.length < 1 || (data[0] & 0xff) != 16 || data.length < 17) {
                host.malformed(EapDiscard.BAD_MD5, "EAP-MD5 Value-Size " + (data.length < 1 ? "missing" : data[0] & 0xff)
                        + " in " + data.length + " octets");
                return;
            }
            var credentials = new ChapCredentials(identity, identifier, challenge, Arrays.copyOfRange(data, 1, 17));
            state = State.VERIFYING;
            host.verify(method, identity, credentials, result -> {
                if (state != State.VERIFYING) return;
                switch (result) {
                    case AuthResult.Accept a -> {
                        accept = a;
                        succeed();
                    }
                    case AuthResult.Reject r -> fail(r.reason(), r.detail());
                    case AuthResult.Challenge _ -> fail(RejectReason.BACKEND_ERROR, "the backend answered EAP-MD5 with a Challenge");
                }
            });
        }
    }

    /** The backend's decision on an EAP-MSCHAPv2 Response: the Success or Failure Request the peer acknowledges. */
    private void mschapv2Decided(AuthResult result) {
        AuthResult.Reject refused = switch (result) {
            case AuthResult.Accept a when a.authenticatorResponse().isEmpty() ->
                    new AuthResult.Reject(RejectReason.BACKEND_ERROR, "the backend accepted MS-CHAPv2 without an authenticator response");
            case AuthResult.Accept a when a.msk().isEmpty() ->
                    new AuthResult.Reject(RejectReason.BACKEND_ERROR, "the backend accepted EAP-MSCHAPv2 without its MSK"
                            + " (a RADIUS server must send MS-MPPE-Send-Key and MS-MPPE-Recv-Key)");
            case AuthResult.Accept _ -> null;
            case AuthResult.Reject r -> r;
            case AuthResult.Challenge _ -> new AuthResult.Reject(RejectReason.BACKEND_ERROR, "the backend answered MS-CHAPv2 with a Challenge");
        };
        next();
        if (refused == null) {
            accept = (AuthResult.Accept) result;
            request(State.MSCHAPV2_SUCCESS, EapType.MSCHAPV2, EapMsChapV2.success(msChapV2Id, accept.authenticatorResponse().orElseThrow()));
        } else {
            reject = refused;
            byte[] next = new byte[EapMsChapV2.CHALLENGE_LENGTH];
            random.nextBytes(next);
            request(State.MSCHAPV2_FAILURE, EapType.MSCHAPV2, EapMsChapV2.failure(msChapV2Id, refused.reason(), next));
        }
    }

    // ---- relay (RFC 3579 section 2: the backend is the EAP server) ----

    private void relayResponse(Response response) {
        if (response.type() == EapType.MSCHAPV2.code() && EapMsChapV2.is(EapMsChapV2.OpCode.RESPONSE, response.typeData())) {
            // the Name is bound to the Identity here too: a Response we cannot read is not relayed unchecked
            EapMsChapV2.Response r;
            try {
                r = EapMsChapV2.response(response.typeData());
            } catch (MalformedEapException e) {
                host.malformed(e.discard(), e.getMessage());
                return;
            }
            if (!Arrays.equals(r.name(), identityOctets)) {
                method = AuthMethod.EAP_MSCHAPV2;
                fail(RejectReason.IDENTITY_MISMATCH, "EAP-MSCHAPv2 Name is not the EAP Identity " + identity);
                return;
            }
        }
        switch (EapType.of(response.type()).orElse(EapType.NOTIFICATION)) {
            case MSCHAPV2 -> method = AuthMethod.EAP_MSCHAPV2;
            case MD5_CHALLENGE -> method = AuthMethod.EAP_MD5;
            default -> { }
        }
        if (response.type() != EapType.IDENTITY.code() && response.type() != EapType.NAK.code()) relayedType = response.type();
        state = State.VERIFYING;
        host.verify(method, identity, new EapCredentials(identity, EapCodec.encode(response), relayState), result -> {
            if (state == State.VERIFYING) relayDecided(result);
        });
    }

    private void relayDecided(AuthResult result) {
        switch (result) {
            case AuthResult.Challenge c -> {
                EapPacket p;
                try {
                    p = EapCodec.decode(c.eapPacket());
                } catch (MalformedEapException e) {
                    fail(RejectReason.BACKEND_ERROR, "the backend's EAP packet is malformed: " + e.getMessage());
                    return;
                }
                if (!(p instanceof Request)) {
                    fail(RejectReason.BACKEND_ERROR, "the backend's Challenge carries an EAP " + p.getClass().getSimpleName() + ", not a Request");
                    return;
                }
                if (++relayRounds > MAX_RELAY_ROUNDS) {
                    fail(RejectReason.BACKEND_ERROR, "the backend sent " + MAX_RELAY_ROUNDS + " EAP Requests without deciding");
                    return;
                }
                relayState = c.state();
                identifier = p.identifier();
                state = State.RELAY;
                host.send(c.eapPacket());
            }
            case AuthResult.Accept _ when relayedType == 0 ->
                    // no method ran: nothing was proven, and there is no key to sign IKEv2's AUTH with
                    fail(RejectReason.BACKEND_ERROR, "the backend accepted the EAP Identity without running an EAP method");
            case AuthResult.Accept a when a.msk().isEmpty() && relayedType != EapType.MD5_CHALLENGE.code() ->
                    fail(RejectReason.BACKEND_ERROR, "the backend accepted EAP type " + relayedType + " without its MSK"
                            + " (a RADIUS server must send MS-MPPE-Send-Key and MS-MPPE-Recv-Key)");
            case AuthResult.Accept a -> {
                accept = a;
                succeed();
            }
            case AuthResult.Reject r -> fail(r.reason(), r.detail());
        }
    }

    // ---- the end (RFC 3748 section 4.2: Success and Failure carry the Identifier of the Response they answer) ----

    private void succeed() {
        state = State.DONE;
        host.succeeded(method, accept, EapCodec.encode(new Success(identifier)));
    }

    private void fail(RejectReason reason, String detail) {
        state = State.DONE;
        host.failed(method, reason, detail + (identityHint.isEmpty() ? "" : " (IKE identity " + identityHint + ")"),
                EapCodec.encode(new Failure(identifier)));
    }

    private void next() {
        identifier = (identifier + 1) & 0xff;
    }

    private void request(State next, EapType type, byte[] data) {
        state = next;
        host.send(EapCodec.encode(new Request(identifier, type.code(), data)));
    }

    private void unexpectedType(Response response) {
        host.malformed(EapDiscard.UNEXPECTED_TYPE, "EAP Response of type " + response.type() + " while " + state.name().toLowerCase(java.util.Locale.ROOT));
    }

    private static EapType typeOf(AuthMethod m) {
        return m == AuthMethod.EAP_MSCHAPV2 ? EapType.MSCHAPV2 : EapType.MD5_CHALLENGE;
    }
}
