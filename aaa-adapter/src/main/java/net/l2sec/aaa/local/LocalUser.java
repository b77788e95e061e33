package net.l2sec.aaa.local;

/** One line of {@code conf/users}. {@code toString()} never shows the secret. */
record LocalUser(String name, StoredSecret secret, boolean disabled, int line) {
    @Override
    public String toString() {
        return "LocalUser[" + name + ", scheme=" + secret.scheme() + (disabled ? ", disabled" : "") + ", line=" + line + "]";
    }
}
