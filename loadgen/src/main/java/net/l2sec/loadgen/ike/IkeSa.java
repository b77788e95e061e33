package net.l2sec.loadgen.ike;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;
import net.l2sec.dataplane.ike.keymat.Keymat;
import net.l2sec.dataplane.ike.message.ExchangeType;
import net.l2sec.dataplane.ike.message.IkeDecodeException;
import net.l2sec.dataplane.ike.message.IsakmpCodec;
import net.l2sec.dataplane.ike.message.IsakmpHeader;
import net.l2sec.dataplane.ike.message.Payload;
import net.l2sec.dataplane.ike.message.PayloadChain;

/**
 * The initiator's side of one ISAKMP SA: cookies, the chosen proposal, the {@link Keymat} (which holds every key),
 * the addresses, and whether NAT-T moved us to UDP/4500. Confined to the client's event loop.
 */
final class IkeSa {
    final long ckyI;
    long ckyR;
    final IkeProposal proposal;
    final InetSocketAddress local;
    /**
     * The address the client believes it has: its IKE identity, its Quick Mode IDci and NAT-OAi. Behind a NAT (real
     * or pretended) that is a private address of its own, as every real client behind a NAT has: one shared by
     * several clients would make a server that keeps one SA per identity (strongSwan's uniqueids) replace them.
     */
    final java.net.InetAddress inner;
    /** The server's IKE address as we dial it (port 500). */
    final InetSocketAddress server;
    Keymat keymat;
    /** The server announced RFC 3947. */
    boolean natT;
    /** Messages go to UDP/4500 with the non-ESP marker (RFC 3947 section 4, RFC 3948 section 2.2). */
    boolean floated;
    boolean established;

    IkeSa(RandomGenerator random, IkeProposal proposal, InetSocketAddress local, java.net.InetAddress inner,
          InetSocketAddress server) {
        this.inner = inner;
        long c;
        do c = random.nextLong(); while (c == 0);
        this.ckyI = c;
        this.proposal = proposal;
        this.local = local;
        this.server = server;
    }

    byte[] cookies() {
        return ByteBuffer.allocate(16).putLong(ckyI).putLong(ckyR).array();
    }

    IsakmpHeader header(ExchangeType t, int flags, int messageId) {
        return new IsakmpHeader(ckyI, ckyR, 0, IsakmpHeader.VERSION_1_0, t, flags, messageId, 0);
    }

    /** An encrypted message of exchange {@code messageId}; its IV chains in the Keymat. */
    byte[] protect(ExchangeType t, int messageId, List<Payload> payloads) {
        byte[] plain = IsakmpCodec.encodePayloads(payloads);
        return IsakmpCodec.encodeMessage(new IsakmpHeader(ckyI, ckyR, payloads.get(0).type(), IsakmpHeader.VERSION_1_0, t,
                IsakmpHeader.ENCRYPTED, messageId, 0), keymat.encrypt(messageId, plain));
    }

    /** HASH(1) = prf(SKEYID_a, M-ID | rest), then {@code rest}, encrypted (Quick Mode message 1, Informational). */
    byte[] protectWithHash1(ExchangeType t, int messageId, List<Payload> rest) {
        List<Payload> all = new java.util.ArrayList<>();
        all.add(new Payload.Hash(keymat.hash1(messageId, IsakmpCodec.encodePayloads(rest))));
        all.addAll(rest);
        return protect(t, messageId, all);
    }

    /** The encrypted body of {@code message} (after the 28-octet header, up to its Length). */
    static byte[] body(IsakmpHeader h, byte[] message) {
        int end = Math.min(message.length, h.length() > 0 ? h.length() : message.length);
        return Arrays.copyOfRange(message, IsakmpHeader.LENGTH, end);
    }

    /**
     * Decrypts {@code message}; its IV moves on only when the caller found it authentic ({@link Keymat#authentic}).
     */
    PayloadChain decrypt(IsakmpHeader h, byte[] body) throws GeneralSecurityException, IkeDecodeException {
        byte[] plain = keymat.decrypt(h.messageId(), body);
        return IsakmpCodec.decodePayloads(h.nextPayload(), plain, 0, plain.length, true);
    }

    void wipe() {
        if (keymat != null) keymat.wipe();
    }
}
