package dev.parley.api;

import dev.parley.message.DirectMessage;
import dev.parley.message.Payload;
import dev.parley.message.RoomMessage;
import dev.parley.protocol.FrameCodec;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObjectBuilder;

import java.util.List;

/** The API's JSON for stored messages: the same fields WebSocket clients get in {@code message} and {@code direct} frames. */
final class ApiJson {

    private ApiJson() {
    }

    static JsonObjectBuilder message(RoomMessage m) {
        JsonObjectBuilder b = Json.createObjectBuilder().add("room", m.room()).add("seq", m.seq()).add("from", m.from())
                .add("text", m.text()).add("ts", FrameCodec.timestamp(m.ts()));
        return withData(m.ref() == null ? b : b.add("ref", m.ref()), m.data());
    }

    static JsonArrayBuilder messages(List<RoomMessage> messages) {
        JsonArrayBuilder a = Json.createArrayBuilder();
        messages.forEach(m -> a.add(message(m)));
        return a;
    }

    static JsonObjectBuilder direct(DirectMessage m) {
        JsonObjectBuilder b = Json.createObjectBuilder().add("id", m.id()).add("from", m.from()).add("to", m.to())
                .add("text", m.text()).add("ts", FrameCodec.timestamp(m.ts()));
        return withData(m.ref() == null ? b : b.add("ref", m.ref()), m.data());
    }

    /** Adds {@code data} when the message has it, as WebSocket frames do. */
    private static JsonObjectBuilder withData(JsonObjectBuilder b, Payload data) {
        return data == null ? b : b.add("data", data.json());
    }
}
