package dev.parley.message;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonReaderFactory;
import jakarta.json.JsonWriter;
import jakarta.json.JsonWriterFactory;

import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;

/**
 * An application's JSON object carried by a message, a signal or a member's state ({@code "data":{...}}):
 * the parsed object, which is immutable, and its compact encoding, which is what is stored and what its size
 * is measured in. Numbers keep every digit they were given (JSON-P holds them as decimals), so a value that
 * is read back from the store equals the one that was sent. Immutable and thread-safe.
 */
public record Payload(JsonObject json, String encoded) {

    // Made once: Json.createWriter and Json.createReader look the JSON-P provider up on every call.
    private static final JsonWriterFactory WRITERS = Json.createWriterFactory(Map.of());
    // Configured: TomEE's Johnzon would refuse a stored string over 8192 characters when it is read back (JsonLimits).
    private static final JsonReaderFactory READERS = Json.createReaderFactory(JsonLimits.PARSER_CONFIG);

    public Payload {
        Objects.requireNonNull(json, "json");
        Objects.requireNonNull(encoded, "encoded");
    }

    /** Wraps an object, encoding it once. */
    public static Payload of(JsonObject json) {
        StringWriter out = new StringWriter();
        try (JsonWriter w = WRITERS.createWriter(out)) {
            w.writeObject(json);
        }
        return new Payload(json, out.toString());
    }

    /**
     * Reads back what {@link #encoded} gave, for instance from the store; null for null.
     *
     * @throws jakarta.json.JsonException if the text is not one JSON object
     */
    public static Payload parse(String encoded) {
        if (encoded == null) {
            return null;
        }
        try (JsonReader r = READERS.createReader(new StringReader(encoded))) {
            return new Payload(r.readObject(), encoded);
        }
    }

    /** The size of the encoding in UTF-8 bytes, the unit of the {@code data} limits. */
    public int bytes() {
        return encoded.getBytes(StandardCharsets.UTF_8).length;
    }

    /** The encoding, or null when {@code payload} is null: what a store column holds. */
    public static String encodedOrNull(Payload payload) {
        return payload == null ? null : payload.encoded();
    }
}
