package net.l2sec.aaa.ldap;

/**
 * Pure string functions for what goes into LDAP filters and DNs: escaping (RFC 4515, RFC 4514) and the user name
 * a peer presents turned into the value the user filter is searched with.
 */
public final class LdapNames {
    /** The placeholder in {@link LdapSettings#userFilter()}. */
    public static final String USER_PLACEHOLDER = "{user}";

    private LdapNames() {}

    /**
     * RFC 4515 section 3: in an assertion value, {@code *}, {@code (}, {@code )}, {@code \} and NUL must be written
     * as {@code \XX}. Every other character below 0x20 and DEL are escaped too, so nothing odd reaches the log or
     * the server. Non-ASCII characters are written as their UTF-8 octets, escaped (the RFC allows either form).
     */
    public static String escapeFilterValue(String value) {
        StringBuilder out = new StringBuilder(value.length() + 8);
        byte[] utf8 = value.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        for (byte b : utf8) {
            int c = b & 0xFF;
            if (c == '*' || c == '(' || c == ')' || c == '\\' || c < 0x20 || c >= 0x7F) {
                out.append('\\').append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 0xF, 16));
            } else {
                out.append((char) c);
            }
        }
        return out.toString();
    }

    /**
     * RFC 4514 section 2.4: an attribute value inside a DN. {@code , + " \ < > ;} are backslash-escaped anywhere,
     * a leading space or {@code #} and a trailing space are escaped, NUL becomes {@code \00}.
     */
    public static String escapeDnValue(String value) {
        StringBuilder out = new StringBuilder(value.length() + 8);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean first = i == 0;
            boolean last = i == value.length() - 1;
            switch (c) {
                case ',', '+', '"', '\\', '<', '>', ';' -> out.append('\\').append(c);
                case '\0' -> out.append("\\00");
                case ' ' -> out.append(first || last ? "\\ " : " ");
                case '#' -> out.append(first ? "\\#" : "#");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    /**
     * The name to search for: {@code DOMAIN&#92;user} (the form Windows clients send) loses its NetBIOS domain prefix;
     * {@code user@realm} stays as is, the default AD filter matches it against {@code userPrincipalName}.
     */
    public static String normalizeUser(String presented) {
        int slash = presented.lastIndexOf('\\');
        return slash >= 0 ? presented.substring(slash + 1) : presented;
    }

    /** {@code filter} with every {@value #USER_PLACEHOLDER} replaced by the escaped {@code user}. */
    public static String userFilter(String filter, String user) {
        return filter.replace(USER_PLACEHOLDER, escapeFilterValue(user));
    }

    /**
     * AD's LDAP_MATCHING_RULE_IN_CHAIN (OID 1.2.840.113556.1.4.1941): groups whose {@code member} reaches
     * {@code userDn} through any number of nested groups.
     */
    public static String inChainGroupFilter(String userDn) {
        return "(member:1.2.840.113556.1.4.1941:=" + escapeFilterValue(userDn) + ")";
    }
}
