package net.l2sec.dataplane.ike.message;

import static net.l2sec.dataplane.ike.message.Layout.describe;

import net.l2sec.dataplane.ike.message.Field.Attributes;
import net.l2sec.dataplane.ike.message.Field.CountOf;
import net.l2sec.dataplane.ike.message.Field.Fixed;
import net.l2sec.dataplane.ike.message.Field.LengthOf;
import net.l2sec.dataplane.ike.message.Field.Reserved;
import net.l2sec.dataplane.ike.message.Field.Rest;
import net.l2sec.dataplane.ike.message.Field.Sized;
import net.l2sec.dataplane.ike.message.Field.SizedList;
import net.l2sec.dataplane.ike.message.Field.Substructures;
import net.l2sec.dataplane.ike.message.Field.Uint;

/**
 * Every payload body layout, described once as data (RFC 2408 section 3 and RFC 2407 section 4.6; NAT-T RFC 3947
 * sections 3.2 and 5.2). {@link IsakmpCodec} walks the chain of generic payload headers and {@link LayoutCodec}
 * the bodies; adding a payload adds a line here.
 */
enum PayloadFormat {
    SA(PayloadType.SA, describe(Payload.Sa.class, new Uint("doi", 4), new Uint("situation", 4),
            new Substructures("proposals", Substructure.PROPOSAL, PayloadType.PROPOSAL))),
    KE(PayloadType.KE, describe(Payload.Ke.class, new Rest("data"))),
    ID(PayloadType.ID, describe(Payload.Id.class, new Uint("idType", 1), new Uint("protocol", 1), new Uint("port", 2),
            new Rest("data"))),
    CERT(PayloadType.CERT, describe(Payload.Cert.class, new Uint("encoding", 1), new Rest("data"))),
    CR(PayloadType.CR, describe(Payload.CertRequest.class, new Uint("certType", 1), new Rest("authority"))),
    HASH(PayloadType.HASH, describe(Payload.Hash.class, new Rest("data"))),
    SIG(PayloadType.SIG, describe(Payload.Sig.class, new Rest("data"))),
    NONCE(PayloadType.NONCE, describe(Payload.Nonce.class, new Rest("data"))),
    NOTIFY(PayloadType.NOTIFY, describe(Payload.Notify.class, new Uint("doi", 4), new Uint("protocolId", 1),
            new LengthOf("spi", 1), new Uint("notifyType", 2), new Sized("spi"), new Rest("data"))),
    DELETE(PayloadType.DELETE, describe(Payload.Delete.class, new Uint("doi", 4), new Uint("protocolId", 1),
            new Uint("spiSize", 1), new CountOf("spis", 2), new SizedList("spis", "spiSize"))),
    VENDOR_ID(PayloadType.VENDOR_ID, describe(Payload.VendorId.class, new Rest("data"))),
    NAT_D(PayloadType.NAT_D, describe(Payload.NatD.class, new Fixed("draft", false), new Rest("hash"))),
    NAT_D_DRAFT(PayloadType.NAT_D_DRAFT, describe(Payload.NatD.class, new Fixed("draft", true), new Rest("hash"))),
    NAT_OA(PayloadType.NAT_OA, describe(Payload.NatOa.class, new Fixed("draft", false), new Uint("idType", 1),
            new Reserved(3), new Rest("address"))),
    NAT_OA_DRAFT(PayloadType.NAT_OA_DRAFT, describe(Payload.NatOa.class, new Fixed("draft", true), new Uint("idType", 1),
            new Reserved(3), new Rest("address"))),
    FRAGMENT(PayloadType.FRAGMENT, describe(Payload.Fragment.class, new Uint("fragmentId", 2), new Uint("number", 1),
            new Uint("flags", 1), new Rest("data")));

    /** Substructures of the SA payload (RFC 2408 sections 3.5 and 3.6). */
    static final class Substructure {
        static final Layout TRANSFORM = describe(Payload.Transform.class, new Uint("number", 1), new Uint("transformId", 1),
                new Reserved(2), new Attributes("attributes"));
        static final Layout PROPOSAL = describe(Payload.Proposal.class, new Uint("number", 1), new Uint("protocolId", 1),
                new LengthOf("spi", 1), new CountOf("transforms", 1), new Sized("spi"),
                new Substructures("transforms", TRANSFORM, PayloadType.TRANSFORM));

        private Substructure() {
        }
    }

    private final int type;
    private final Layout layout;

    PayloadFormat(int type, Layout layout) {
        this.type = type;
        this.layout = layout;
    }

    Payload read(WireReader body) throws IkeDecodeException {
        return (Payload) LayoutCodec.read(layout, body);
    }

    void write(Payload p, WireWriter w) {
        LayoutCodec.write(layout, (Record) p, w);
    }

    private static final PayloadFormat[] BY_TYPE = new PayloadFormat[256];

    static {
        for (PayloadFormat f : values()) BY_TYPE[f.type] = f;
    }

    /** The format of {@code type}, null for payloads kept raw. */
    static PayloadFormat of(int type) {
        return type >= 0 && type < 256 ? BY_TYPE[type] : null;
    }

    static int bodyLength(int payloadLength) throws IkeDecodeException {
        return LayoutCodec.bodyLength(payloadLength);
    }
}
