package net.l2sec.dataplane.ike;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

/** Token buckets per source address in a fixed hashed table: the rate, the refill, and no growth with sources. */
class PerSourceRateTest {
    static final long MS = 1_000_000;

    static InetAddress address(int a) throws Exception {
        return InetAddress.getByAddress(new byte[] {(byte) (a >>> 24), (byte) (a >>> 16), (byte) (a >>> 8), (byte) a});
    }

    @Test
    void aSourceGetsOneSecondsWorthAtOnceThenTheRate() throws Exception {
        PerSourceRate rate = new PerSourceRate(new SecureRandom());
        InetAddress client = InetAddress.getByName("203.0.113.5");
        for (int i = 0; i < 5; i++) assertThat(rate.take(client, 5, 0)).as("burst %d", i).isTrue();
        assertThat(rate.take(client, 5, 0)).isFalse();
        assertThat(rate.take(client, 5, 100 * MS)).as("half a token").isFalse();
        assertThat(rate.take(client, 5, 210 * MS)).as("one token after 200 ms").isTrue();
        assertThat(rate.take(client, 5, 220 * MS)).isFalse();
        // idle for long: full again, never more than a second's worth
        for (int i = 0; i < 5; i++) assertThat(rate.take(client, 5, 60_000 * MS)).isTrue();
        assertThat(rate.take(client, 5, 60_000 * MS)).isFalse();
    }

    @Test
    void aFloodFromMillionsOfAddressesLeavesAClientItsRate() throws Exception {
        PerSourceRate rate = new PerSourceRate(new SecureRandom());
        InetAddress client = InetAddress.getByName("203.0.113.5");
        int refused = 0;
        // one second of a 1,000,000-address flood at 20,000/s, 50 µs apart, with the client's five in between
        int clientRefused = 0;
        for (int i = 0; i < 20_000; i++) {
            long now = i * 50_000L;
            if (!rate.take(address(0x64400000 | i * 197 % (1 << 22)), 5, now)) refused++;
            if (i % 4000 == 0 && !rate.take(client, 5, now)) clientRefused++;
        }
        assertThat(clientRefused).isZero();
        // each forged address sends once; a handful share a bucket with five others in a second
        assertThat(refused).isLessThan(10);
    }
}
