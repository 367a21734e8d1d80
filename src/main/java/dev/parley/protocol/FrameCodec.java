package dev.parley.protocol;

import dev.parley.message.ConversationId;
import dev.parley.message.DirectMessage;
import dev.parley.message.JsonLimits;
import dev.parley.message.Payload;
import dev.parley.message.RoomMessage;
import jakarta.json.Json;
import jakarta.json.JsonNumber;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.stream.JsonGenerator;
import jakarta.json.stream.JsonGeneratorFactory;
import jakarta.json.stream.JsonParser;
import jakarta.json.stream.JsonParserFactory;

import java.io.StringReader;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON wire format: text frames to {@link ClientFrame}s and {@link ServerFrame}s to text.
 * Immutable and thread-safe; one shared instance serves every connection, so a broadcast is encoded once.
 */
public final class FrameCodec {

    /** The protocol version announced in {@code welcome}. */
    public static final int PROTOCOL_VERSION = 1;
    /** Longest token an {@code auth} frame may carry. */
    public static final int MAX_TOKEN_CHARS = 4096;
    /** Largest {@code limit} a history query may ask for. */
    public static final int MAX_HISTORY_LIMIT = 100;
    /** Largest {@code limit} a members request may ask for. */
    public static final int MAX_MEMBERS_LIMIT = 1000;
    /** The optional feature that turns per-event {@code presence} frames into {@code presence_diff} frames. */
    public static final String FEATURE_PRESENCE_DIFF = "presence-diff";

    /** The field that carries an application's JSON object, kept whole where other nested values are not. */
    static final String DATA = "data";

    private static final DateTimeFormatter TIMESTAMP =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    private static final BigDecimal LONG_MAX = BigDecimal.valueOf(Long.MAX_VALUE);
    private static final String BYTE_ORDER_MARK = "\uFEFF";
    /** Longer numbers are out of range for every numeric field (the largest is a long: 20 characters). */
    private static final int MAX_NUMBER_CHARS = 100;
    private static final JsonNumber POSITIVE_OUT_OF_RANGE = Json.createValue(BigDecimal.ONE.scaleByPowerOfTen(1000));
    private static final JsonNumber NEGATIVE_OUT_OF_RANGE = Json.createValue(BigDecimal.ONE.negate().scaleByPowerOfTen(1000));

    /** Deepest nesting of arrays and objects a frame may have (frames of the protocol need three). */
    private static final int MAX_DEPTH = 64;
    /** Last of the static fields, which are initialised in order. */
    private static final FrameCodec SHARED = new FrameCodec();

    private final JsonParserFactory parsers;
    private final JsonGeneratorFactory generators;

    private FrameCodec() {
        // Without this configuration TomEE's Johnzon refuses strings over 8192 characters (see JsonLimits).
        parsers = Json.createParserFactory(JsonLimits.PARSER_CONFIG);
        generators = Json.createGeneratorFactory(Map.of());
    }

    /** The one codec; safe to use from any thread. */
    public static FrameCodec shared() {
        return SHARED;
    }

    /** Whether brackets outside strings nest deeper than the limit (a scan, no parsing). */
    static boolean nestsDeeperThan(String frame, int limit) {
        int depth = 0;
        boolean inString = false;
        for (int i = 0; i < frame.length(); i++) {
            char c = frame.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '[' || c == '{') {
                if (++depth > limit) {
                    return true;
                }
            } else if (c == ']' || c == '}') {
                depth--;
            }
        }
        return false;
    }

    /** Formats an instant as the wire's ISO-8601 UTC timestamp, always with milliseconds. */
    public static String timestamp(Instant ts) {
        return TIMESTAMP.format(ts);
    }

    // ---------------------------------------------------------------- decoding

    /**
     * Decodes one text frame. A leading byte-order mark (U+FEFF) is ignored. A frame whose first non-blank
     * character is not '{' is a plain message to the default room, whatever else it is (so {@code [1,2]} and
     * {@code 42} are posted as text). Never returns null.
     *
     * @throws FrameRejected with the error code the client should get
     */
    public ClientFrame decode(String frame) throws FrameRejected {
        String body = frame.startsWith(BYTE_ORDER_MARK) ? frame.substring(1) : frame;
        if (firstVisible(body) != '{') {
            return new ClientFrame.Post(null, body, null);
        }
        Fields f = new Fields(frame, parse(body));
        String ref = f.ref();
        JsonValue type = f.json.get("type");
        if (type == null) {
            throw f.invalid(ErrorCode.INVALID, "missing field: type");
        }
        if (type.getValueType() != JsonValue.ValueType.STRING) {
            throw f.invalid(ErrorCode.INVALID, "field type must be a string");
        }
        String name = ((JsonString) type).getString();
        return switch (name) {
            case "join" -> new ClientFrame.Join(f.room("room"), f.optionalLong("since", 0), f.optionalString("epoch", 64), ref);
            case "leave" -> new ClientFrame.Leave(f.room("room"), ref);
            case "message" -> {
                String room = f.room("room");
                Payload data = f.optionalData("data");
                yield new ClientFrame.Post(room, data == null ? f.text("text") : f.optionalText("text"), ref, data);
            }
            case "typing" -> new ClientFrame.Typing(f.room("room"), ref);
            case "direct" -> {
                String to = f.user("to");
                Payload data = f.optionalData("data");
                yield new ClientFrame.Direct(to, data == null ? f.text("text") : f.optionalText("text"), ref, data);
            }
            case "signal" -> new ClientFrame.Signal(f.room("room"), f.data("data"), ref);
            case "state" -> new ClientFrame.State(f.room("room"), f.data("data"), ref);
            case "history" -> history(f, ref);
            case "conversations" -> new ClientFrame.ListConversations(ref);
            case "read" -> new ClientFrame.Read(f.conversation(), f.requiredLong("seq", 1), ref);
            case "members" -> new ClientFrame.Members(f.room("room"), f.optionalUser("after"),
                    f.optionalInt("limit", 1, MAX_MEMBERS_LIMIT), ref);
            case "rooms" -> new ClientFrame.ListRooms(ref);
            case "ping" -> new ClientFrame.Ping(ref);
            case "auth" -> new ClientFrame.Auth(f.token("token"), ref);
            default -> throw f.invalid(ErrorCode.UNKNOWN_TYPE, "unknown type: " + printable(name));
        };
    }

    /** A history query of a room ({@code room}) or of a direct conversation ({@code with}); before or since. */
    private static ClientFrame history(Fields f, String ref) throws FrameRejected {
        ConversationId of = f.conversation();
        Long before = f.optionalLong("before", 1);
        Long since = f.optionalLong("since", 0);
        if (before != null && since != null) {
            throw f.invalid(ErrorCode.INVALID, "give before (page back) or since (recovery), not both");
        }
        Integer limit = f.optionalInt("limit", 1, MAX_HISTORY_LIMIT);
        return of.isRoom() ? new ClientFrame.HistoryQuery(of.room(), before, since, limit, ref)
                : new ClientFrame.DirectHistoryQuery(of.with(), before, since, limit, ref);
    }

    /**
     * Reads one JSON object and nothing after it. Top-level keys must be unique ({"room":"a","room":"b"}
     * is ambiguous). Nested objects and arrays are parsed (so must be well-formed) but not kept, except the
     * object of the top-level {@link #DATA} field, the application's own: every other stands as an empty one of
     * its kind. A number too long for any field is
     * kept as an out-of-range stand-in, so the field it is in is refused as {@code invalid} by name.
     */
    private Map<String, JsonValue> parse(String frame) throws FrameRejected {
        if (nestsDeeperThan(frame, MAX_DEPTH)) {
            // Parsson stops at its own depth limit; Johnzon (TomEE) builds nested values recursively without one.
            throw new FrameRejected(frame, ErrorCode.BAD_JSON, "not valid JSON: nested too deeply", null);
        }
        try (JsonParser p = parsers.createParser(new StringReader(frame))) {
            p.next(); // START_OBJECT: the frame starts with '{'
            Map<String, JsonValue> fields = new HashMap<>();
            for (JsonParser.Event e = p.next(); e != JsonParser.Event.END_OBJECT; e = p.next()) {
                String key = p.getString();
                JsonParser.Event first = p.next();
                JsonValue v = DATA.equals(key) && first == JsonParser.Event.START_OBJECT ? p.getObject() : value(p, first);
                if (fields.putIfAbsent(key, v) != null) {
                    throw new FrameRejected(frame, ErrorCode.BAD_JSON, "duplicate key: " + printable(key), null);
                }
            }
            if (p.hasNext()) {
                throw new FrameRejected(frame, ErrorCode.BAD_JSON, "unexpected data after the JSON object", null);
            }
            return fields;
        } catch (RuntimeException e) {
            // JsonParsingException for syntax and trailing garbage; Parsson throws others (NoSuchElementException,
            // plain RuntimeException) for input that ends early or nests beyond its depth limit. Their messages
            // name parser internals, so the client gets its own words instead.
            throw new FrameRejected(frame, ErrorCode.BAD_JSON, JsonSyntax.describe(e, frame), null);
        }
    }

    /** The value that starts with event {@code e}: scalars as they are, containers walked through and replaced. */
    private static JsonValue value(JsonParser p, JsonParser.Event e) {
        switch (e) {
            case START_OBJECT, START_ARRAY -> {
                int depth = 1;
                while (depth > 0) {
                    JsonParser.Event inner = p.next();
                    if (inner == JsonParser.Event.START_OBJECT || inner == JsonParser.Event.START_ARRAY) {
                        depth++;
                    } else if (inner == JsonParser.Event.END_OBJECT || inner == JsonParser.Event.END_ARRAY) {
                        depth--;
                    }
                }
                return e == JsonParser.Event.START_OBJECT ? JsonValue.EMPTY_JSON_OBJECT : JsonValue.EMPTY_JSON_ARRAY;
            }
            case VALUE_NUMBER -> {
                // Parsson refuses to make a BigDecimal of more than about 1,100 characters; no field needs one.
                String digits = p.getString();
                if (digits.length() > MAX_NUMBER_CHARS) {
                    return digits.startsWith("-") ? NEGATIVE_OUT_OF_RANGE : POSITIVE_OUT_OF_RANGE;
                }
                return p.getValue();
            }
            default -> {
                return p.getValue();
            }
        }
    }

    /** The first character that is not white space, or ' ' when there is none. */
    private static char firstVisible(String frame) {
        for (int i = 0; i < frame.length(); i++) {
            char c = frame.charAt(i);
            if (!Character.isWhitespace(c)) {
                return c;
            }
        }
        return ' ';
    }

    /** Typed access to one frame's fields, each failure a {@link FrameRejected} naming the field. */
    private static final class Fields {
        private final String frame;
        private final Map<String, JsonValue> json;
        private String ref;

        Fields(String frame, Map<String, JsonValue> json) {
            this.frame = frame;
            this.json = json;
        }

        /** Reads ref first so that later failures can carry it. */
        String ref() throws FrameRejected {
            JsonValue v = json.get("ref");
            if (v == null || v == JsonValue.NULL) {
                return null;
            }
            if (v.getValueType() != JsonValue.ValueType.STRING || !Names.isRef(((JsonString) v).getString())) {
                throw invalid(ErrorCode.INVALID, "field ref must be a string of 1-" + Names.MAX_REF + " characters");
            }
            ref = ((JsonString) v).getString();
            return ref;
        }

        FrameRejected invalid(ErrorCode code, String message) {
            return new FrameRejected(frame, code, message, ref);
        }

        private String string(String name) throws FrameRejected {
            JsonValue v = json.get(name);
            if (v == null || v == JsonValue.NULL) {
                throw invalid(ErrorCode.INVALID, "missing field: " + name);
            }
            if (v.getValueType() != JsonValue.ValueType.STRING) {
                throw invalid(ErrorCode.INVALID, "field " + name + " must be a string");
            }
            return ((JsonString) v).getString();
        }

        String room(String name) throws FrameRejected {
            String room = string(name);
            if (!Names.isRoom(room)) {
                throw invalid(ErrorCode.INVALID, "field " + name + " must be 1-" + Names.MAX_ROOM
                        + " characters of A-Za-z0-9_.:- starting with a letter or digit");
            }
            return room;
        }

        String user(String name) throws FrameRejected {
            String user = string(name);
            if (!Names.isUser(user)) {
                throw invalid(ErrorCode.INVALID, "field " + name + " must be 1-" + Names.MAX_USER
                        + " characters of A-Za-z0-9_.-");
            }
            return user;
        }

        /** A room ({@code room}) or a user ({@code with}): exactly one of the two. */
        ConversationId conversation() throws FrameRejected {
            boolean room = present("room");
            boolean with = present("with");
            if (room == with) {
                throw invalid(ErrorCode.INVALID, "give room or with (a user), exactly one of them");
            }
            return room ? ConversationId.room(room("room")) : ConversationId.with(user("with"));
        }

        private boolean present(String name) {
            JsonValue v = json.get(name);
            return v != null && v != JsonValue.NULL;
        }

        long requiredLong(String name, long min) throws FrameRejected {
            Long value = optionalLong(name, min);
            if (value == null) {
                throw invalid(ErrorCode.INVALID, "missing field: " + name);
            }
            return value;
        }

        /** A user name that may be absent (null). */
        String optionalUser(String name) throws FrameRejected {
            JsonValue v = json.get(name);
            return v == null || v == JsonValue.NULL ? null : user(name);
        }

        String text(String name) throws FrameRejected {
            String text = string(name);
            if (!Text.isWellFormed(text)) {
                throw invalid(ErrorCode.INVALID, "field " + name + " contains an unpaired surrogate");
            }
            return text;
        }

        /** A text field that may be absent (null). */
        String optionalText(String name) throws FrameRejected {
            JsonValue v = json.get(name);
            return v == null || v == JsonValue.NULL ? null : text(name);
        }

        /** An application JSON object; absent or null gives null. */
        Payload optionalData(String name) throws FrameRejected {
            JsonValue v = json.get(name);
            if (v == null || v == JsonValue.NULL) {
                return null;
            }
            if (v.getValueType() != JsonValue.ValueType.OBJECT) {
                throw invalid(ErrorCode.INVALID, "field " + name + " must be a JSON object");
            }
            Payload data = Payload.of(v.asJsonObject());
            if (!Text.isWellFormed(data.encoded())) {
                // JSON-P writes strings unescaped but for control characters: a lone surrogate would stay one.
                throw invalid(ErrorCode.INVALID, "field " + name + " contains an unpaired surrogate");
            }
            return data;
        }

        /** An application JSON object that must be there. */
        Payload data(String name) throws FrameRejected {
            Payload data = optionalData(name);
            if (data == null) {
                throw invalid(ErrorCode.INVALID, "missing field: " + name);
            }
            return data;
        }

        String token(String name) throws FrameRejected {
            String token = string(name);
            if (token.isEmpty() || token.length() > MAX_TOKEN_CHARS || !Text.isWellFormed(token)) {
                throw invalid(ErrorCode.INVALID, "field " + name + " must be a token of 1-" + MAX_TOKEN_CHARS + " characters");
            }
            return token;
        }

        String optionalString(String name, int maxLength) throws FrameRejected {
            JsonValue v = json.get(name);
            if (v == null || v == JsonValue.NULL) {
                return null;
            }
            if (v.getValueType() != JsonValue.ValueType.STRING) {
                throw invalid(ErrorCode.INVALID, "field " + name + " must be a string");
            }
            String s = ((JsonString) v).getString();
            if (s.length() > maxLength || !Text.isWellFormed(s)) {
                throw invalid(ErrorCode.INVALID, "field " + name + " must be at most " + maxLength + " characters");
            }
            return s;
        }

        Long optionalLong(String name, long min) throws FrameRejected {
            JsonValue v = json.get(name);
            if (v == null || v == JsonValue.NULL) {
                return null;
            }
            return integer(name, v, min, Long.MAX_VALUE);
        }

        Integer optionalInt(String name, int min, int max) throws FrameRejected {
            JsonValue v = json.get(name);
            if (v == null || v == JsonValue.NULL) {
                return null;
            }
            return (int) integer(name, v, min, max);
        }

        private long integer(String name, JsonValue v, long min, long max) throws FrameRejected {
            FrameRejected wrong = invalid(ErrorCode.INVALID, "field " + name + " must be an integer from " + min
                    + (max == Long.MAX_VALUE ? "" : " to " + max));
            if (v.getValueType() != JsonValue.ValueType.NUMBER) {
                throw wrong;
            }
            // Compare as BigDecimal first: 1e999999 must not be expanded into a huge integer.
            BigDecimal d = ((JsonNumber) v).bigDecimalValue();
            if (d.compareTo(BigDecimal.valueOf(min)) < 0 || d.compareTo(BigDecimal.valueOf(max).min(LONG_MAX)) > 0) {
                throw wrong;
            }
            try {
                return d.longValueExact();
            } catch (ArithmeticException fraction) {
                throw wrong;
            }
        }
    }

    // ---------------------------------------------------------------- encoding

    /** Encodes one server frame as compact JSON; never null. Null fields are omitted. */
    public String encode(ServerFrame frame) {
        StringWriter out = new StringWriter(128);
        try (JsonGenerator g = generators.createGenerator(out)) {
            g.writeStartObject();
            write(g, frame);
            g.writeEnd();
        }
        return out.toString();
    }

    private void write(JsonGenerator g, ServerFrame frame) {
        if (frame instanceof ServerFrame.Message m) {
            message(g, m.message());
        } else if (frame instanceof ServerFrame.Ack a) {
            g.write("type", "ack");
            opt(g, "ref", a.ref());
            opt(g, "room", a.room());
            if (a.seq() != null) {
                g.write("seq", a.seq());
            }
            opt(g, "to", a.to());
        } else if (frame instanceof ServerFrame.Signal sig) {
            g.write("type", "signal").write("room", sig.room()).write("from", sig.from()).write(DATA, sig.data().json());
        } else if (frame instanceof ServerFrame.Presence p) {
            g.write("type", "presence").write("room", p.room()).write("user", p.user()).write("event", p.event());
            data(g, p.data());
        } else if (frame instanceof ServerFrame.TypingNotice t) {
            g.write("type", "typing").write("room", t.room()).write("from", t.from());
        } else if (frame instanceof ServerFrame.Direct d) {
            direct(g, d.message());
        } else if (frame instanceof ServerFrame.Joined j) {
            g.write("type", "joined").write("room", j.room());
            strings(g, "members", j.members());
            states(g, j.state());
            if (j.count() != null) {
                g.write("count", j.count());
            }
            messages(g, "history", j.history());
            opt(g, "epoch", j.epoch());
            if (j.truncated()) {
                g.write("truncated", true);
            }
            opt(g, "ref", j.ref());
        } else if (frame instanceof ServerFrame.PresenceDiff d) {
            g.write("type", "presence_diff").write("room", d.room());
            if (d.members() != null) {
                strings(g, "members", d.members());
            }
            if (!d.joins().isEmpty()) {
                strings(g, "joins", d.joins());
            }
            if (!d.leaves().isEmpty()) {
                strings(g, "leaves", d.leaves());
            }
            states(g, d.state());
            g.write("count", d.count());
        } else if (frame instanceof ServerFrame.Members m) {
            g.write("type", "members").write("room", m.room());
            strings(g, "members", m.members());
            states(g, m.state());
            g.write("count", m.count());
            opt(g, "next", m.next());
            opt(g, "ref", m.ref());
        } else if (frame instanceof ServerFrame.Left l) {
            g.write("type", "left").write("room", l.room());
            opt(g, "ref", l.ref());
        } else if (frame instanceof ServerFrame.History h) {
            g.write("type", "history").write("room", h.room());
            messages(g, "messages", h.messages());
            truncated(g, h.truncated());
            opt(g, "ref", h.ref());
        } else if (frame instanceof ServerFrame.DirectHistory h) {
            g.write("type", "history").write("with", h.with());
            g.writeStartArray("messages");
            for (DirectMessage m : h.messages()) {
                g.writeStartObject();
                direct(g, m);
                g.writeEnd();
            }
            g.writeEnd();
            truncated(g, h.truncated());
            opt(g, "ref", h.ref());
        } else if (frame instanceof ServerFrame.Conversations c) {
            g.write("type", "conversations");
            opt(g, "epoch", c.epoch());
            conversations(g, "rooms", c.rooms());
            conversations(g, "direct", c.direct());
            opt(g, "ref", c.ref());
        } else if (frame instanceof ServerFrame.ReadState r) {
            g.write("type", "read");
            conversation(g, r.conversation());
            g.write("seq", r.seq());
            opt(g, "ref", r.ref());
        } else if (frame instanceof ServerFrame.Rooms r) {
            g.write("type", "rooms");
            g.writeStartArray("rooms");
            for (ServerFrame.RoomInfo room : r.rooms()) {
                g.writeStartObject().write("name", room.name()).write("members", room.members()).writeEnd();
            }
            g.writeEnd();
            opt(g, "ref", r.ref());
        } else if (frame instanceof ServerFrame.Pong p) {
            g.write("type", "pong");
            opt(g, "ref", p.ref());
        } else if (frame instanceof ServerFrame.Authenticated a) {
            g.write("type", "authenticated").write("user", a.user()).write("expires", timestamp(a.expires()));
            opt(g, "ref", a.ref());
        } else if (frame instanceof ServerFrame.Error e) {
            g.write("type", "error").write("code", e.code().wire()).write("message", e.message());
            opt(g, "ref", e.ref());
        } else if (frame instanceof ServerFrame.Welcome w) {
            g.write("type", "welcome").write("user", w.user()).write("session", w.session())
                    .write("protocol", w.protocol());
            strings(g, "rooms", w.rooms());
            if (!w.features().isEmpty()) {
                strings(g, "features", w.features());
            }
        } else {
            throw new IllegalArgumentException("no encoding for " + frame.getClass().getName());
        }
    }

    private static void message(JsonGenerator g, RoomMessage m) {
        g.write("type", "message").write("room", m.room()).write("seq", m.seq()).write("from", m.from())
                .write("text", m.text()).write("ts", timestamp(m.ts()));
        opt(g, "ref", m.ref());
        data(g, m.data());
    }

    private static void truncated(JsonGenerator g, boolean truncated) {
        if (truncated) {
            g.write("truncated", true);
        }
    }

    private static void conversation(JsonGenerator g, ConversationId id) {
        if (id.isRoom()) {
            g.write("room", id.room());
        } else {
            g.write("with", id.with());
        }
    }

    private static void conversations(JsonGenerator g, String name, List<ServerFrame.ConversationInfo> list) {
        g.writeStartArray(name);
        for (ServerFrame.ConversationInfo c : list) {
            g.writeStartObject();
            conversation(g, c.id());
            g.write("seq", c.seq()).write("read", c.read());
            if (c.online() != null) {
                g.write("online", c.online());
            }
            g.writeEnd();
        }
        g.writeEnd();
    }

    private static void data(JsonGenerator g, Payload data) {
        if (data != null) {
            g.write(DATA, data.json());
        }
    }

    private static void direct(JsonGenerator g, DirectMessage m) {
        g.write("type", "direct").write("id", m.id());
        if (m.seq() > 0) {
            g.write("seq", m.seq());
        }
        g.write("from", m.from()).write("to", m.to())
                .write("text", m.text()).write("ts", timestamp(m.ts()));
        opt(g, "ref", m.ref());
        data(g, m.data());
    }

    private static void messages(JsonGenerator g, String name, List<RoomMessage> messages) {
        g.writeStartArray(name);
        for (RoomMessage m : messages) {
            g.writeStartObject();
            message(g, m);
            g.writeEnd();
        }
        g.writeEnd();
    }

    private static void strings(JsonGenerator g, String name, List<String> values) {
        g.writeStartArray(name);
        values.forEach(g::write);
        g.writeEnd();
    }

    /** Members' states by user, left out when there are none. */
    private static void states(JsonGenerator g, Map<String, Payload> states) {
        if (!states.isEmpty()) {
            g.writeStartObject("state");
            states.forEach((user, state) -> g.write(user, state.json()));
            g.writeEnd();
        }
    }

    private static void opt(JsonGenerator g, String name, String value) {
        if (value != null) {
            g.write(name, value);
        }
    }

    private static String printable(String s) {
        String head = s.length() > 40 ? s.substring(0, 40) + "..." : s;
        return Text.isWellFormed(head) ? head : "(not well-formed text)";
    }
}
