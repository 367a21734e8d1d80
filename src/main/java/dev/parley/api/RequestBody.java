package dev.parley.api;

import dev.parley.message.JsonLimits;
import dev.parley.message.Payload;
import dev.parley.protocol.Names;
import dev.parley.protocol.Text;
import jakarta.json.Json;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonReaderFactory;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Reads the JSON body of an API call, bounded in size (413 beyond it, read no further), and its fields; every
 * mistake is a 400 problem that says which.
 */
final class RequestBody {

    /** Thread-safe; configured so that TomEE's Johnzon accepts strings as long as the body limit allows. */
    private static final JsonReaderFactory READERS = Json.createReaderFactory(JsonLimits.PARSER_CONFIG);

    private final JsonObject json;

    private RequestBody(JsonObject json) {
        this.json = json;
    }

    /** Reads at most {@code maxBytes}; an empty body counts as {@code {}} when {@code optional}. */
    static RequestBody read(InputStream in, int maxBytes, boolean optional) {
        byte[] bytes;
        try {
            bytes = in == null ? new byte[0] : in.readNBytes(maxBytes + 1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (bytes.length > maxBytes) {
            throw Problems.fail(413, "too_long", "the body is larger than " + maxBytes + " bytes");
        }
        if (bytes.length == 0) {
            if (optional) {
                return new RequestBody(JsonValue.EMPTY_JSON_OBJECT);
            }
            throw Problems.badRequest("the body must be a JSON object");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw Problems.badRequest("the body is not valid UTF-8");
        }
        try (JsonReader reader = READERS.createReader(new StringReader(text))) {
            JsonValue value = reader.readValue();
            if (value.getValueType() != JsonValue.ValueType.OBJECT) {
                throw Problems.badRequest("the body must be a JSON object");
            }
            return new RequestBody(value.asJsonObject());
        } catch (JsonException e) {
            throw Problems.badRequest("the body is not valid JSON");
        }
    }

    /** A required string field. */
    String string(String name) {
        String value = optionalString(name);
        if (value == null) {
            throw Problems.badRequest("the body needs \"" + name + "\" as a string");
        }
        return value;
    }

    /** A string field, or null when absent. */
    String optionalString(String name) {
        JsonValue v = json.get(name);
        if (v == null || v == JsonValue.NULL) {
            return null;
        }
        if (!(v instanceof JsonString s)) {
            throw Problems.badRequest("\"" + name + "\" must be a string");
        }
        return s.getString();
    }

    /**
     * An application JSON object (a message's {@code data}), or null when absent or null; 400 unless an object,
     * as a WebSocket client's {@code invalid}.
     */
    Payload optionalData(String name) {
        JsonValue v = json.get(name);
        if (v == null || v == JsonValue.NULL) {
            return null;
        }
        if (v.getValueType() != JsonValue.ValueType.OBJECT) {
            throw Problems.badRequest("\"" + name + "\" must be a JSON object");
        }
        Payload data = Payload.of(v.asJsonObject());
        if (!Text.isWellFormed(data.encoded())) {
            throw Problems.badRequest("\"" + name + "\" contains an unpaired surrogate");
        }
        return data;
    }

    /** An integer field, or {@code fallback} when absent. */
    int integer(String name, int fallback) {
        JsonValue v = json.get(name);
        if (v == null || v == JsonValue.NULL) {
            return fallback;
        }
        if (v.getValueType() != JsonValue.ValueType.NUMBER || !((jakarta.json.JsonNumber) v).isIntegral()) {
            throw Problems.badRequest("\"" + name + "\" must be an integer");
        }
        try {
            return ((jakarta.json.JsonNumber) v).intValueExact();
        } catch (ArithmeticException e) {
            throw Problems.badRequest("\"" + name + "\" is out of range");
        }
    }

    /** Checks a path's room name: 400 unless it is a valid room name. */
    static String room(String room) {
        if (!Names.isRoom(room)) {
            throw Problems.badRequest("not a valid room name: 1-64 characters of A-Za-z0-9_.:- starting with a letter or digit");
        }
        return room;
    }

    /** Checks a path's user name: 400 unless it is a valid user name. */
    static String user(String user) {
        if (!Names.isUser(user)) {
            throw Problems.badRequest("not a valid user name: 1-32 characters of A-Za-z0-9_.-");
        }
        return user;
    }

    /** Checks an Idempotency-Key header (null when absent): 400 unless 1-64 well-formed characters. */
    static String idempotencyKey(String key) {
        if (key != null && !Names.isRef(key)) {
            throw Problems.badRequest("Idempotency-Key must be 1-" + Names.MAX_REF + " characters");
        }
        return key;
    }
}
