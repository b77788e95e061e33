package net.l2sec.dataplane.ppp;

import java.util.HexFormat;

/** Known Neighbor Discovery packets the PPP fuzzing seeds with (see NdCodecTest for their provenance). */
final class NdCodecFuzz {
    private NdCodecFuzz() {}

    /** A Router Solicitation from fe80::211:2233:4455:6677 to ff02::2, checksum right (tshark: "[correct]"). */
    static final byte[] RS = HexFormat.of().parseHex(
            "6000000000083afffe800000000000000211223344556677ff0200000000000000000000000000028500ae2600000000");
}
