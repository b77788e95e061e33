package net.l2sec.dataplane.ike.message;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/** The ISAKMP payloads (RFC 2408 section 3, NAT-T RFC 3947 section 3 / 5). Layouts are in {@link PayloadFormat}. */
public sealed interface Payload {

    /** The next-payload code of this payload. */
    int type();

    /** DOI for IPsec (RFC 2407 section 4.2). */
    int DOI_IPSEC = 1;
    /** SIT_IDENTITY_ONLY (RFC 2407 section 4.2.1). */
    int SIT_IDENTITY_ONLY = 1;

    /** Security Association payload (RFC 2408 section 3.4) with its Proposal payloads. */
    record Sa(int doi, int situation, List<Proposal> proposals) implements Payload {
        public Sa {
            proposals = List.copyOf(proposals);
        }

        public int type() {
            return PayloadType.SA;
        }
    }

    /** Proposal payload (RFC 2408 section 3.5); protocol 1 = ISAKMP, 3 = ESP (RFC 2407 section 4.4.1). */
    record Proposal(int number, int protocolId, byte[] spi, List<Transform> transforms) {
        public static final int PROTO_ISAKMP = 1;
        public static final int PROTO_ESP = 3;

        public Proposal {
            transforms = List.copyOf(transforms);
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

    /** Identification payload, IPsec DOI layout (RFC 2407 section 4.6.2). */
    record Id(int idType, int protocol, int port, byte[] data) implements Payload {
        public static final int ID_IPV4_ADDR = 1;
        public static final int ID_FQDN = 2;
        public static final int ID_USER_FQDN = 3;
        public static final int ID_IPV4_ADDR_SUBNET = 4;
        public static final int ID_IPV6_ADDR = 5;
        public static final int ID_DER_ASN1_DN = 9;
        public static final int ID_KEY_ID = 11;

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

    /** Certificate payload (RFC 2408 section 3.9). */
    record Cert(int encoding, byte[] data) implements Payload {
        /** Certificate encoding X.509 Certificate - Signature (RFC 2408 section 3.9). */
        public static final int X509_SIGNATURE = 4;

        public int type() {
            return PayloadType.CERT;
        }
    }

    /** Certificate Request payload (RFC 2408 section 3.10). */
    record CertRequest(int certType, byte[] authority) implements Payload {
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

    /** Notification payload (RFC 2408 section 3.14). */
    record Notify(int doi, int protocolId, int notifyType, byte[] spi, byte[] data) implements Payload {
        public static final int INVALID_PAYLOAD_TYPE = 1;
        public static final int PAYLOAD_MALFORMED = 16;
        public static final int NO_PROPOSAL_CHOSEN = 14;
        public static final int INVALID_HASH_INFORMATION = 23;
        public static final int INVALID_CERTIFICATE = 18;
        public static final int AUTHENTICATION_FAILED = 24;
        public static final int INVALID_SIGNATURE = 25;
        /** RFC 2407 section 4.6.3. */
        public static final int RESPONDER_LIFETIME = 24576;
        public static final int INITIAL_CONTACT = 24578;
        /** RFC 3706 section 6. */
        public static final int R_U_THERE = 36136;
        public static final int R_U_THERE_ACK = 36137;

        public int type() {
            return PayloadType.NOTIFY;
        }
    }

    /** Delete payload (RFC 2408 section 3.15). */
    record Delete(int doi, int protocolId, int spiSize, List<byte[]> spis) implements Payload {
        public Delete {
            spis = List.copyOf(spis);
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

    /** NAT-OA (RFC 3947 section 5.1, type 21; drafts type 131). */
    record NatOa(boolean draft, int idType, byte[] address) implements Payload {
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
