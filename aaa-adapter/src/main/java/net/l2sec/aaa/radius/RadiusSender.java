package net.l2sec.aaa.radius;

import java.util.concurrent.CompletionStage;
import org.tinyradius.core.packet.request.RadiusRequest;
import org.tinyradius.core.packet.response.RadiusResponse;

/**
 * Sends one RADIUS request to a group of servers: encodes it for each server's secret (with Message-Authenticator),
 * retransmits on timeout, fails over to the next live server, and completes with the first response whose
 * Response Authenticator (and Message-Authenticator, unless that server is configured to allow its absence)
 * verifies, its MS-MPPE-Send-Key and MS-MPPE-Recv-Key already decrypted (RFC 2548 section 2.4.2, the octets of the
 * key itself). Completes exceptionally with {@link RadiusUnavailableException} when no server answered.
 */
@FunctionalInterface
public interface RadiusSender {
    CompletionStage<RadiusResponse> send(RadiusRequest request);
}
