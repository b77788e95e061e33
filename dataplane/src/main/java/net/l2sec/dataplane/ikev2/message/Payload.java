package net.l2sec.dataplane.ikev2.message;

import java.util.HexFormat;
import java.util.List;

/**
 * IKEv2 payloads (RFC 7296 section 3), as immutable values. Arrays are the caller's: a decoder creates fresh ones
 * and nothing here copies them; do not change an array after building a payload from it.
 */
public sealed interface Payload {
    PayloadType type();

    /** Security Association (section 3.3). */
    record Sa(List<Proposal> proposals) implements Payload {
        public PayloadType type() {
            return PayloadType.SA;
        }
    }

    /**
     * A proposal: a protocol ({@link #IKE}, {@link #ESP}), the sender's SPI for it (empty for the first IKE SA) and
     * its transforms.
     */
    record Proposal(int number, int protocol, byte[] spi, List<Transform> transforms) {
        public static final int IKE = 1;
        public static final int AH = 2;
        public static final int ESP = 3;

        @Override
        public String toString() {
            return "Proposal[" + number + " protocol=" + protocol + " spi=" + HexFormat.of().formatHex(spi) + " " + transforms + "]";
        }
    }

    /**
     * A transform (section 3.3.2): type {@link #ENCR}, {@link #PRF}, {@link #INTEG}, {@link #DH}, {@link #ESN}; its
     * ID; the Key Length attribute in bits (section 3.3.5), 0 when absent.
     */
    record Transform(int type, int id, int keyBits) {
        public static final int ENCR = 1;
        public static final int PRF = 2;
        public static final int INTEG = 3;
        public static final int DH = 4;
        public static final int ESN = 5;
    }

    /** Key Exchange (section 3.4). */
    record Ke(int group, byte[] data) implements Payload {
        public PayloadType type() {
            return PayloadType.KE;
        }
    }

    /** IDi or IDr (section 3.5). {@link #body()} is what the AUTH payload's MACedIDFor covers. */
    record Identification(boolean initiator, int idType, byte[] data) implements Payload {
        public static final int ID_IPV4_ADDR = 1;
        public static final int ID_FQDN = 2;
        public static final int ID_RFC822_ADDR = 3;
        public static final int ID_IPV6_ADDR = 5;
        public static final int ID_DER_ASN1_DN = 9;
        public static final int ID_DER_ASN1_GN = 10;
        public static final int ID_KEY_ID = 11;

        public PayloadType type() {
            return initiator ? PayloadType.IDI : PayloadType.IDR;
        }

        /** ID Type, three reserved octets and the data: the payload without its generic header (section 2.15). */
        public byte[] body() {
            byte[] b = new byte[4 + data.length];
            b[0] = (byte) idType;
            System.arraycopy(data, 0, b, 4, data.length);
            return b;
        }
    }

    /** Certificate (section 3.6); encoding 4 is an X.509 certificate (DER). */
    record Cert(int encoding, byte[] data) implements Payload {
        public static final int X509_SIGNATURE = 4;

        public PayloadType type() {
            return PayloadType.CERT;
        }
    }

    /** Certificate Request (section 3.7): the encoding and SHA-1 hashes of trusted CAs' public keys. */
    record CertReq(int encoding, byte[] authorities) implements Payload {
        public PayloadType type() {
            return PayloadType.CERTREQ;
        }
    }

    /** Authentication (section 3.8). */
    record Auth(int method, byte[] data) implements Payload {
        public static final int RSA_SIGNATURE = 1;
        public static final int SHARED_KEY_MIC = 2;
        public static final int DSS_SIGNATURE = 3;
        public static final int ECDSA_SHA256_P256 = 9;
        public static final int ECDSA_SHA384_P384 = 10;
        public static final int ECDSA_SHA512_P521 = 11;
        /** RFC 7427: the signature algorithm named by an ASN.1 AlgorithmIdentifier in front of the signature. */
        public static final int DIGITAL_SIGNATURE = 14;

        public PayloadType type() {
            return PayloadType.AUTH;
        }
    }

    /** Nonce (section 3.9): 16 to 256 octets. */
    record Nonce(byte[] data) implements Payload {
        public PayloadType type() {
            return PayloadType.NONCE;
        }
    }

    /** Notify (section 3.10). */
    record Notify(int protocol, byte[] spi, int notifyType, byte[] data) implements Payload {
        public static Notify of(int notifyType, byte[] data) {
            return new Notify(0, new byte[0], notifyType, data);
        }

        public static Notify of(int notifyType) {
            return of(notifyType, new byte[0]);
        }

        public boolean error() {
            return notifyType < NotifyType.FIRST_STATUS;
        }

        public PayloadType type() {
            return PayloadType.NOTIFY;
        }
    }

    /** Delete (section 3.11): the IKE SA itself (protocol 1, no SPIs) or child SAs by the SPIs the sender receives on. */
    record Delete(int protocol, int spiSize, List<byte[]> spis) implements Payload {
        public PayloadType type() {
            return PayloadType.DELETE;
        }
    }

    /** Vendor ID (section 3.12). */
    record VendorId(byte[] data) implements Payload {
        public PayloadType type() {
            return PayloadType.VENDOR_ID;
        }
    }

    /** TSi or TSr (section 3.13). */
    record TrafficSelectors(boolean initiator, List<TrafficSelector> selectors) implements Payload {
        public PayloadType type() {
            return initiator ? PayloadType.TSI : PayloadType.TSR;
        }
    }

    /**
     * One traffic selector (section 3.13.1): {@link #TS_IPV4_ADDR_RANGE} (4-octet addresses) or
     * {@link #TS_IPV6_ADDR_RANGE} (16), an IP protocol (0 any), a port range and an address range.
     */
    record TrafficSelector(int tsType, int ipProtocol, int startPort, int endPort, byte[] start, byte[] end) {
        public static final int TS_IPV4_ADDR_RANGE = 7;
        public static final int TS_IPV6_ADDR_RANGE = 8;

        @Override
        public String toString() {
            try {
                return java.net.InetAddress.getByAddress(start).getHostAddress() + "-"
                        + java.net.InetAddress.getByAddress(end).getHostAddress() + (ipProtocol != 0 ? " proto " + ipProtocol : "")
                        + (startPort != 0 || endPort != 65535 ? " ports " + startPort + "-" + endPort : "");
            } catch (java.net.UnknownHostException e) {
                return "TrafficSelector[type=" + tsType + "]";
            }
        }
    }

    /** Configuration (section 3.15): CFG_REQUEST (1), CFG_REPLY (2), CFG_SET (3), CFG_ACK (4). */
    record Config(int cfgType, List<ConfigAttribute> attributes) implements Payload {
        public static final int CFG_REQUEST = 1;
        public static final int CFG_REPLY = 2;

        public PayloadType type() {
            return PayloadType.CP;
        }
    }

    /** A configuration attribute (section 3.15.1): its type (15 bits) and value (empty in a request that asks). */
    record ConfigAttribute(int attributeType, byte[] value) {
        public static final int INTERNAL_IP4_ADDRESS = 1;
        public static final int INTERNAL_IP4_NETMASK = 2;
        public static final int INTERNAL_IP4_DNS = 3;
        public static final int INTERNAL_IP4_NBNS = 4;
        public static final int INTERNAL_IP4_DHCP = 6;
        public static final int APPLICATION_VERSION = 7;
        public static final int INTERNAL_IP6_ADDRESS = 8;
        public static final int INTERNAL_IP6_DNS = 10;
        public static final int INTERNAL_IP4_SUBNET = 13;
        public static final int SUPPORTED_ATTRIBUTES = 14;
        public static final int INTERNAL_IP6_SUBNET = 15;
        /** Cisco Unity / strongSwan: the DNS domain (28674, "UNITY_DEF_DOMAIN"), asked by some clients. */
        public static final int INTERNAL_DNS_DOMAIN = 25;
    }

    /** EAP (section 3.16): one EAP packet. */
    record Eap(byte[] packet) implements Payload {
        public PayloadType type() {
            return PayloadType.EAP;
        }
    }

    /**
     * Encrypted and Authenticated (section 3.14): the type of the first payload inside, and IV, ciphertext and ICV
     * as they are on the wire. Always the last payload of a message.
     */
    record Encrypted(int firstInner, byte[] body) implements Payload {
        public PayloadType type() {
            return PayloadType.SK;
        }
    }

    /**
     * Encrypted Fragment (RFC 7383 section 2.5): fragment {@code number} of {@code total}; only the first carries
     * the inner payloads' first type (0 in the others).
     */
    record EncryptedFragment(int firstInner, int number, int total, byte[] body) implements Payload {
        public PayloadType type() {
            return PayloadType.SKF;
        }
    }

    /** A payload type we do not know and that is not critical: skipped (section 2.5). */
    record Unknown(int payloadType, byte[] body) implements Payload {
        public PayloadType type() {
            return PayloadType.NONE;
        }
    }
}
