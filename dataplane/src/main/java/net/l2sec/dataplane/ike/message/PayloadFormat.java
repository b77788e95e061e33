package net.l2sec.dataplane.ike.message;

import java.util.ArrayList;
import java.util.List;

/**
 * The body layout of each payload, described once: how its fields follow the 4-octet generic payload header.
 * {@link IsakmpCodec} walks the payload chain and the generic headers and hands each body to the entry here.
 */
enum PayloadFormat {
    SA(PayloadType.SA) {
        Payload read(WireReader r) throws IkeDecodeException {
            int doi = r.u32();
            int situation = r.u32();
            List<Payload.Proposal> proposals = new ArrayList<>();
            int next = PayloadType.PROPOSAL;
            while (next == PayloadType.PROPOSAL) {
                if (proposals.size() >= MAX_CHILDREN) throw malformed("too many proposals");
                next = r.u8();
                r.u8();
                WireReader p = r.slice(bodyLength(r.u16()));
                int number = p.u8(), proto = p.u8(), spiSize = p.u8(), count = p.u8();
                byte[] spi = p.bytes(spiSize);
                List<Payload.Transform> transforms = new ArrayList<>();
                int tnext = PayloadType.TRANSFORM;
                for (int i = 0; i < count; i++) {
                    if (tnext != PayloadType.TRANSFORM) throw malformed("transform chain ends early");
                    tnext = p.u8();
                    p.u8();
                    WireReader t = p.slice(bodyLength(p.u16()));
                    int tnum = t.u8(), tid = t.u8();
                    t.u16();
                    transforms.add(new Payload.Transform(tnum, tid, readAttributes(t)));
                }
                if (tnext != PayloadType.NONE) throw malformed("transform chain does not end");
                proposals.add(new Payload.Proposal(number, proto, spi, transforms));
            }
            if (next != PayloadType.NONE) throw malformed("proposal chain ends with " + next);
            return new Payload.Sa(doi, situation, proposals);
        }

        void write(Payload p, WireWriter w) {
            Payload.Sa sa = (Payload.Sa) p;
            w.u32(sa.doi()).u32(sa.situation());
            for (int i = 0; i < sa.proposals().size(); i++) {
                Payload.Proposal pr = sa.proposals().get(i);
                int start = w.length();
                w.u8(i + 1 < sa.proposals().size() ? PayloadType.PROPOSAL : 0).u8(0).u16(0);
                w.u8(pr.number()).u8(pr.protocolId()).u8(pr.spi().length).u8(pr.transforms().size()).bytes(pr.spi());
                for (int j = 0; j < pr.transforms().size(); j++) {
                    Payload.Transform t = pr.transforms().get(j);
                    int ts = w.length();
                    w.u8(j + 1 < pr.transforms().size() ? PayloadType.TRANSFORM : 0).u8(0).u16(0);
                    w.u8(t.number()).u8(t.transformId()).u16(0);
                    for (Attribute a : t.attributes()) {
                        if (a.tv()) w.u16(0x8000 | a.type()).bytes(a.value());
                        else w.u16(a.type()).u16(a.value().length).bytes(a.value());
                    }
                    w.putU16At(ts + 2, w.length() - ts);
                }
                w.putU16At(start + 2, w.length() - start);
            }
        }
    },
    KE(PayloadType.KE) {
        Payload read(WireReader r) throws IkeDecodeException {
            return new Payload.Ke(r.rest());
        }

        void write(Payload p, WireWriter w) {
            w.bytes(((Payload.Ke) p).data());
        }
    },
    ID(PayloadType.ID) {
        Payload read(WireReader r) throws IkeDecodeException {
            return new Payload.Id(r.u8(), r.u8(), r.u16(), r.rest());
        }

        void write(Payload p, WireWriter w) {
            Payload.Id id = (Payload.Id) p;
            w.u8(id.idType()).u8(id.protocol()).u16(id.port()).bytes(id.data());
        }
    },
    CERT(PayloadType.CERT) {
        Payload read(WireReader r) throws IkeDecodeException {
            return new Payload.Cert(r.u8(), r.rest());
        }

        void write(Payload p, WireWriter w) {
            w.u8(((Payload.Cert) p).encoding()).bytes(((Payload.Cert) p).data());
        }
    },
    CR(PayloadType.CR) {
        Payload read(WireReader r) throws IkeDecodeException {
            return new Payload.CertRequest(r.u8(), r.rest());
        }

        void write(Payload p, WireWriter w) {
            w.u8(((Payload.CertRequest) p).certType()).bytes(((Payload.CertRequest) p).authority());
        }
    },
    HASH(PayloadType.HASH) {
        Payload read(WireReader r) throws IkeDecodeException {
            return new Payload.Hash(r.rest());
        }

        void write(Payload p, WireWriter w) {
            w.bytes(((Payload.Hash) p).data());
        }
    },
    SIG(PayloadType.SIG) {
        Payload read(WireReader r) throws IkeDecodeException {
            return new Payload.Sig(r.rest());
        }

        void write(Payload p, WireWriter w) {
            w.bytes(((Payload.Sig) p).data());
        }
    },
    NONCE(PayloadType.NONCE) {
        Payload read(WireReader r) throws IkeDecodeException {
            return new Payload.Nonce(r.rest());
        }

        void write(Payload p, WireWriter w) {
            w.bytes(((Payload.Nonce) p).data());
        }
    },
    NOTIFY(PayloadType.NOTIFY) {
        Payload read(WireReader r) throws IkeDecodeException {
            int doi = r.u32(), proto = r.u8(), spiSize = r.u8(), type = r.u16();
            return new Payload.Notify(doi, proto, type, r.bytes(spiSize), r.rest());
        }

        void write(Payload p, WireWriter w) {
            Payload.Notify n = (Payload.Notify) p;
            w.u32(n.doi()).u8(n.protocolId()).u8(n.spi().length).u16(n.notifyType()).bytes(n.spi()).bytes(n.data());
        }
    },
    DELETE(PayloadType.DELETE) {
        Payload read(WireReader r) throws IkeDecodeException {
            int doi = r.u32(), proto = r.u8(), spiSize = r.u8(), count = r.u16();
            if (count > MAX_CHILDREN * 4) throw malformed("too many SPIs");
            List<byte[]> spis = new ArrayList<>();
            for (int i = 0; i < count; i++) spis.add(r.bytes(spiSize));
            return new Payload.Delete(doi, proto, spiSize, spis);
        }

        void write(Payload p, WireWriter w) {
            Payload.Delete d = (Payload.Delete) p;
            w.u32(d.doi()).u8(d.protocolId()).u8(d.spiSize()).u16(d.spis().size());
            d.spis().forEach(w::bytes);
        }
    },
    VENDOR_ID(PayloadType.VENDOR_ID) {
        Payload read(WireReader r) throws IkeDecodeException {
            return new Payload.VendorId(r.rest());
        }

        void write(Payload p, WireWriter w) {
            w.bytes(((Payload.VendorId) p).data());
        }
    },
    NAT_D(PayloadType.NAT_D) {
        Payload read(WireReader r) throws IkeDecodeException {
            return new Payload.NatD(false, r.rest());
        }

        void write(Payload p, WireWriter w) {
            w.bytes(((Payload.NatD) p).hash());
        }
    },
    NAT_D_DRAFT(PayloadType.NAT_D_DRAFT) {
        Payload read(WireReader r) throws IkeDecodeException {
            return new Payload.NatD(true, r.rest());
        }

        void write(Payload p, WireWriter w) {
            w.bytes(((Payload.NatD) p).hash());
        }
    },
    NAT_OA(PayloadType.NAT_OA) {
        Payload read(WireReader r) throws IkeDecodeException {
            int t = r.u8();
            r.bytes(3);
            return new Payload.NatOa(false, t, r.rest());
        }

        void write(Payload p, WireWriter w) {
            w.u8(((Payload.NatOa) p).idType()).u8(0).u16(0).bytes(((Payload.NatOa) p).address());
        }
    },
    NAT_OA_DRAFT(PayloadType.NAT_OA_DRAFT) {
        Payload read(WireReader r) throws IkeDecodeException {
            int t = r.u8();
            r.bytes(3);
            return new Payload.NatOa(true, t, r.rest());
        }

        void write(Payload p, WireWriter w) {
            w.u8(((Payload.NatOa) p).idType()).u8(0).u16(0).bytes(((Payload.NatOa) p).address());
        }
    };

    static final int MAX_CHILDREN = 64;
    private final int type;

    PayloadFormat(int type) {
        this.type = type;
    }

    abstract Payload read(WireReader body) throws IkeDecodeException;

    abstract void write(Payload p, WireWriter w);

    private static final PayloadFormat[] BY_TYPE = new PayloadFormat[256];

    static {
        for (PayloadFormat f : values()) BY_TYPE[f.type] = f;
    }

    /** The format of {@code type}, null for payloads kept raw. */
    static PayloadFormat of(int type) {
        return type >= 0 && type < 256 ? BY_TYPE[type] : null;
    }

    static int bodyLength(int payloadLength) throws IkeDecodeException {
        if (payloadLength < 4) throw new IkeDecodeException(DropReason.MALFORMED_PAYLOAD, "payload length " + payloadLength);
        return payloadLength - 4;
    }

    static IkeDecodeException malformed(String why) {
        return new IkeDecodeException(DropReason.MALFORMED_PAYLOAD, why);
    }

    static List<Attribute> readAttributes(WireReader r) throws IkeDecodeException {
        List<Attribute> out = new ArrayList<>();
        while (r.remaining() > 0) {
            if (out.size() >= MAX_CHILDREN) throw malformed("too many attributes");
            int t = r.u16();
            if ((t & 0x8000) != 0) out.add(new Attribute(t & 0x7fff, r.bytes(2), true));
            else out.add(new Attribute(t, r.bytes(r.u16()), false));
        }
        return out;
    }
}
