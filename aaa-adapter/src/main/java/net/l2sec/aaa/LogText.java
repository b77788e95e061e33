package net.l2sec.aaa;

/**
 * The one way text from outside (user names a peer presented, names, messages and groups a server sent) goes into a
 * {@code key=value} log line of this module: {@link #escape}. A hostile name can then neither break the line, nor
 * forge another {@code key=value} field, nor hide behind invisible or bidirectional-override characters.
 */
public final class LogText {
    /** Longer values are cut (the log line says how much is missing). */
    public static final int MAX_CODE_POINTS = 256;

    private LogText() {}

    /**
     * {@code s} as one log field value. Returned unchanged when it is non-empty and consists of visible characters
     * only (letters, digits, marks, punctuation and symbols of any script, no {@code "} or {@code \}); otherwise in
     * double quotes, with {@code \\}, {@code \"}, {@code \n}, {@code \r}, {@code \t}, {@code \xHH} for the other
     * control characters below U+0100 and <code>&#92;u{HHHH}</code> for every other invisible code point (format and
     * bidirectional controls, separators other than the space, unpaired surrogates, private use, unassigned). More
     * than {@value #MAX_CODE_POINTS} code points are cut, marked {@code ...(+N)}. {@code null} gives {@code -}.
     */
    public static String escape(String s) {
        if (s == null) return "-";
        StringBuilder out = new StringBuilder(s.length() + 2);
        boolean quote = s.isEmpty();
        int count = 0;
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            i += Character.charCount(c);
            if (count++ == MAX_CODE_POINTS) {
                out.append("...(+").append(s.codePointCount(i - Character.charCount(c), s.length())).append(')');
                quote = true;
                break;
            }
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '"' -> out.append("\\\"");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case ' ' -> out.append(' ');
                default -> {
                    if (visible(c)) {
                        out.appendCodePoint(c);
                        continue;
                    }
                    out.append(c < 0x100 ? String.format("\\x%02x", c) : String.format("\\u{%04x}", c));
                }
            }
            quote = true;
        }
        return quote ? "\"" + out + "\"" : out.toString();
    }

    private static boolean visible(int c) {
        return switch (Character.getType(c)) {
            case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.PRIVATE_USE, Character.UNASSIGNED,
                 Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR, Character.SPACE_SEPARATOR -> false;
            default -> true;
        };
    }
}
