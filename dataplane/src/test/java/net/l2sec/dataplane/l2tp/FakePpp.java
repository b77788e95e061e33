package net.l2sec.dataplane.l2tp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.util.ArrayList;
import java.util.List;
import net.l2sec.dataplane.PppEndpoint;
import net.l2sec.dataplane.PppEndpointFactory;
import net.l2sec.dataplane.PppLink;
import net.l2sec.spi.session.EndCause;
import net.l2sec.spi.session.SessionContext;

/** Records what L2TP does to PPP. */
final class FakePpp implements PppEndpointFactory {
    final List<Endpoint> opened = new ArrayList<>();

    final class Endpoint implements PppEndpoint {
        final SessionContext context;
        final PppLink link;
        final List<byte[]> frames = new ArrayList<>();
        final List<EndCause> down = new ArrayList<>();

        Endpoint(SessionContext context, PppLink link) {
            this.context = context;
            this.link = link;
        }

        @Override
        public void receive(ByteBuf frame) {
            frames.add(ByteBufUtil.getBytes(frame));
            frame.release();
        }

        @Override
        public void lowerLayerDown(EndCause cause) {
            down.add(cause);
        }
    }

    @Override
    public PppEndpoint open(SessionContext context, PppLink link) {
        Endpoint e = new Endpoint(context, link);
        opened.add(e);
        return e;
    }
}
