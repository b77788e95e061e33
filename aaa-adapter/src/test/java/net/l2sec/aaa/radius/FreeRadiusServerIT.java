package net.l2sec.aaa.radius;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tinyradius.core.dictionary.Dictionary;
import org.tinyradius.core.packet.request.RadiusRequest;
import org.tinyradius.core.packet.response.RadiusResponse;

/** The fixture itself and the transport against it: PAP at the wire level, accounting into the detail file. */
class FreeRadiusServerIT {
    private static final String SECRET = "fixture-secret";
    private static FreeRadiusServer radius;

    @BeforeAll
    static void start() throws Exception {
        FreeRadiusServer.assumeInstalled();
        radius = FreeRadiusServer.builder().authPort(18122).acctPort(18123).secret(SECRET)
                .users("carol Cleartext-Password := \"pw\"\n\tClass = \"fixture\"\n").build();
        radius.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (radius != null) radius.close();
    }

    private static RadiusClientSettings settings() {
        return new RadiusClientSettings(List.of(new RadiusServer("fr", new InetSocketAddress("127.0.0.1", 18122),
                Optional.of(new InetSocketAddress("127.0.0.1", 18123)), SECRET.getBytes(StandardCharsets.UTF_8))),
                Duration.ofSeconds(2), 1, Duration.ofSeconds(5), "fixture-nas", Optional.empty(), List.of("Filter-Id"));
    }

    @Test
    void papAcceptAndAccountingDetail() throws Exception {
        Dictionary d = RadiusDictionary.get();
        RadiusResponse accept = RadiusTransport.authentication(settings(), new SimpleMeterRegistry())
                .sendBlocking(RadiusRequest.create(d, (byte) 1, (byte) 0, new byte[16], List.of(
                        d.createAttribute("User-Name", "carol"), d.createAttribute("User-Password", "pw"))));
        assertThat(accept.getType()).as(radius.log()).isEqualTo((byte) RadiusWire.ACCESS_ACCEPT);
        assertThat(accept.getAttribute("Class").map(a -> new String(a.getValue(), StandardCharsets.UTF_8))).contains("fixture");

        RadiusResponse acct = RadiusTransport.accounting(settings(), new SimpleMeterRegistry())
                .sendBlocking(RadiusRequest.create(d, (byte) 4, (byte) 0, new byte[16], List.of(
                        d.createAttribute("User-Name", "carol"), d.createAttribute("Acct-Status-Type", "Start"),
                        d.createAttribute("Acct-Session-Id", "ABC-1"))));
        assertThat(acct.getType()).isEqualTo((byte) RadiusWire.ACCOUNTING_RESPONSE);
        assertThat(radius.detailRecords()).anySatisfy(r -> {
            assertThat(r).containsEntry("Acct-Session-Id", "ABC-1").containsEntry("Acct-Status-Type", "Start");
        });
    }
}
