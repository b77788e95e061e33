package net.l2sec.aaa.radius;

import java.net.Inet4Address;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * RADIUS accounting configuration.
 *
 * @param spoolDir        directory of the {@link AccountingSpool} (created when missing; one concentrator per directory)
 * @param interimInterval Interim-Update period per session; zero disables Interim-Updates
 * @param maxRecords      spool bound past which Interim-Updates are not written (Start/Stop always are)
 * @param initialBackoff  wait after the first failed delivery, doubled per failure ...
 * @param maxBackoff      ... up to this
 * @param closeDrain      how long a clean close waits for the spool (Accounting-Off included) to be delivered
 * @param nasIdentifier   NAS-Identifier in every record
 * @param nasIpAddress    NAS-IP-Address in every record when present
 */
public record AccountingSettings(Path spoolDir, Duration interimInterval, int maxRecords, Duration initialBackoff,
                                 Duration maxBackoff, Duration closeDrain, String nasIdentifier,
                                 Optional<Inet4Address> nasIpAddress) {
    public static final int DEFAULT_MAX_RECORDS = 100_000;

    public AccountingSettings {
        if (interimInterval.isNegative()) throw new IllegalArgumentException("interimInterval " + interimInterval);
        if (!interimInterval.isZero() && interimInterval.toSeconds() < 1) {
            throw new IllegalArgumentException("interimInterval below one second: " + interimInterval);
        }
        if (maxRecords < 1) throw new IllegalArgumentException("maxRecords " + maxRecords);
        if (initialBackoff.isNegative() || initialBackoff.isZero() || maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("backoff " + initialBackoff + ".." + maxBackoff);
        }
        if (nasIdentifier == null || nasIdentifier.isBlank()) throw new IllegalArgumentException("nasIdentifier");
    }

    /** Defaults: no interim updates, 100000 records, back-off 1 s doubling to 60 s, 5 s drain on close. */
    public static AccountingSettings of(Path spoolDir, String nasIdentifier, Optional<Inet4Address> nasIpAddress) {
        return new AccountingSettings(spoolDir, Duration.ZERO, DEFAULT_MAX_RECORDS, Duration.ofSeconds(1),
                Duration.ofSeconds(60), Duration.ofSeconds(5), nasIdentifier, nasIpAddress);
    }

    public AccountingSettings withInterimInterval(Duration interval) {
        return new AccountingSettings(spoolDir, interval, maxRecords, initialBackoff, maxBackoff, closeDrain, nasIdentifier, nasIpAddress);
    }

    public AccountingSettings withBackoff(Duration initial, Duration max) {
        return new AccountingSettings(spoolDir, interimInterval, maxRecords, initial, max, closeDrain, nasIdentifier, nasIpAddress);
    }

    public AccountingSettings withMaxRecords(int max) {
        return new AccountingSettings(spoolDir, interimInterval, max, initialBackoff, maxBackoff, closeDrain, nasIdentifier, nasIpAddress);
    }

    public AccountingSettings withCloseDrain(Duration drain) {
        return new AccountingSettings(spoolDir, interimInterval, maxRecords, initialBackoff, maxBackoff, drain, nasIdentifier, nasIpAddress);
    }
}
