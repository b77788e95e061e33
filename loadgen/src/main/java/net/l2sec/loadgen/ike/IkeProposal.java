package net.l2sec.loadgen.ike;

import net.l2sec.dataplane.ike.keymat.DhGroup;
import net.l2sec.dataplane.ike.keymat.IkeCipher;
import net.l2sec.dataplane.ike.keymat.IkeHash;

/** The one phase-1 transform a client offers, strongSwan-style: {@code aes256-sha1-modp2048}. */
public record IkeProposal(IkeCipher cipher, int keyBits, IkeHash hash, DhGroup group) {
    public static IkeProposal parse(String spec) {
        String[] p = spec.split("-");
        if (p.length != 3) throw new IllegalArgumentException("IKE proposal " + spec + ": cipher-hash-group, e.g. aes256-sha1-modp2048");
        IkeCipher.WithKeyLength c = IkeCipher.parse(p[0], true);
        return new IkeProposal(c.cipher(), c.keyBits(), IkeHash.parse(p[1]), DhGroup.parse(p[2], true));
    }

    @Override
    public String toString() {
        return new IkeCipher.WithKeyLength(cipher, keyBits).configName() + "-" + hash.label() + "-" + group.label();
    }
}
