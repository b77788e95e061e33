package net.l2sec.aaa.radius;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.tinyradius.core.dictionary.Dictionary;
import org.tinyradius.core.dictionary.parser.DictionaryParser;

/**
 * The attribute dictionary every l2sec RADIUS packet is built and parsed with: the classpath resource
 * {@code net/l2sec/aaa/radius/dictionary}, written from RFC 2865, 2866, 2868, 2869, 3579, 5176, the Microsoft
 * attributes of RFC 2548 and the WISPr bandwidth limits (tinyradius' default dictionary lacks the tunnel attributes and vendor 311).
 */
public final class RadiusDictionary {
    /** Classpath location of the dictionary file (FreeRADIUS dictionary syntax). */
    public static final String RESOURCE = "net/l2sec/aaa/radius/dictionary";
    /** SMI private enterprise code of Microsoft (RFC 2548 section 2). */
    public static final int MICROSOFT = 311;
    /** SMI private enterprise code of the Wi-Fi Alliance's WISPr attributes (WISPr-Bandwidth-Max-Up/Down). */
    public static final int WISPR = 14122;

    private RadiusDictionary() {}

    private static final class Holder {
        static final Dictionary INSTANCE = load();

        private static Dictionary load() {
            try {
                return DictionaryParser.newClasspathParser().parseDictionary(RESOURCE);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read RADIUS dictionary " + RESOURCE, e);
            }
        }
    }

    /** The shared, immutable-by-convention dictionary (parsed once). */
    public static Dictionary get() {
        return Holder.INSTANCE;
    }
}
