package net.l2sec.concentrator.admin;

import java.net.InetSocketAddress;
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
import net.l2sec.dataplane.l2tp.L2tpNetworkServer;
import net.l2sec.spi.session.SessionControl;

/**
 * The admin interface's view of the running dataplane: each worker's LNS and IKE responder belong to its event loop,
 * so each call hops onto the loop concerned and completes there: a peer's IPsec state is asked of the worker
 * that owns the peer's address, draining is set on every worker.
 *
 * @param workers one entry per worker, in worker order
 * @param ownerOf the worker that owns a client's address
 */
public record DataplaneBackend(SessionControl sessions, List<Worker> workers, ToIntFunction<InetAddress> ownerOf)
        implements AdminServer.Backend {

    /**
     * One worker's part.
     *
     * @param ike null when IPsec is off (lab mode): no IPsec info, drain refuses L2TP calls only
     */
    public record Worker(L2tpNetworkServer l2tp, IkeResponder ike, Executor loop) {}

    public DataplaneBackend {
        workers = List.copyOf(workers);
    }

    @Override
    public CompletionStage<Optional<IpsecInfo>> ipsecOf(InetSocketAddress peer) {
        Worker w = workers.get(ownerOf.applyAsInt(peer.getAddress()));
        if (w.ike() == null) return CompletableFuture.completedFuture(Optional.empty());
        return LoopCalls.supplyOn(w.loop(), () -> w.ike().ipsecOf(peer));
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
