package net.l2sec.aaa.radius;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.tinyradius.core.RadiusPacketException;
import org.tinyradius.core.attribute.type.RadiusAttribute;
import org.tinyradius.core.packet.PacketType;
import org.tinyradius.core.packet.request.RadiusRequest;
import org.tinyradius.core.packet.response.RadiusResponse;

/** A RadiusSender that answers Accounting-Response while {@link #up} is true and records what it delivered. */
final class FakeAccountingSender implements RadiusSender {
    volatile boolean up = true;
    final List<RadiusRequest> delivered = new CopyOnWriteArrayList<>();
    final List<RadiusRequest> attempts = new CopyOnWriteArrayList<>();

    @Override
    public CompletionStage<RadiusResponse> send(RadiusRequest request) {
        attempts.add(request);
        if (!up) return CompletableFuture.failedFuture(new RadiusUnavailableException("fake: all servers down"));
        delivered.add(request);
        try {
            return CompletableFuture.completedFuture(RadiusResponse.create(RadiusDictionary.get(),
                    PacketType.ACCOUNTING_RESPONSE, request.getId(), new byte[16], List.of()));
        } catch (RadiusPacketException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Attribute type to the values of that type, in order, for one request. */
    static Map<Integer, List<byte[]>> attributes(RadiusRequest request) {
        return request.getAttributes().stream().collect(Collectors.groupingBy(RadiusAttribute::getType,
                java.util.LinkedHashMap::new, Collectors.mapping(RadiusAttribute::getValue, Collectors.toList())));
    }

    static long integer(RadiusRequest request, int type) {
        List<byte[]> values = attributes(request).get(type);
        if (values == null) throw new AssertionError("no attribute " + type + " in " + request);
        return new WireAttribute(type, values.getFirst()).asInteger();
    }

    static String string(RadiusRequest request, int type) {
        List<byte[]> values = attributes(request).get(type);
        if (values == null) throw new AssertionError("no attribute " + type + " in " + request);
        return new String(values.getFirst(), java.nio.charset.StandardCharsets.UTF_8);
    }

    static List<Long> statusTypes(List<RadiusRequest> requests) {
        List<Long> out = new ArrayList<>();
        for (RadiusRequest r : requests) out.add(integer(r, WireAttribute.ACCT_STATUS_TYPE));
        return out;
    }

    static void await(BooleanSupplier condition, Duration max, String what) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(20);
        }
    }
}
