package net.l2sec.dataplane.l2tp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class HiddenAvpTest {
    static final byte[] SECRET = "tunnel secret".getBytes();
    static final byte[] RV = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

    @Test
    void roundTripsAcrossBlockBoundaries() {
        for (int len : new int[] {0, 1, 2, 13, 14, 15, 16, 30, 31, 32, 33, 100, 500}) {
            byte[] value = new byte[len];
            for (int i = 0; i < len; i++) value[i] = (byte) (i * 7 + 1);
            Avp clear = Avp.of(AvpType.PROXY_AUTHEN_RESPONSE, value);
            Avp hidden = HiddenAvp.hide(clear, SECRET, RV, new byte[len % 5]);
            assertThat(hidden.hidden()).isTrue();
            assertThat(hidden.value()).hasSize(2 + len + len % 5);
            if (len > 2) assertThat(hidden.value()).isNotEqualTo(value);
            assertThat(HiddenAvp.unhide(hidden, SECRET, RV)).as("length " + len).isEqualTo(clear);
        }
    }

    @Test
    void firstBlockIsTheMd5OfTypeSecretAndVector() throws Exception {
        Avp hidden = HiddenAvp.hide(Avp.ofShort(AvpType.ASSIGNED_TUNNEL_ID, 0x1234), SECRET, RV, new byte[0]);
        var md5 = java.security.MessageDigest.getInstance("MD5");
        md5.update(new byte[] {0, 9});
        md5.update(SECRET);
        byte[] b1 = md5.digest(RV);
        byte[] clear = {0, 2, 0x12, 0x34};
        for (int i = 0; i < 4; i++) assertThat(hidden.value()[i]).isEqualTo((byte) (clear[i] ^ b1[i]));
    }

    @Test
    void wrongSecretDoesNotYieldTheValue() {
        Avp clear = Avp.ofString(AvpType.PROXY_AUTHEN_NAME, "someone@example.net");
        Avp hidden = HiddenAvp.hide(clear, SECRET, RV, new byte[0]);
        Avp wrong = HiddenAvp.unhide(hidden, "other".getBytes(), RV);
        assertThat(wrong).isNotEqualTo(clear);
    }

    @Test
    void unhideAllUsesTheMostRecentRandomVector() {
        byte[] rv2 = new byte[16];
        ControlMessage m = ControlMessage.of(MessageType.ICCN, 1, 2, List.of(
                Avp.of(AvpType.RANDOM_VECTOR, RV),
                HiddenAvp.hide(Avp.ofString(AvpType.PROXY_AUTHEN_NAME, "a"), SECRET, RV, new byte[3]),
                Avp.of(AvpType.RANDOM_VECTOR, rv2),
                HiddenAvp.hide(Avp.ofString(AvpType.PROXY_AUTHEN_NAME, "b"), SECRET, rv2, new byte[0])));
        ControlMessage clear = HiddenAvp.unhideAll(m, SECRET);
        assertThat(clear.avps().get(2).stringValue()).isEqualTo("a");
        assertThat(clear.avps().get(4).stringValue()).isEqualTo("b");
        assertThat(clear.avps()).noneMatch(Avp::hidden);
        assertThat(HiddenAvp.unhideAll(m, null)).isNull();
    }
}
