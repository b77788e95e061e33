package net.l2sec.aaa.radius;

import java.time.Instant;
import java.util.List;

/**
 * One accounting record as spooled: everything of the Accounting-Request except what changes per transmission
 * (Identifier, Request Authenticator, Acct-Delay-Time, which is computed from {@code created} at each send).
 *
 * @param type          Acct-Status-Type (also among the attributes)
 * @param created       when the event happened; Event-Timestamp carries it and Acct-Delay-Time counts from it
 * @param acctSessionId for logs
 * @param user          for logs ("-" for Accounting-On/Off)
 * @param attributes    the attributes in wire form, in send order
 */
public record AccountingRecord(AcctStatusType type, Instant created, String acctSessionId, String user,
                               List<WireAttribute> attributes) {
    public AccountingRecord {
        attributes = List.copyOf(attributes);
        acctSessionId = printable(acctSessionId);
        user = printable(user);
    }

    /** Control characters become '?' so the name stays on one spool header line and one log line. */
    private static String printable(String s) {
        StringBuilder b = new StringBuilder(s.length());
        s.codePoints().forEach(c -> b.appendCodePoint(Character.isISOControl(c) ? '?' : c));
        return b.toString();
    }
}
