package net.l2sec.aaa;

import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * Where a user's groups come from when the authenticating backend does not say (LDAP/AD for a user RADIUS
 * authenticated). Group names are full DNs for LDAP; the policy matches a rule's group either as a DN
 * (case-insensitive) or as the value of the DN's first RDN (the CN).
 */
public interface GroupDirectory {
    /** The user's groups, nested membership included; an unknown user has none. */
    CompletionStage<Set<String>> groupsOf(String user);
}
