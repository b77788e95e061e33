package net.l2sec.dataplane.ike.message;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/** The ISAKMP payloads (RFC 2408 section 3, NAT-T RFC 3947 section 3 / 5). Layouts are in {@link PayloadFormat}. */
public sealed interface Payload {

    /** The next-payload code of this payload. */
    int type();

    /** SIT_IDENTITY_ONLY (RFC 2407 section 4.2.1; the situation is a bit mask, not a code). */
    int SIT_IDENTITY_ONLY = 1;

    /** Security Association payload (RFC 2408 section 3.4) with its Proposal payloads; {@code doi} see {@link Doi}. */
    record Sa(int doi, int situation, List<Proposal> proposals) implements Payload {
        public Sa {
            proposals = List.copyOf(proposals);
        }

        public Sa(Doi doi, int situation, List<Proposal> proposals) {
            this(doi.code(), situation, proposals);
        }

        public int type() {
            return PayloadType.SA;
        }
    }

    /** Proposal payload (RFC 2408 section 3.5); {@code protocolId} see {@link ProtocolId}. */
    record Proposal(int number, int protocolId, byte[] spi, List<Transform> transforms) {
        public Proposal {
            transforms = List.copyOf(transforms);
        }

        public Proposal(int number, ProtocolId protocolId, byte[] spi, List<Transform> transforms) {
            this(number, protocolId.code(), spi, transforms);
        }

        @Override
        public String toString() {
            return "Proposal[#" + number + " proto=" + protocolId + " spi=" + HexFormat.of().formatHex(spi) + " "
                    + transforms + "]";
        }
    }

    /** Transform payload (RFC 2408 section 3.6). */
    record Transform(int number, int transformId, List<Attribute> attributes) {
        public Transform {
            attributes = List.copyOf(attributes);
        }

        /** The first attribute of {@code type}, or null. */
        public Attribute attribute(int attrType) {
            for (Attribute a : attributes) if (a.type() == attrType) return a;
            return null;
        }
    }

    /** Key Exchange payload (RFC 2408 section 3.7). */
    record Ke(byte[] data) implements Payload {
        public int type() {
            return PayloadType.KE;
        }
    }

    /**
     * Identification payload, IPsec DOI layout (RFC 2407 section 4.6.2); {@code idType} see {@link IdType},
     * {@code protocol} an IP protocol number (17 UDP), 0 for any.
     */
    record Id(int idType, int protocol, int port, byte[] data) implements Payload {
        public Id(IdType idType, int protocol, int port, byte[] data) {
            this(idType.code(), protocol, port, data);
        }

        public int type() {
            return PayloadType.ID;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Id i && i.idType == idType && i.protocol == protocol && i.port == port
                    && Arrays.equals(i.data, data);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(data) * 31 + idType * 7 + port;
        }
    }

    /** Certificate payload (RFC 2408 section 3.9); {@code encoding} see {@link CertEncoding}. */
    record Cert(int encoding, byte[] data) implements Payload {
        public Cert(CertEncoding encoding, byte[] data) {
            this(encoding.code(), data);
        }

        public int type() {
            return PayloadType.CERT;
        }
    }

    /** Certificate Request payload (RFC 2408 section 3.10); {@code certType} see {@link CertEncoding}. */
    record CertRequest(int certType, byte[] authority) implements Payload {
        public CertRequest(CertEncoding certType, byte[] authority) {
            this(certType.code(), authority);
        }

        public int type() {
            return PayloadType.CR;
        }
    }

    /** Hash payload (RFC 2408 section 3.11). */
    record Hash(byte[] data) implements Payload {
        public int type() {
            return PayloadType.HASH;
        }
    }

    /** Signature payload (RFC 2408 section 3.12). */
    record Sig(byte[] data) implements Payload {
        public int type() {
            return PayloadType.SIG;
        }
    }

    /** Nonce payload (RFC 2408 section 3.13). */
    record Nonce(byte[] data) implements Payload {
        public int type() {
            return PayloadType.NONCE;
        }
    }

    /**
     * Notification payload (RFC 2408 section 3.14); the codes as received ({@link Doi}, {@link ProtocolId},
     * {@link NotifyType}), so a type we do not know decodes too.
     */
    record Notify(int doi, int protocolId, int notifyType, byte[] spi, byte[] data) implements Payload {
        public Notify(Doi doi, ProtocolId protocolId, NotifyType notifyType, byte[] spi, byte[] data) {
            this(doi.code(), protocolId.code(), notifyType.code(), spi, data);
        }

        public int type() {
            return PayloadType.NOTIFY;
        }
    }

    /** Delete payload (RFC 2408 section 3.15); {@code doi} see {@link Doi}, {@code protocolId} {@link ProtocolId}. */
    record Delete(int doi, int protocolId, int spiSize, List<byte[]> spis) implements Payload {
        public Delete {
            spis = List.copyOf(spis);
        }

        public Delete(Doi doi, ProtocolId protocolId, int spiSize, List<byte[]> spis) {
            this(doi.code(), protocolId.code(), spiSize, spis);
        }

        public int type() {
            return PayloadType.DELETE;
        }
    }

    /** Vendor ID payload (RFC 2408 section 3.16). */
    record VendorId(byte[] data) implements Payload {
        public int type() {
            return PayloadType.VENDOR_ID;
        }
    }

    /** NAT-D (RFC 3947 section 3.2, type 20; drafts 02/03 type 130). */
    record NatD(boolean draft, byte[] hash) implements Payload {
        public int type() {
            return draft ? PayloadType.NAT_D_DRAFT : PayloadType.NAT_D;
        }
    }

    /** NAT-OA (RFC 3947 section 5.1, type 21; drafts type 131); {@code idType} see {@link IdType}. */
    record NatOa(boolean draft, int idType, byte[] address) implements Payload {
        public NatOa(boolean draft, IdType idType, byte[] address) {
            this(draft, idType.code(), address);
        }

        public int type() {
            return draft ? PayloadType.NAT_OA_DRAFT : PayloadType.NAT_OA;
        }
    }

    /**
     * IKEv1 Fragment payload (type 132, MS-IKEE section 2.2.3.1, as strongSwan and Windows use it): one piece of a
     * whole ISAKMP message, the only payload of its datagram.
     *
     * @param number fragment number, from 1
     * @param flags  {@link #LAST_FRAGMENT} on the last one
     */
    record Fragment(int fragmentId, int number, int flags, byte[] data) implements Payload {
        public static final int LAST_FRAGMENT = 0x01;

        public boolean last() {
            return (flags & LAST_FRAGMENT) != 0;
        }

        public int type() {
            return PayloadType.FRAGMENT;
        }
    }

    /** A payload we do not interpret, kept as its body. */
    record Unknown(int type, byte[] body) implements Payload {
    }
}
