package net.l2sec.aaa.ldap;

/** How {@link LdapAuthenticator} finds a user's groups, nested membership included. */
public enum GroupMode {
    /**
     * Active Directory: one subtree search for {@code (member:1.2.840.113556.1.4.1941:=<user DN>)}; the DC follows
     * nested groups itself (LDAP_MATCHING_RULE_IN_CHAIN).
     */
    AD_IN_CHAIN,
    /**
     * Any directory that maintains {@code memberOf} (OpenLDAP memberof overlay, 389 DS): the user's
     * {@code memberOf} values, then each group's, cycle-safe and depth-bounded.
     */
    MEMBER_OF_WALK
}
