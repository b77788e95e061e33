package net.l2sec.aaa.radius;

/** No RADIUS server of a group answered (all timed out or are marked dead). */
public final class RadiusUnavailableException extends RuntimeException {
    public RadiusUnavailableException(String message) {
        super(message);
    }
}
