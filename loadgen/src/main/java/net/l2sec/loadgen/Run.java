package net.l2sec.loadgen;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import net.l2sec.loadgen.ike.IkeInitiator;
import net.l2sec.spi.time.Scheduler;

/** What the clients of one run share: the options, the statistics, the schedulers of the event loops. */
interface Run {
    Options options();

    Stats stats();

    IkeInitiator.Settings ikeSettings();

    /** The scheduler of {@code loop} (one per loop, shared by its clients). */
    Scheduler scheduler(EventLoop loop);

    /** {@code client} reached IPCP Opened. */
    void up(Client client);

    /** {@code client} ended (failed or hung up); {@code wasUp}: it had been up. */
    void finished(Client client, boolean wasUp);

    /** An inner IPv4 packet a client sent or received (for --pcap); not consumed, not released. */
    default void capture(ByteBuf packet) {}
}
