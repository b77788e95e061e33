package net.l2sec.concentrator.admin;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;
import net.l2sec.dataplane.LoopCalls;
import net.l2sec.dataplane.ike.IkeResponder;
import net.l2sec.dataplane.ike.IpsecInfo;
import net.l2sec.dataplane.ikev2.Ikev2Responder;
import net.l2sec.dataplane.l2tp.L2tpNetworkServer;
import net.l2sec.spi.session.SessionControl;

/**
 * The admin interface's view of the running dataplane: each worker's LNS and IKE responder belong to its event loop,
 * so each call hops onto the loop concerned and completes there: a peer's IPsec state is asked of the worker
 * that owns the peer's address (its IKEv1 responder, then its IKEv2 responder), draining is set on every worker.
 *
 * @param workers one entry per worker, in worker order
 * @param ownerOf the worker that owns a client's address
 * @param clock   what an IKEv2 SA's age is read against (its session's start)
 */
public record DataplaneBackend(SessionControl sessions, List<Worker> workers, ToIntFunction<InetAddress> ownerOf,
                               Clock clock) implements AdminServer.Backend {

    /**
     * One worker's part.
     *
     * @param ike   null when IPsec is off (lab mode): no IPsec info, drain refuses L2TP calls only
     * @param ikev2 null when IPsec or IKEv2 is off ({@code ipsec.ikev2.enabled: false})
     */
    public record Worker(L2tpNetworkServer l2tp, IkeResponder ike, Ikev2Responder ikev2, Executor loop) {
        /** Without IKEv2. */
        public Worker(L2tpNetworkServer l2tp, IkeResponder ike, Executor loop) {
            this(l2tp, ike, null, loop);
        }
    }

    public DataplaneBackend {
        workers = List.copyOf(workers);
    }

    public DataplaneBackend(SessionControl sessions, List<Worker> workers, ToIntFunction<InetAddress> ownerOf) {
        this(sessions, workers, ownerOf, Clock.systemUTC());
    }

    /**
     * An IKEv2 client's IKE SA at exactly {@code peer}, else an L2TP/IPsec client's ISAKMP SA (which the IKEv1
     * responder also finds by address alone: its L2TP may come from another port than its IKE). IKEv2 first, so
     * that an IKEv2 session behind the NAT of an L2TP/IPsec client shows its own SA.
     */
    @Override
    public CompletionStage<Optional<IpsecInfo>> ipsecOf(InetSocketAddress peer) {
        Worker w = workers.get(ownerOf.applyAsInt(peer.getAddress()));
        if (w.ike() == null && w.ikev2() == null) return CompletableFuture.completedFuture(Optional.empty());
        return LoopCalls.supplyOn(w.loop(), () -> {
            Optional<IpsecInfo> v2 = w.ikev2() != null ? w.ikev2().ipsecOf(peer, clock.instant()) : Optional.empty();
            if (v2.isPresent() || w.ike() == null) return v2;
            return w.ike().ipsecOf(peer);
        });
    }

    @Override
    public CompletionStage<Void> draining(boolean on) {
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (Worker w : workers) {
            all.add(LoopCalls.<Void>supplyOn(w.loop(), () -> {
                w.l2tp().draining(on);
                if (w.ike() != null) w.ike().draining(on);
                return null;
            }).toCompletableFuture());
        }
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
    }
}
