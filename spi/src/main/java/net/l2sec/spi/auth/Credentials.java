package net.l2sec.spi.auth;

/**
 * What a peer proved in PPP authentication (or what IKEv2 already verified, {@link ProvenIdentity}), in the form the protocol carried it. Backends verify it against a
 * stored secret (local users) or forward it unchanged (RADIUS). {@code toString()} never shows secret material.
 */
public sealed interface Credentials permits PapCredentials, ChapCredentials, MsChapV2Credentials, EapCredentials,
        ProvenIdentity {
    /** The user name the peer presented (PAP Peer-ID, CHAP Name, EAP Identity, IKEv2 identity). */
    String user();
}
