package dev.parley.cluster;

import dev.parley.history.Draft;
import dev.parley.message.Payload;
import dev.parley.message.RoomMessage;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

import java.io.StringReader;
import java.time.Instant;
import java.util.List;

/**
 * What one node sends another through the target's own topic ({@code parley.node.<id>}), as JSON text, so the grid
 * only ever carries strings: a room message to sequence ({@link Sequence}), its outcome ({@link Sequenced},
 * {@link Failed}), frames for some users' connections ({@link ToUsers}), a nudge to release held direct messages
 * ({@link Release}). Immutable records; {@link #encode} and {@link #decode} are inverse.
 */
sealed interface NodeMail {

    /** A room message for the room's owner to sequence and store; {@code origin} and {@code ticket} name the answer. */
    record Sequence(String origin, long ticket, Draft.ToRoom draft) implements NodeMail {
    }

    /** The owner stored it (or found it stored: {@code duplicate}). */
    record Sequenced(long ticket, RoomMessage message, boolean duplicate) implements NodeMail {
    }

    /** The owner could not store it. */
    record Failed(long ticket, String reason) implements NodeMail {
    }

    /** An encoded frame for every connection of these users on the receiving node. */
    record ToUsers(List<String> users, String frame) implements NodeMail {
    }

    /** Held direct messages for {@code user} wait: the receiving node, where the user is connected, releases them. */
    record Release(String user) implements NodeMail {
    }

    static String encode(NodeMail mail) {
        JsonObjectBuilder b = Json.createObjectBuilder();
        if (mail instanceof Sequence s) {
            Draft.ToRoom d = s.draft();
            b.add("k", "seq").add("origin", s.origin()).add("ticket", s.ticket())
                    .add("room", d.room()).add("from", d.from()).add("text", d.text())
                    .add("ts", d.ts().toEpochMilli());
            optional(b, "ref", d.ref());
            optional(b, "data", Payload.encodedOrNull(d.data()));
        } else if (mail instanceof Sequenced s) {
            RoomMessage m = s.message();
            b.add("k", "ok").add("ticket", s.ticket()).add("dup", s.duplicate())
                    .add("room", m.room()).add("seq", m.seq()).add("from", m.from()).add("text", m.text())
                    .add("ts", m.ts().toEpochMilli());
            optional(b, "ref", m.ref());
            optional(b, "data", Payload.encodedOrNull(m.data()));
        } else if (mail instanceof Failed f) {
            b.add("k", "fail").add("ticket", f.ticket()).add("reason", f.reason());
        } else if (mail instanceof ToUsers t) {
            b.add("k", "users").add("users", Json.createArrayBuilder(t.users())).add("frame", t.frame());
        } else if (mail instanceof Release r) {
            b.add("k", "release").add("user", r.user());
        }
        return b.build().toString();
    }

    static NodeMail decode(String text) {
        JsonObject o;
        try (var reader = Json.createReader(new StringReader(text))) {
            o = reader.readObject();
        }
        return switch (o.getString("k")) {
            case "seq" -> new Sequence(o.getString("origin"), o.getJsonNumber("ticket").longValue(),
                    new Draft.ToRoom(o.getString("room"), o.getString("from"), o.getString("text"), string(o, "ref"),
                            Instant.ofEpochMilli(o.getJsonNumber("ts").longValue()), payload(o)));
            case "ok" -> new Sequenced(o.getJsonNumber("ticket").longValue(),
                    new RoomMessage(o.getString("room"), o.getJsonNumber("seq").longValue(), o.getString("from"),
                            o.getString("text"), Instant.ofEpochMilli(o.getJsonNumber("ts").longValue()), string(o, "ref"),
                            payload(o)),
                    o.getBoolean("dup"));
            case "fail" -> new Failed(o.getJsonNumber("ticket").longValue(), o.getString("reason"));
            case "users" -> new ToUsers(users(o.getJsonArray("users")), o.getString("frame"));
            case "release" -> new Release(o.getString("user"));
            default -> throw new IllegalArgumentException("unknown node mail " + o.getString("k"));
        };
    }

    private static void optional(JsonObjectBuilder b, String name, String value) {
        if (value != null) {
            b.add(name, value);
        }
    }

    private static String string(JsonObject o, String name) {
        JsonValue v = o.get(name);
        return v instanceof JsonString s ? s.getString() : null;
    }

    private static Payload payload(JsonObject o) {
        String data = string(o, "data");
        return data == null ? null : Payload.parse(data);
    }

    private static List<String> users(JsonArray array) {
        return array.getValuesAs(JsonString.class).stream().map(JsonString::getString).toList();
    }
}
