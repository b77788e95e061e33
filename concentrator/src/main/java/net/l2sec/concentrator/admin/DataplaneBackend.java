package net.l2sec.concentrator.admin;

import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import net.l2sec.dataplane.LoopCalls;
import net.l2sec.dataplane.ike.IkeResponder;
import net.l2sec.dataplane.ike.IpsecInfo;
import net.l2sec.dataplane.l2tp.L2tpNetworkServer;
import net.l2sec.spi.session.SessionControl;

/**
 * The admin interface's view of the running dataplane: everything in it belongs to the event loop, so each call
 * hops onto {@code loop} and completes there.
 *
 * @param ike null when IPsec is off (lab mode): no IPsec info, drain refuses L2TP calls only
 */
public record DataplaneBackend(SessionControl sessions, L2tpNetworkServer l2tp, IkeResponder ike, Executor loop)
        implements AdminServer.Backend {

    @Override
    public CompletionStage<Optional<IpsecInfo>> ipsecOf(InetSocketAddress peer) {
        if (ike == null) return CompletableFuture.completedFuture(Optional.empty());
        return onLoop(() -> ike.ipsecOf(peer));
    }

    @Override
    public CompletionStage<Void> draining(boolean on) {
        return onLoop(() -> {
            l2tp.draining(on);
            if (ike != null) ike.draining(on);
            return null;
        });
    }

    private <T> CompletionStage<T> onLoop(Supplier<T> work) {
        return LoopCalls.supplyOn(loop, work);
    }
}
