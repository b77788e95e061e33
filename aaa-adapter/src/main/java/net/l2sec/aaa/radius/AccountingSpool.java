package net.l2sec.aaa.radius;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import net.l2sec.aaa.LogText;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tinyradius.core.RadiusPacketException;
import org.tinyradius.core.attribute.AttributeHolder;
import org.tinyradius.core.attribute.type.RadiusAttribute;
import org.tinyradius.core.dictionary.Dictionary;
import org.tinyradius.core.packet.PacketType;
import org.tinyradius.core.packet.request.RadiusRequest;
import org.tinyradius.core.packet.response.RadiusResponse;

/**
 * Accounting records that must not be lost (RFC 2866 section 2 leaves retransmission to the NAS): each record is
 * written to its own file in the spool directory before it is sent and deleted only after a verified
 * Accounting-Response, so records survive server outages and concentrator restarts.
 *
 * <p><b>Files.</b> {@code <sequence>.acct}, the sequence 20 decimal digits so that name order is creation order.
 * It continues from the highest name in the directory and never starts below the current time in microseconds,
 * so it keeps increasing across restarts even after the spool was emptied. A record is written to a hidden
 * temporary file, forced to disk, renamed into place and the directory forced, so a crash leaves either the
 * whole record or nothing. The content is ASCII text, one {@code key=value} per line, and no value is ever
 * written raw: names are percent-encoded octets, attribute values hex, so that any octets in any field (a user name
 * with a line feed, CR, NUL, other control octets, octets that are not UTF-8, 300 octets long) come back exactly as
 * they went in and cannot add a line or a field:
 * <pre>
 * l2sec-accounting-record 2
 * type=stop
 * created=2026-11-24T16:00:00.123Z
 * session=6743A0C1-00110002       (the UTF-8 octets, RFC 3986 section 2.1 percent-encoding of all but
 * user=alice%0Aroot                ALPHA, DIGIT, "-", ".", "_", "~")
 * attr=44 3637343341304331...     (attribute type, value in hex; one line per attribute, in send order)
 * end
 * </pre>
 * Identifier, Request Authenticator and Acct-Delay-Time are not stored: they are made at each transmission.
 *
 * <p><b>Format 1</b> (before this encoding: {@code session} and {@code user} as text with control characters
 * replaced) is still read. Records left in format 1 by an earlier version are rewritten in format 2 when the spool
 * is opened (each atomically, as above; one that cannot be rewritten stays and is sent as it is).
 *
 * <p><b>Sending.</b> One virtual thread sends the oldest record, waits for the answer and only then moves to the
 * next one, so a Stop never overtakes its Start. When no server answers ({@link RadiusUnavailableException}) the
 * record stays and the thread waits {@code initialBackoff}, doubling up to {@code maxBackoff}, before trying it
 * again. A file that cannot be read or parsed is renamed to {@code *.bad}, logged and counted
 * ({@code result=corrupt}) and the queue moves on.
 *
 * <p><b>Bound.</b> Past {@code maxRecords} spooled records, Interim-Updates are not written (logged and counted as
 * {@code result=dropped}): a later Interim or the Stop carries the same counters. Start, Stop, Accounting-On and
 * -Off are always written, since losing them loses billing data; only the disk bounds them.
 *
 * <p>Delivery is at-least-once: a record whose Accounting-Response was lost, or that was in flight when the
 * spool was closed, is sent again on the next attempt or run (servers de-duplicate on Acct-Session-Id and
 * Acct-Status-Type).
 */
public final class AccountingSpool implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AccountingSpool.class);
    /** The first line of a record in the current format. */
    static final String MAGIC = "l2sec-accounting-record 2";
    /** The first line of a record in the format before names were encoded: read, and rewritten as {@link #MAGIC}. */
    static final String MAGIC_1 = "l2sec-accounting-record 1";
    private static final HexFormat HEX = HexFormat.of();
    private static final String SUFFIX = ".acct";

    private record Entry(Path file, AcctStatusType type, Instant created) {}

    private final Path dir;
    private final RadiusSender sender;
    private final Dictionary dictionary;
    private final int maxRecords;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final Clock clock;
    private final MeterRegistry registry;
    private final ConcurrentSkipListMap<Long, Entry> index = new ConcurrentSkipListMap<>();
    private final AtomicLong nextSequence;
    private final AtomicLong corrupt = new AtomicLong();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Object writeLock = new Object();
    private final Thread thread;
    private volatile boolean closed;
    private volatile boolean waitingForServer;

    public AccountingSpool(Path dir, RadiusSender sender, Dictionary dictionary, int maxRecords, Duration initialBackoff,
                           Duration maxBackoff, MeterRegistry registry) {
        this(dir, sender, dictionary, maxRecords, initialBackoff, maxBackoff, registry, Clock.systemUTC());
    }

    AccountingSpool(Path dir, RadiusSender sender, Dictionary dictionary, int maxRecords, Duration initialBackoff,
                    Duration maxBackoff, MeterRegistry registry, Clock clock) {
        if (maxRecords < 1) throw new IllegalArgumentException("maxRecords " + maxRecords);
        this.dir = dir;
        this.sender = sender;
        this.dictionary = dictionary;
        this.maxRecords = maxRecords;
        this.initialBackoff = initialBackoff;
        this.maxBackoff = maxBackoff;
        this.clock = clock;
        this.registry = registry;
        long highest = load();
        this.nextSequence = new AtomicLong(Math.max(highest + 1, clock.millis() * 1000));
        Gauge.builder("l2sec.acct.spool.records", index, Map::size)
                .description("accounting records waiting in the spool").register(registry);
        Gauge.builder("l2sec.acct.spool.oldest.age.seconds", this, AccountingSpool::oldestAgeSeconds)
                .description("age of the oldest spooled accounting record").baseUnit("seconds").register(registry);
        if (!index.isEmpty()) {
            log.info("accounting spool={} loaded {} records from a previous run, sending them first", dir, index.size());
        }
        this.thread = Thread.ofVirtual().name("acct-spool-sender").start(this::run);
    }

    /** Records waiting (written, not yet acknowledged). */
    public int size() {
        return index.size();
    }

    /** Files moved aside as {@code *.bad} since this spool was opened. */
    public long corruptCount() {
        return corrupt.get();
    }

    public Path directory() {
        return dir;
    }

    /**
     * Writes {@code record} durably and queues it; blocks for the disk (call it off the event loop). Returns false
     * when it was an Interim-Update refused because the spool is full (see the class comment).
     */
    public boolean append(AccountingRecord record) {
        if (closed) throw new IllegalStateException("accounting spool " + dir + " is closed");
        if (record.type() == AcctStatusType.INTERIM && index.size() >= maxRecords) {
            count(record.type(), "dropped");
            log.warn("accounting spool full, interim update not spooled session={} user={} spool={} max={}",
                    LogText.escape(record.acctSessionId()), LogText.escape(record.user()), index.size(), maxRecords);
            return false;
        }
        Path file;
        long sequence;
        synchronized (writeLock) { // sequence order == file order == index order
            sequence = nextSequence.getAndIncrement();
            file = dir.resolve(String.format("%020d%s", sequence, SUFFIX));
            writeAtomically(file, serialize(record));
            index.put(sequence, new Entry(file, record.type(), record.created()));
        }
        int size = index.size();
        if (size > maxRecords) {
            log.warn("accounting spool over its bound spool={} max={}: keeping type={} session={}",
                    size, maxRecords, record.type().label(), LogText.escape(record.acctSessionId()));
        }
        log.info("accounting spooled type={} session={} user={} spool={}", record.type().label(),
                LogText.escape(record.acctSessionId()), LogText.escape(record.user()), size);
        signal();
        return true;
    }

    /**
     * Waits up to {@code drain} for the spool to empty, then stops the sender. What is left stays on disk for the
     * next run.
     */
    public void close(Duration drain) {
        long deadline = System.nanoTime() + drain.toNanos();
        lock.lock();
        try {
            while (!index.isEmpty() && !waitingForServer && System.nanoTime() < deadline) {
                changed.awaitNanos(Math.max(1, Math.min(deadline - System.nanoTime(), 50_000_000L)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
        closed = true;
        thread.interrupt();
        try {
            thread.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!index.isEmpty()) log.info("accounting spool={} closed with {} records kept for the next run", dir, index.size());
    }

    @Override
    public void close() {
        close(Duration.ZERO);
    }

    // ---- sender ----

    private void run() {
        Duration backoff = initialBackoff;
        while (!closed) {
            Map.Entry<Long, Entry> first = index.firstEntry();
            if (first == null) {
                if (!awaitChange(Duration.ofSeconds(1))) return;
                continue;
            }
            Entry entry = first.getValue();
            AccountingRecord record;
            RadiusRequest request;
            try {
                record = parse(Files.readString(entry.file(), StandardCharsets.UTF_8));
                request = toRequest(record, clock.instant());
            } catch (IOException | RuntimeException | RadiusPacketException e) {
                moveAside(first.getKey(), entry, e);
                continue;
            }
            try {
                RadiusResponse response = sender.send(request).toCompletableFuture().get();
                if (response.getType() != PacketType.ACCOUNTING_RESPONSE) {
                    throw new RadiusUnavailableException("answered with packet type " + response.getType());
                }
                delete(first.getKey(), entry);
                count(record.type(), "sent");
                waitingForServer = false;
                backoff = initialBackoff;
                log.info("accounting delivered type={} session={} user={} after={}s spool={}", record.type().label(),
                        LogText.escape(record.acctSessionId()), LogText.escape(record.user()),
                        Duration.between(record.created(), clock.instant()).toMillis() / 1000.0, index.size());
            } catch (InterruptedException e) {
                return;
            } catch (ExecutionException | CompletionException | RadiusUnavailableException e) {
                Throwable cause = e instanceof RadiusUnavailableException ? e : e.getCause();
                count(record.type(), "failed");
                waitingForServer = true;
                log.warn("accounting not delivered type={} session={} spool={} retry_in={}s reason={}",
                        record.type().label(), LogText.escape(record.acctSessionId()), index.size(),
                        backoff.toMillis() / 1000.0, LogText.escape(cause == null ? e.toString() : cause.getMessage()));
                signal();
                if (!sleep(backoff)) return;
                backoff = backoff.multipliedBy(2).compareTo(maxBackoff) > 0 ? maxBackoff : backoff.multipliedBy(2);
            } catch (RuntimeException e) {
                count(record.type(), "failed");
                log.error("accounting send failed type={} session={}", record.type().label(), LogText.escape(record.acctSessionId()), e);
                if (!sleep(backoff)) return;
            }
        }
    }

    /** The Accounting-Request for one transmission: the stored attributes plus a fresh Acct-Delay-Time. */
    RadiusRequest toRequest(AccountingRecord record, Instant now) throws RadiusPacketException {
        long delay = Math.max(0, Duration.between(record.created(), now).toSeconds());
        List<WireAttribute> attributes = new ArrayList<>(record.attributes());
        attributes.add(WireAttribute.integer(WireAttribute.ACCT_DELAY_TIME, delay)); // RFC 2866 section 5.2
        List<RadiusAttribute> decoded = AttributeHolder.readAttributes(dictionary, -1,
                Unpooled.wrappedBuffer(WireAttribute.encode(attributes)));
        return RadiusRequest.create(dictionary, PacketType.ACCOUNTING_REQUEST, (byte) 0, null, decoded);
    }

    private boolean awaitChange(Duration max) {
        lock.lock();
        try {
            if (index.isEmpty() && !closed) changed.await(max.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            return !closed;
        } catch (InterruptedException e) {
            return false;
        } finally {
            lock.unlock();
        }
    }

    private boolean sleep(Duration d) {
        try {
            Thread.sleep(d);
            return !closed;
        } catch (InterruptedException e) {
            return false;
        }
    }

    private void signal() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private double oldestAgeSeconds() {
        Map.Entry<Long, Entry> first = index.firstEntry();
        return first == null ? 0 : Math.max(0, Duration.between(first.getValue().created(), clock.instant()).toMillis() / 1000.0);
    }

    private void count(AcctStatusType type, String result) {
        Counter.builder("l2sec.acct.records").tag("type", type.label()).tag("result", result)
                .description("accounting records by type and outcome").register(registry).increment();
    }

    // ---- files ----

    /** Indexes the existing records, sets corrupt ones aside, removes stale temporary files; returns the highest sequence. */
    private long load() {
        long highest = 0;
        int migrated = 0;
        try {
            Files.createDirectories(dir);
            List<Path> files = new ArrayList<>();
            try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
                stream.forEach(files::add);
            }
            for (Path file : files) {
                String name = file.getFileName().toString();
                if (name.startsWith(".") && name.endsWith(".tmp")) {
                    Files.deleteIfExists(file); // a write that never completed: the event was not acknowledged anywhere
                    continue;
                }
                String digits = name.endsWith(SUFFIX) ? name.substring(0, name.length() - SUFFIX.length())
                        : name.endsWith(SUFFIX + ".bad") ? name.substring(0, name.length() - SUFFIX.length() - 4) : null;
                if (digits == null || digits.isEmpty() || !digits.chars().allMatch(Character::isDigit) || digits.length() > 20) continue;
                long sequence;
                try {
                    sequence = Long.parseLong(digits);
                } catch (NumberFormatException e) {
                    continue; // not one of our names
                }
                highest = Math.max(highest, sequence);
                if (!name.endsWith(SUFFIX)) continue;
                Entry entry = new Entry(file, AcctStatusType.START, Instant.EPOCH);
                try {
                    String text = Files.readString(file, StandardCharsets.UTF_8);
                    AccountingRecord r = parse(text);
                    if (text.startsWith(MAGIC_1 + "\n") && rewrite(file, r)) migrated++;
                    index.put(sequence, new Entry(file, r.type(), r.created()));
                } catch (IOException | RuntimeException e) {
                    moveAside(sequence, entry, e);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open accounting spool " + dir, e);
        }
        if (migrated > 0) log.info("accounting spool={} rewrote {} records from format 1 in format 2", dir, migrated);
        return highest;
    }

    /** Writes {@code record} over {@code file} in the current format; false (logged) when that fails. */
    private boolean rewrite(Path file, AccountingRecord record) {
        try {
            writeAtomically(file, serialize(record));
            return true;
        } catch (UncheckedIOException e) {
            log.warn("accounting record file={} left in format 1 (it is sent as it is): {}", file, e.getCause().toString());
            return false;
        }
    }

    private void writeAtomically(Path file, String content) {
        Path temp = dir.resolve("." + file.getFileName() + ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE)) {
                ByteBuffer buf = ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8));
                while (buf.hasRemaining()) ch.write(buf);
                ch.force(true);
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
            forceDirectory();
        } catch (IOException e) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException ignored) {
                // the original failure is what matters
            }
            throw new UncheckedIOException("cannot write accounting record " + file, e);
        }
    }

    private void delete(long sequence, Entry entry) {
        try {
            Files.deleteIfExists(entry.file());
            forceDirectory(); // the deletion must survive a crash too, or the record would be sent twice
        } catch (IOException e) {
            log.error("accounting record delivered but not deleted file={}: it will be sent again", entry.file(), e);
        }
        index.remove(sequence);
        signal();
    }

    private void moveAside(long sequence, Entry entry, Exception why) {
        Path bad = entry.file().resolveSibling(entry.file().getFileName() + ".bad");
        try {
            Files.move(entry.file(), bad, StandardCopyOption.REPLACE_EXISTING);
            forceDirectory();
        } catch (IOException e) {
            log.error("cannot move corrupt accounting record aside file={}", entry.file(), e);
        }
        index.remove(sequence);
        corrupt.incrementAndGet();
        Counter.builder("l2sec.acct.records").tag("type", "unknown").tag("result", "corrupt")
                .description("accounting records by type and outcome").register(registry).increment();
        log.error("accounting record corrupt, moved aside file={} reason={}", bad, LogText.escape(why.getMessage()));
        signal();
    }

    private void forceDirectory() throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    static String serialize(AccountingRecord r) {
        StringBuilder b = new StringBuilder(MAGIC).append('\n')
                .append("type=").append(r.type().label()).append('\n')
                .append("created=").append(r.created()).append('\n')
                .append("session=").append(percentEncode(r.acctSessionId())).append('\n')
                .append("user=").append(percentEncode(r.user())).append('\n');
        for (WireAttribute a : r.attributes()) {
            b.append("attr=").append(a.type()).append(' ').append(HEX.formatHex(a.value())).append('\n');
        }
        return b.append("end\n").toString();
    }

    /**
     * Throws IllegalArgumentException (or another RuntimeException) on anything but a complete record in format 2
     * or format 1.
     */
    static AccountingRecord parse(String text) {
        String[] lines = text.split("\n", -1);
        boolean current = lines[0].equals(MAGIC);
        if (lines.length < 2 || !(current || lines[0].equals(MAGIC_1))) {
            throw new IllegalArgumentException("not an accounting record (no header)");
        }
        AcctStatusType type = null;
        Instant created = null;
        String session = null;
        String user = null;
        List<WireAttribute> attributes = new ArrayList<>();
        boolean end = false;
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            if (end) {
                if (!line.isEmpty()) throw new IllegalArgumentException("data after end");
                continue;
            }
            if (line.equals("end")) {
                end = true;
                continue;
            }
            int eq = line.indexOf('=');
            if (eq < 0) throw new IllegalArgumentException("line " + (i + 1) + " is not key=value");
            String key = line.substring(0, eq);
            String value = line.substring(eq + 1);
            switch (key) {
                case "type" -> type = AcctStatusType.ofLabel(value);
                case "created" -> created = Instant.parse(value);
                case "session" -> session = current ? percentDecode(value) : value;
                case "user" -> user = current ? percentDecode(value) : value;
                case "attr" -> {
                    int sp = value.indexOf(' ');
                    if (sp < 0) throw new IllegalArgumentException("line " + (i + 1) + ": attribute without value");
                    attributes.add(new WireAttribute(Integer.parseInt(value.substring(0, sp)), HEX.parseHex(value.substring(sp + 1))));
                }
                default -> throw new IllegalArgumentException("unknown key " + key);
            }
        }
        if (!end) throw new IllegalArgumentException("truncated (no end line)");
        if (type == null || created == null || session == null || user == null) throw new IllegalArgumentException("missing header");
        if (attributes.stream().noneMatch(a -> a.type() == WireAttribute.ACCT_STATUS_TYPE)) {
            throw new IllegalArgumentException("no Acct-Status-Type");
        }
        return new AccountingRecord(type, created, session, user, attributes);
    }

    /** The UTF-8 octets of {@code s}, every octet but RFC 3986 section 2.3's unreserved characters as %HH. */
    static String percentEncode(String s) {
        StringBuilder b = new StringBuilder();
        for (byte octet : s.getBytes(StandardCharsets.UTF_8)) {
            int c = octet & 0xff;
            if (unreserved(c)) {
                b.append((char) c);
            } else {
                b.append('%').append(HEX.withUpperCase().toHexDigits((byte) c));
            }
        }
        return b.toString();
    }

    /** The reverse of {@link #percentEncode}; anything but unreserved characters and %HH is refused. */
    static String percentDecode(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()) throw new IllegalArgumentException("truncated %-escape");
                out.write(HexFormat.fromHexDigits(s, i + 1, i + 3));
                i += 2;
            } else if (unreserved(c)) {
                out.write(c);
            } else {
                throw new IllegalArgumentException("character " + (int) c + " in an encoded name");
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static boolean unreserved(int c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
    }
}
