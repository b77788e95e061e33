package net.l2sec.aaa.radius;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One accounting record as spooled: everything of the Accounting-Request except what changes per transmission
 * (Identifier, Request Authenticator, Acct-Delay-Time, which is computed from {@code created} at each send).
 * Every field is kept exactly: the spool encodes names and attribute values so that any content survives it
 * ({@link AccountingSpool}); log lines escape them.
 *
 * @param type          Acct-Status-Type (also among the attributes)
 * @param created       when the event happened; Event-Timestamp carries it and Acct-Delay-Time counts from it
 * @param acctSessionId for logs
 * @param user          for logs ("-" for Accounting-On/Off): the session's whole user name, even where the
 *                      User-Name attribute had to be cut to 253 octets
 * @param attributes    the attributes in wire form, in send order
 */
public record AccountingRecord(AcctStatusType type, Instant created, String acctSessionId, String user,
                               List<WireAttribute> attributes) {
    public AccountingRecord {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(created, "created");
        attributes = List.copyOf(attributes);
        acctSessionId = wellFormed(acctSessionId);
        user = wellFormed(user);
    }

    /**
     * {@code s} as UTF-8 can carry it: a string decoded from octets (as every name from the dataplane is) is
     * unchanged; an unpaired surrogate, which no octets decode to, becomes '?'. So what is spooled is what is read.
     */
    private static String wellFormed(String s) {
        Objects.requireNonNull(s);
        return new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
    }
}
