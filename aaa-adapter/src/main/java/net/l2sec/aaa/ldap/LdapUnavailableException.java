package net.l2sec.aaa.ldap;

/** No configured LDAP server could answer (all dead, timed out, or refused the service account). */
public final class LdapUnavailableException extends Exception {
    private final boolean timeout;

    public LdapUnavailableException(String message, boolean timeout) {
        super(message);
        this.timeout = timeout;
    }

    /** True when the last server tried timed out rather than failed. */
    public boolean timeout() {
        return timeout;
    }
}
