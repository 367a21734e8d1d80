package dev.parley.message;

import java.util.Map;

/**
 * The configuration Parley gives every JSON-P parser and reader factory it makes (frames, API bodies, stored
 * {@link Payload}s), so that the server's JSON-P implementation refuses nothing the protocol's own limits allow.
 *
 * <p>Johnzon (TomEE's JSON-P) refuses a string or number longer than {@code org.apache.johnzon.max-string-length}
 * characters as malformed JSON, and TomEE sets that system property to 8192 when its REST service starts, so a
 * 9,000-character name or text would be {@code bad_json} instead of {@code invalid} / {@code too_long}. A factory
 * given the key in its configuration uses it instead of the system property. Parsson (Payara, WildFly) ignores
 * these keys.
 */
public final class JsonLimits {

    /** Longest JSON string or number a Parley parser accepts, in characters; above any frame or body limit's default. */
    public static final int MAX_STRING_CHARS = 1 << 20;

    /** For {@code Json.createParserFactory} and {@code Json.createReaderFactory}; immutable. */
    public static final Map<String, Object> PARSER_CONFIG = Map.of(
            "org.apache.johnzon.max-string-length", MAX_STRING_CHARS, "org.apache.johnzon.auto-adjust-buffer", true);

    private JsonLimits() {
    }
}
