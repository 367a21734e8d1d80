package dev.parley.protocol;

import dev.parley.message.Payload;
import dev.parley.message.RoomMessage;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.StringReader;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The {@code data}, {@code signal} and {@code state} frames on the wire: application objects kept whole, both ways. */
class DataFrameTest {

    private static final String DATA = "{\"s\":\"h\\u00e9llo \\ud83d\\ude00 \\u0000\",\"n\":[1.7976931348623157E+308,4.9E-324,"
            + "9007199254740993,-0.0,1e-7,[],[[{}]]],\"t\":true,\"z\":null,\"o\":{\"x\":{\"y\":[1,\"2\"]}}}";

    private final FrameCodec codec = FrameCodec.shared();

    private static JsonObject json(String s) {
        return Json.createReader(new StringReader(s)).readObject();
    }

    @Test
    void aMessageKeepsItsDataWholeBesideOrInsteadOfText() throws FrameRejected {
        ClientFrame.Post both = (ClientFrame.Post) codec.decode("{\"type\":\"message\",\"room\":\"r1\",\"text\":\"hi\",\"data\":" + DATA + "}");
        assertEquals("hi", both.text());
        assertEquals(json(DATA), both.data().json());
        ClientFrame.Post only = (ClientFrame.Post) codec.decode("{\"type\":\"message\",\"room\":\"r1\",\"data\":" + DATA + "}");
        assertNull(only.text());
        assertEquals(json(DATA), only.data().json());
        ClientFrame.Direct direct = (ClientFrame.Direct) codec.decode("{\"type\":\"direct\",\"to\":\"bob\",\"data\":{\"a\":1}}");
        assertEquals(json("{\"a\":1}"), direct.data().json());
    }

    @Test
    void signalAndStateFramesCarryTheirObject() throws FrameRejected {
        assertEquals(new ClientFrame.Signal("r1", Payload.of(json("{\"x\":1,\"y\":2}")), "s"),
                codec.decode("{\"type\":\"signal\",\"room\":\"r1\",\"data\":{\"x\":1,\"y\":2},\"ref\":\"s\"}"));
        assertEquals(new ClientFrame.State("r1", Payload.of(json("{\"colour\":\"#f00\"}")), null),
                codec.decode("{\"type\":\"state\",\"room\":\"r1\",\"data\":{\"colour\":\"#f00\"}}"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"type\":\"message\",\"room\":\"r1\"}                        | missing field: text",
            "{\"type\":\"message\",\"room\":\"r1\",\"data\":[1]}           | field data must be a JSON object",
            "{\"type\":\"message\",\"room\":\"r1\",\"data\":\"x\"}         | field data must be a JSON object",
            "{\"type\":\"message\",\"room\":\"r1\",\"data\":{},\"text\":5} | field text must be a string",
            "{\"type\":\"signal\",\"room\":\"r1\"}                         | missing field: data",
            "{\"type\":\"signal\",\"room\":\"r1\",\"data\":null}           | missing field: data",
            "{\"type\":\"state\",\"room\":\"r1\",\"data\":7}               | field data must be a JSON object",
            "{\"type\":\"signal\",\"data\":{}}                             | missing field: room"})
    void badDataIsRefusedAsInvalidByName(String frame, String message) {
        FrameRejected e = assertThrows(FrameRejected.class, () -> codec.decode(frame));
        assertEquals(ErrorCode.INVALID, e.toFrame().code());
        assertEquals(message, e.toFrame().message());
    }

    @Test
    void serverFramesCarryTheObjectAsReceivedAndRoundTripExactly() {
        Payload data = Payload.of(json(DATA));
        RoomMessage m = new RoomMessage("r1", 3, "alice", "", Instant.EPOCH, "c1", data);
        JsonObject message = json(codec.encode(new ServerFrame.Message(m)));
        assertEquals(json(DATA), message.getJsonObject("data"));
        assertEquals("", message.getString("text"), "a data-only message has an empty text for v1 clients");
        assertEquals(json(DATA), Payload.parse(data.encoded()).json(), "the stored encoding reads back equal");
        assertEquals(json(DATA), json(codec.encode(new ServerFrame.Signal("r1", "alice", data))).getJsonObject("data"));

        JsonObject joined = json(codec.encode(new ServerFrame.Joined("r1", List.of("alice", "bob"),
                Map.of("alice", Payload.of(json("{\"c\":1}"))), List.of(m), "e", false, null)));
        assertEquals(json("{\"alice\":{\"c\":1}}"), joined.getJsonObject("state"));
        assertEquals(List.of("alice", "bob"), joined.getJsonArray("members").getValuesAs(jakarta.json.JsonString::getString));
        assertEquals(json(DATA), joined.getJsonArray("history").getJsonObject(0).getJsonObject("data"));
        assertEquals(json("{\"type\":\"presence\",\"room\":\"r1\",\"user\":\"alice\",\"event\":\"update\",\"data\":{\"c\":2}}"),
                json(codec.encode(new ServerFrame.Presence("r1", "alice", ServerFrame.Presence.UPDATE, Payload.of(json("{\"c\":2}"))))));
        assertEquals(json("{\"type\":\"presence\",\"room\":\"r1\",\"user\":\"alice\",\"event\":\"join\"}"),
                json(codec.encode(new ServerFrame.Presence("r1", "alice", ServerFrame.Presence.JOIN))));
    }
}
