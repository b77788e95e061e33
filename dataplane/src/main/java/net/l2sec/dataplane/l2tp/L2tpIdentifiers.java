package net.l2sec.dataplane.l2tp;

import java.util.random.RandomGenerator;

/**
 * Our Tunnel IDs and Session IDs in use, for every worker event loop's {@link L2tpNetworkServer}: IDs are unique
 * process-wide, so a session tag ({@code t4821/s17}), a NAS-Port and an Acct-Session-Id name exactly one session
 * whichever loop owns it, and {@code l2tp.max-tunnels} counts every loop's tunnels. Thread-safe (one lock, taken
 * when a tunnel or session is set up or freed, never per packet).
 */
public final class L2tpIdentifiers {
    private final IdSpace tunnels = new IdSpace();
    private final IdSpace sessions = new IdSpace();

    synchronized int allocateTunnel(RandomGenerator random) {
        return tunnels.allocate(random);
    }

    synchronized void releaseTunnel(int id) {
        tunnels.release(id);
    }

    /** Tunnel IDs in use: every loop's tunnels, closing ones included. */
    synchronized int tunnelsHeld() {
        return tunnels.size();
    }

    synchronized int allocateSession(RandomGenerator random) {
        return sessions.allocate(random);
    }

    synchronized boolean releaseSession(int id) {
        return sessions.release(id);
    }

    /** The Tunnel ID space itself (tests take IDs out of it to exhaust it cheaply); single-threaded use only. */
    IdSpace tunnelSpace() {
        return tunnels;
    }
}
