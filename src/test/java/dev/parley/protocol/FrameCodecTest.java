package dev.parley.protocol;

import dev.parley.message.ConversationId;
import dev.parley.message.DirectMessage;
import dev.parley.message.RoomMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class FrameCodecTest {

    private final FrameCodec codec = FrameCodec.shared();

    @Test
    void decodesEveryClientFrameType() throws FrameRejected {
        assertEquals(new ClientFrame.Join("r1", 17L, null, "j"), codec.decode("{\"type\":\"join\",\"room\":\"r1\",\"since\":17,\"ref\":\"j\"}"));
        assertEquals(new ClientFrame.Leave("r1", null), codec.decode("{\"type\":\"leave\",\"room\":\"r1\"}"));
        assertEquals(new ClientFrame.Post("r1", "hi", "c-1"), codec.decode("{\"type\":\"message\",\"room\":\"r1\",\"text\":\"hi\",\"ref\":\"c-1\"}"));
        assertEquals(new ClientFrame.Typing("r1", null), codec.decode("{\"type\":\"typing\",\"room\":\"r1\"}"));
        assertEquals(new ClientFrame.Direct("bob", "psst", "c-2"), codec.decode("{\"type\":\"direct\",\"to\":\"bob\",\"text\":\"psst\",\"ref\":\"c-2\"}"));
        assertEquals(new ClientFrame.HistoryQuery("r1", 17L, 50, null), codec.decode("{\"type\":\"history\",\"room\":\"r1\",\"before\":17,\"limit\":50}"));
        assertEquals(new ClientFrame.HistoryQuery("r1", null, null, null), codec.decode("{\"type\":\"history\",\"room\":\"r1\"}"));
        assertEquals(new ClientFrame.ListRooms(null), codec.decode("{\"type\":\"rooms\"}"));
        assertEquals(new ClientFrame.Ping("p"), codec.decode(" \n{\"type\":\"ping\",\"ref\":\"p\",\"extra\":[1,{\"x\":2}]}"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Hello Server!", "nice!", "42 is the answer", "[afk] back soon", "", "   ", "\"unterminated",
            "[1,2]", "\"just a string\"", "42", "-1.5e3", "null", "true", " [{\"type\":\"ping\"}]"})
    void everyFrameThatDoesNotStartWithABraceIsAPlainMessageToTheDefaultRoom(String text) throws FrameRejected {
        assertEquals(new ClientFrame.Post(null, text, null), codec.decode(text));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{                                              | bad_json     |",
            "{\"type\":\"ping\"} {\"x\":1}                  | bad_json     |",
            "{\"type\":\"ping\"} trailing                   | bad_json     |",
            "{\"type\":\"ping\",\"type\":\"join\"}          | bad_json     |",
            "{}                                             | invalid      |",
            "{\"type\":7}                                   | invalid      |",
            "{\"type\":\"nope\",\"ref\":\"r9\"}             | unknown_type | r9",
            "{\"type\":\"join\",\"ref\":\"r1\"}             | invalid      | r1",
            "{\"type\":\"join\",\"room\":5}                 | invalid      |",
            "{\"type\":\"join\",\"room\":\"-bad\"}          | invalid      |",
            "{\"type\":\"join\",\"room\":\"a b\"}           | invalid      |",
            "{\"type\":\"join\",\"room\":\"r\",\"since\":-1} | invalid     |",
            "{\"type\":\"join\",\"room\":\"r\",\"since\":1.5} | invalid    |",
            "{\"type\":\"join\",\"room\":\"r\",\"since\":\"3\"} | invalid  |",
            "{\"type\":\"history\",\"room\":\"r\",\"limit\":101} | invalid |",
            "{\"type\":\"history\",\"room\":\"r\",\"limit\":0} | invalid   |",
            "{\"type\":\"history\",\"room\":\"r\",\"limit\":1e999999} | invalid |",
            "{\"type\":\"history\",\"room\":\"r\",\"before\":1e-999999} | invalid |",
            "{\"type\":\"message\",\"room\":\"r\",\"ref\":\"x\"} | invalid  | x",
            "{\"type\":\"message\",\"room\":\"r\",\"text\":[\"hi\"]} | invalid |",
            "{\"type\":\"message\",\"room\":\"r\",\"text\":{\"a\":1}} | invalid |",
            "{\"type\":\"ping\",\"extra\":[1,,2]}          | bad_json     |",
            "{\"type\":\"message\",\"room\":\"r\",\"text\":\"\\ud800\",\"ref\":\"s\"} | invalid | s",
            "{\"type\":\"message\",\"room\":\"r\",\"text\":\"x\",\"ref\":\"\"} | invalid |",
            "{\"type\":\"message\",\"room\":\"r\",\"text\":\"x\",\"ref\":42} | invalid |",
            "{\"type\":\"direct\",\"to\":\"no spaces\",\"text\":\"x\"} | invalid |",
    })
    void refusesBadFramesWithTheRightCodeAndTheirRef(String frame, String code, String ref) {
        FrameRejected e = assertThrows(FrameRejected.class, () -> codec.decode(frame));
        assertEquals(code, e.code().wire(), e::getMessage);
        assertEquals(ref, e.ref());
    }

    @Test
    void aByteOrderMarkBeforeTheBraceIsIgnored() throws FrameRejected {
        assertEquals(new ClientFrame.Ping("p"), codec.decode("\uFEFF{\"type\":\"ping\",\"ref\":\"p\"}"));
        assertEquals(new ClientFrame.Ping(null), codec.decode("\uFEFF \n{\"type\":\"ping\"}"));
        assertEquals(new ClientFrame.Post(null, "hello", null), codec.decode("\uFEFFhello"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"type\":\"history\",\"room\":\"r\",\"limit\":DIGITS}  | field limit must be an integer from 1 to 100",
            "{\"type\":\"history\",\"room\":\"r\",\"before\":-DIGITS} | field before must be an integer from 1",
            "{\"type\":\"join\",\"room\":\"r\",\"since\":0.DIGITS}    | field since must be an integer from 0",
            "{\"type\":\"message\",\"room\":\"r\",\"text\":DIGITS}    | field text must be a string",
    })
    void aNumberOfFiftyThousandDigitsIsRefusedAsInvalidNamingItsField(String template, String message) {
        String frame = template.replace("DIGITS", "9".repeat(50_000));
        FrameRejected e = assertThrows(FrameRejected.class, () -> codec.decode(frame));
        assertEquals(ErrorCode.INVALID, e.code(), e::getMessage);
        assertEquals(message, e.getMessage());
    }

    @Test
    void aLongNumberInAFieldNobodyReadsIsIgnoredLikeAnyOtherUnknownField() throws FrameRejected {
        assertEquals(new ClientFrame.Ping(null), codec.decode("{\"type\":\"ping\",\"x\":" + "9".repeat(50_000)
                + ",\"y\":[{\"z\":-" + "1".repeat(50_000) + "}]}"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"type\":\"ping\",}               | not valid JSON at character 16: unexpected '}', expected a string",
            "{\"type\":\"ping\" \"ref\":\"x\"}    | not valid JSON at character 20: unexpected a string, expected ','",
            "{\"type\":pong}                    | not valid JSON at character 9: unexpected 'p'",
            "{\"type\":\"ping\"}}               | not valid JSON at character 16: unexpected data after the JSON object",
            "{\"type\":\"ping\"} {\"x\":1}        | not valid JSON at character 17: unexpected data after the JSON object",
            "{\"type\":\"ping\",\"a\":[1,]}       | not valid JSON at character 23: unexpected ']', expected a value",
            "{\"type\":\"pi                      | not valid JSON: the text ends before the object is complete",
            "{                                | not valid JSON: the text ends before the object is complete",
    })
    void badJsonIsExplainedInTheClientsTermsWithoutParserInternals(String frame, String message) {
        FrameRejected e = assertThrows(FrameRejected.class, () -> codec.decode(frame));
        assertEquals(ErrorCode.BAD_JSON, e.code());
        assertEquals(message, e.getMessage());
    }

    @Test
    void refusesTenThousandCharacterNamesAndRefs() {
        String huge = "a".repeat(10_000);
        assertEquals(ErrorCode.INVALID, assertThrows(FrameRejected.class,
                () -> codec.decode("{\"type\":\"join\",\"room\":\"" + huge + "\"}")).code());
        assertEquals(ErrorCode.INVALID, assertThrows(FrameRejected.class,
                () -> codec.decode("{\"type\":\"direct\",\"to\":\"" + huge + "\",\"text\":\"x\"}")).code());
        FrameRejected longRef = assertThrows(FrameRejected.class,
                () -> codec.decode("{\"type\":\"ping\",\"ref\":\"" + huge + "\"}"));
        assertNull(longRef.ref(), "a ref that is itself invalid is not echoed");
    }

    @Test
    void refusesDeepNestingWithoutBlowingTheStack() {
        String deep = "{\"type\":\"ping\",\"x\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}";
        FrameRejected e = assertThrows(FrameRejected.class, () -> codec.decode(deep));
        assertEquals(ErrorCode.BAD_JSON, e.code());
        assertEquals("not valid JSON: nested too deeply", e.getMessage());
    }

    @Test
    void encodesServerFramesWithMillisecondTimestampsAndNoNullFields() {
        RoomMessage m = new RoomMessage("r1", 17, "alice", "hi \"there\" <b>", Instant.parse("2026-11-21T10:00:00Z"), "c-1");
        assertEquals("{\"type\":\"message\",\"room\":\"r1\",\"seq\":17,\"from\":\"alice\",\"text\":\"hi \\\"there\\\" <b>\","
                + "\"ts\":\"2026-11-21T10:00:00.000Z\",\"ref\":\"c-1\"}", codec.encode(new ServerFrame.Message(m)));
        assertEquals("{\"type\":\"ack\",\"ref\":\"c-1\",\"room\":\"r1\",\"seq\":17}", codec.encode(new ServerFrame.Ack("c-1", "r1", 17L, null)));
        assertEquals("{\"type\":\"ack\",\"to\":\"bob\"}", codec.encode(new ServerFrame.Ack(null, null, null, "bob")));
        assertEquals("{\"type\":\"welcome\",\"user\":\"alice\",\"session\":\"s1\",\"protocol\":1,\"rooms\":[\"lobby\"]}",
                codec.encode(new ServerFrame.Welcome("alice", "s1", 1, List.of("lobby"))));
        assertEquals("{\"type\":\"joined\",\"room\":\"r1\",\"members\":[\"alice\",\"bob\"],\"history\":[],\"epoch\":\"e\"}",
                codec.encode(new ServerFrame.Joined("r1", List.of("alice", "bob"), List.of(), "e", false, null)));
        assertEquals("{\"type\":\"error\",\"code\":\"not_member\",\"message\":\"no\",\"ref\":\"x\"}",
                codec.encode(new ServerFrame.Error(ErrorCode.NOT_MEMBER, "no", "x")));
        assertEquals("{\"type\":\"direct\",\"id\":3,\"from\":\"a\",\"to\":\"b\",\"text\":\"t\",\"ts\":\"2026-11-21T10:00:00.123Z\"}",
                codec.encode(new ServerFrame.Direct(new DirectMessage(3, 0, "a", "b", "t", Instant.parse("2026-11-21T10:00:00.123Z"), null))));
        assertEquals("{\"type\":\"rooms\",\"rooms\":[{\"name\":\"lobby\",\"members\":3}]}",
                codec.encode(new ServerFrame.Rooms(List.of(new ServerFrame.RoomInfo("lobby", 3)), null)));
    }

    @Test
    void decodesConversationFrames() throws FrameRejected {
        assertEquals(new ClientFrame.DirectHistoryQuery("bob", 7L, null, 20, "h"),
                codec.decode("{\"type\":\"history\",\"with\":\"bob\",\"before\":7,\"limit\":20,\"ref\":\"h\"}"));
        assertEquals(new ClientFrame.DirectHistoryQuery("bob", null, 0L, null, null),
                codec.decode("{\"type\":\"history\",\"with\":\"bob\",\"since\":0}"));
        assertEquals(new ClientFrame.HistoryQuery("r1", null, 5L, null, null),
                codec.decode("{\"type\":\"history\",\"room\":\"r1\",\"since\":5}"));
        assertEquals(new ClientFrame.ListConversations("c"), codec.decode("{\"type\":\"conversations\",\"ref\":\"c\"}"));
        assertEquals(new ClientFrame.Read(ConversationId.room("r1"), 42, "r"),
                codec.decode("{\"type\":\"read\",\"room\":\"r1\",\"seq\":42,\"ref\":\"r\"}"));
        assertEquals(new ClientFrame.Read(ConversationId.with("bob"), 7, null), codec.decode("{\"type\":\"read\",\"with\":\"bob\",\"seq\":7}"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"type\":\"read\",\"seq\":1,\"ref\":\"x\"}|give room or with (a user), exactly one of them",
            "{\"type\":\"read\",\"room\":\"r1\",\"with\":\"bob\",\"seq\":1,\"ref\":\"x\"}|give room or with (a user), exactly one of them",
            "{\"type\":\"read\",\"room\":\"r1\",\"ref\":\"x\"}|missing field: seq",
            "{\"type\":\"read\",\"room\":\"r1\",\"seq\":0,\"ref\":\"x\"}|field seq must be an integer from 1",
            "{\"type\":\"read\",\"room\":\"r1\",\"seq\":1.5,\"ref\":\"x\"}|field seq must be an integer from 1",
            "{\"type\":\"read\",\"room\":\"r1\",\"seq\":\"7\",\"ref\":\"x\"}|field seq must be an integer from 1",
            "{\"type\":\"read\",\"with\":\"no body\",\"seq\":1,\"ref\":\"x\"}|field with must be 1-32 characters of A-Za-z0-9_.-",
            "{\"type\":\"history\",\"with\":\"bob\",\"before\":3,\"since\":1,\"ref\":\"x\"}|give before (page back) or since (recovery), not both",
            "{\"type\":\"history\",\"with\":\"bob\",\"since\":-1,\"ref\":\"x\"}|field since must be an integer from 0",
    })
    void refusesBadConversationFramesAsInvalidWithTheirRef(String frame, String message) {
        FrameRejected e = assertThrows(FrameRejected.class, () -> codec.decode(frame));
        assertEquals(ErrorCode.INVALID, e.code());
        assertEquals(message, e.getMessage());
        assertEquals("x", e.ref());
    }

    @Test
    void encodesConversationFrames() {
        DirectMessage d = new DirectMessage(42, 7, "alice", "bob", "psst", Instant.parse("2026-11-21T10:00:01.007Z"), "c-2");
        assertEquals("{\"type\":\"direct\",\"id\":42,\"seq\":7,\"from\":\"alice\",\"to\":\"bob\",\"text\":\"psst\","
                + "\"ts\":\"2026-11-21T10:00:01.007Z\",\"ref\":\"c-2\"}", codec.encode(new ServerFrame.Direct(d)));
        assertEquals("{\"type\":\"ack\",\"ref\":\"c-2\",\"seq\":7,\"to\":\"bob\"}", codec.encode(new ServerFrame.Ack("c-2", null, 7L, "bob")));
        assertEquals("{\"type\":\"history\",\"with\":\"bob\",\"messages\":[{\"type\":\"direct\",\"id\":42,\"seq\":7,\"from\":\"alice\","
                        + "\"to\":\"bob\",\"text\":\"psst\",\"ts\":\"2026-11-21T10:00:01.007Z\",\"ref\":\"c-2\"}],\"truncated\":true,\"ref\":\"h\"}",
                codec.encode(new ServerFrame.DirectHistory("bob", List.of(d), true, "h")));
        assertEquals("{\"type\":\"conversations\",\"epoch\":\"e\",\"rooms\":[{\"room\":\"lobby\",\"seq\":120,\"read\":118}],"
                        + "\"direct\":[{\"with\":\"bob\",\"seq\":7,\"read\":5,\"online\":true}]}",
                codec.encode(new ServerFrame.Conversations("e",
                        List.of(new ServerFrame.ConversationInfo(ConversationId.room("lobby"), 120, 118, null)),
                        List.of(new ServerFrame.ConversationInfo(ConversationId.with("bob"), 7, 5, true)), null)));
        assertEquals("{\"type\":\"read\",\"room\":\"r1\",\"seq\":42,\"ref\":\"r\"}",
                codec.encode(new ServerFrame.ReadState(ConversationId.room("r1"), 42, "r")));
        assertEquals("{\"type\":\"read\",\"with\":\"bob\",\"seq\":7}", codec.encode(new ServerFrame.ReadState(ConversationId.with("bob"), 7, null)));
    }

    @Test
    void decodesAMembersRequestAndEncodesThePresenceFramesOfLargeRooms() throws FrameRejected {
        assertEquals(new ClientFrame.Members("lobby", "bob", 100, "m1"),
                codec.decode("{\"type\":\"members\",\"room\":\"lobby\",\"after\":\"bob\",\"limit\":100,\"ref\":\"m1\"}"));
        assertEquals(new ClientFrame.Members("lobby", null, null, null), codec.decode("{\"type\":\"members\",\"room\":\"lobby\"}"));
        assertThrows(FrameRejected.class, () -> codec.decode("{\"type\":\"members\",\"room\":\"lobby\",\"limit\":1001}"));
        assertThrows(FrameRejected.class, () -> codec.decode("{\"type\":\"members\",\"room\":\"lobby\",\"after\":\"no spaces\"}"));
        assertEquals("{\"type\":\"welcome\",\"user\":\"alice\",\"session\":\"s1\",\"protocol\":1,\"rooms\":[],\"features\":[\"presence-diff\"]}",
                codec.encode(new ServerFrame.Welcome("alice", "s1", 1, List.of(), List.of("presence-diff"))));
        assertEquals("{\"type\":\"joined\",\"room\":\"r1\",\"members\":[\"alice\"],\"count\":5000,\"history\":[],\"epoch\":\"e\"}",
                codec.encode(new ServerFrame.Joined("r1", List.of("alice"), java.util.Map.of(), List.of(), "e", false, null, 5000)));
        assertEquals("{\"type\":\"presence_diff\",\"room\":\"r1\",\"joins\":[\"a\"],\"leaves\":[\"b\"],\"count\":3}",
                codec.encode(new ServerFrame.PresenceDiff("r1", List.of("a"), List.of("b"), null, java.util.Map.of(), 3)));
        assertEquals("{\"type\":\"presence_diff\",\"room\":\"r1\",\"count\":5000}",
                codec.encode(new ServerFrame.PresenceDiff("r1", List.of(), List.of(), null, java.util.Map.of(), 5000)));
        assertEquals("{\"type\":\"members\",\"room\":\"r1\",\"members\":[\"c\",\"d\"],\"count\":9,\"next\":\"d\",\"ref\":\"m\"}",
                codec.encode(new ServerFrame.Members("r1", List.of("c", "d"), java.util.Map.of(), 9, "d", "m")));
    }
}
