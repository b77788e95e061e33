package net.l2sec.dataplane;

/**
 * Text a peer chose (a PPP user name, an L2TP Host Name, a backend's reply about it) as it may appear in a log
 * line: nothing in it can end the line, start a forged one, or pass for another {@code key=value} field of it.
 * Every dataplane log line that carries such text goes through here.
 *
 * <p>Escaped: the C0 and C1 controls and DEL, Unicode line and paragraph separators, format characters (bidi
 * overrides, zero-width characters) and unpaired surrogates, as {@code \n}, {@code \r}, {@code \t} or
 * {@code \}{@code uXXXX} ({@code \}{@code UXXXXXXXX} beyond the BMP); a backslash is doubled. Printable text,
 * non-ASCII letters included, is kept as it is, so a name reads in the log as the user typed it.
 */
public final class LogText {
    /** Longest text shown, in characters; beyond it the text is cut and {@code ...} follows. */
    public static final int MAX_CHARS = 256;

    private LogText() {}

    /**
     * {@code text} as one log token, for a field such as {@code user=}: unchanged when it is not empty and consists
     * of printable characters other than space, {@code "}, {@code \} and {@code =}; otherwise in double quotes,
     * escaped as described above, with {@code \"} for a quote. Null is {@code -}.
     */
    public static String quote(String text) {
        if (text == null) return "-";
        if (!text.isEmpty() && text.length() <= MAX_CHARS && isPlainToken(text)) return text;
        StringBuilder out = new StringBuilder(text.length() + 8).append('"');
        int end = appendEscaped(out, text, true);
        out.append('"');
        if (end < text.length()) out.append("...");
        return out.toString();
    }

    /**
     * {@code text} escaped for the free-text end of a log line ({@code detail=...}): as {@link #quote} but without
     * the quotes, so spaces and {@code =} stay as they are. Null is {@code -}.
     */
    public static String escape(String text) {
        if (text == null) return "-";
        StringBuilder out = new StringBuilder(text.length() + 8);
        int end = appendEscaped(out, text, false);
        if (end < text.length()) out.append("...");
        return out.toString();
    }

    private static boolean isPlainToken(String s) {
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            if (cp == ' ' || cp == '"' || cp == '\\' || cp == '=' || Character.isSpaceChar(cp) || mustEscape(cp)) {
                return false;
            }
            i += Character.charCount(cp);
        }
        return true;
    }

    /** Appends up to {@link #MAX_CHARS} characters of {@code s}, escaped; returns the index where it stopped. */
    private static int appendEscaped(StringBuilder out, String s, boolean quoted) {
        int i = 0;
        while (i < s.length() && i < MAX_CHARS) {
            int cp = s.codePointAt(i);
            switch (cp) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\\' -> out.append("\\\\");
                case '"' -> out.append(quoted ? "\\\"" : "\"");
                default -> {
                    if (mustEscape(cp) || (quoted && Character.isSpaceChar(cp) && cp != ' ')) {
                        out.append(cp > 0xffff ? String.format("\\U%08X", cp) : String.format("\\u%04X", cp));
                    } else {
                        out.appendCodePoint(cp);
                    }
                }
            }
            i += Character.charCount(cp);
        }
        return i;
    }

    /** Controls, separators that end a line, invisible format characters, and a surrogate without its pair. */
    private static boolean mustEscape(int cp) {
        if (Character.isISOControl(cp)) return true;                       // C0, DEL, C1
        return switch (Character.getType(cp)) {
            case Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR, Character.FORMAT -> true;
            case Character.SURROGATE -> true;                                   // codePointAt found no pair
            default -> false;
        };
    }
}
