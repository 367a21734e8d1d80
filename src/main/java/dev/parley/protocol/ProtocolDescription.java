package dev.parley.protocol;

import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;

/**
 * The machine-readable part of the wire contract, as served at {@code GET /protocol.json}: the protocol version,
 * the limits a client must respect, the name syntax and every close code with what a client does after it.
 * Clients (the chat page, parley.js's tests) read it instead of keeping copies of these rules. Built from
 * {@link Names}, {@link FrameCodec} and {@link CloseCodes}; the configured limits come from the caller.
 */
public final class ProtocolDescription {

    private ProtocolDescription() {
    }

    /**
     * The description for a server configured with these limits; never null.
     *
     * @param textMaxChars  the longest message text, in characters (code points)
     * @param frameMaxBytes the largest text frame accepted
     */
    public static JsonObject of(int textMaxChars, int frameMaxBytes) {
        return of(textMaxChars, frameMaxBytes, 16 * 1024, 1024);
    }

    /**
     * The description for a server configured with these limits; never null.
     *
     * @param textMaxChars  the longest message text, in characters (code points)
     * @param frameMaxBytes the largest text frame accepted
     * @param dataMaxBytes  the largest {@code data} object of a message or signal (UTF-8 bytes of compact JSON)
     * @param stateMaxBytes the largest member state, in the same unit
     */
    public static JsonObject of(int textMaxChars, int frameMaxBytes, int dataMaxBytes, int stateMaxBytes) {
        JsonArrayBuilder closes = Json.createArrayBuilder();
        for (CloseCodes.Close c : CloseCodes.all()) {
            closes.add(Json.createObjectBuilder().add("code", c.code()).add("name", c.name())
                    .add("reconnect", c.advice().wire()));
        }
        return Json.createObjectBuilder()
                .add("protocol", FrameCodec.PROTOCOL_VERSION)
                .add("subprotocol", "chat")
                .add("limits", Json.createObjectBuilder()
                        .add("textMaxChars", textMaxChars)
                        .add("frameMaxBytes", frameMaxBytes)
                        .add("dataMaxBytes", dataMaxBytes)
                        .add("stateMaxBytes", stateMaxBytes)
                        .add("refMaxChars", Names.MAX_REF)
                        .add("tokenMaxChars", FrameCodec.MAX_TOKEN_CHARS)
                        .add("historyMaxLimit", FrameCodec.MAX_HISTORY_LIMIT))
                .add("names", Json.createObjectBuilder()
                        .add("user", Names.USER_PATTERN)
                        .add("room", Names.ROOM_PATTERN))
                .add("closeCodes", closes)
                .build();
    }
}
