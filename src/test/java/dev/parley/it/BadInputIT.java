package dev.parley.it;

import dev.parley.it.support.Deployments;
import dev.parley.it.support.Servers;
import dev.parley.it.support.RawClient;
import dev.parley.it.support.TestClient;
import jakarta.json.JsonObject;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad input of every kind gets its error frame or close code, and loses nothing: the same connection
 * (where it stays open) and every other connection keep working.
 */
@ExtendWith(ArquillianExtension.class)
@Timeout(90)
class BadInputIT {

    private static final Duration CLOSE_WAIT = Duration.ofSeconds(10);

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.parley();
    }

    @ArquillianResource
    URL base;

    private int refs;

    private TestClient connect(String name, String room) {
        TestClient c = TestClient.named(base, name);
        c.expect("joined");
        // Only departures matter here: drop the lobby's traffic and every presence join.
        c.ignore(f -> "lobby".equals(f.getString("room", null)) || "join".equals(f.getString("event", null)));
        c.join(room);
        return c;
    }

    /** {@code from} can still chat in {@code room}, and {@code watcher} sees it. */
    private void stillChats(TestClient from, TestClient watcher, String room, String text) {
        String ref = "ok-" + (++refs); // a new ref each time: a repeated one is (rightly) acked without a broadcast
        from.send("{\"type\":\"message\",\"room\":\"" + room + "\",\"text\":\"" + text + "\",\"ref\":\"" + ref + "\"}");
        assertEquals(text, from.expect("message").getString("text"));
        assertEquals(ref, from.expect("ack").getString("ref"));
        JsonObject seen = watcher.await("message");
        assertEquals(text, seen.getString("text"));
    }

    /** Sends each frame and expects, in order, one error with the given code (and ref when one is given). */
    private static void expectErrors(TestClient c, String[][] cases) {
        List<String> failures = new ArrayList<>();
        for (String[] kase : cases) {
            c.send(kase[0]);
            JsonObject error = c.expect("error");
            String wantRef = kase.length > 2 ? kase[2] : null;
            if (!kase[1].equals(error.getString("code")) || (wantRef != null && !wantRef.equals(error.getString("ref", null)))) {
                failures.add(kase[0] + " -> " + error);
            }
            assertTrue(error.getString("message").length() > 3, error::toString);
        }
        assertEquals(List.of(), failures);
    }

    @Test
    void malformedJsonGetsBadJsonExplainedWithoutParserInternals() {
        try (TestClient bad = connect("bj-bad", "bj-room"); TestClient watcher = connect("bj-watch", "bj-room")) {
            expectErrors(bad, new String[][]{
                    {"{", "bad_json"},
                    {"{\"type\":\"message\",\"room\":\"bj-room\",\"text\":\"unterminated}", "bad_json"},
                    {"{\"type\":\"ping\"} {\"type\":\"ping\"}", "bad_json"},
                    {"{\"type\":\"ping\",\"type\":\"leave\"}", "bad_json"},
                    {"{'type':'ping'}", "bad_json"},
                    {"{\"type\":\"ping\",\"x\":" + "[".repeat(20_000) + "]".repeat(20_000) + "}", "bad_json"},
            });
            bad.send("{\"type\":\"ping\",}");
            String explained = bad.expect("error").getString("message");
            if (Servers.current() == Servers.TOMEE) {
                // Johnzon (TomEE's JSON-P) reports no position; the explanation stays free of parser internals.
                assertTrue(explained.startsWith("not valid JSON") && !explained.contains("token") && !explained.contains("Exception"),
                        explained);
            } else {
                assertEquals("not valid JSON at character 16: unexpected '}', expected a string", explained);
            }
            stillChats(bad, watcher, "bj-room", "still here");
        }
    }

    @Test
    void jsonThatIsNotAnObjectIsAPlainMessageToTheDefaultRoom() {
        try (TestClient sender = TestClient.named(base, "nj-send"); TestClient watcher = TestClient.named(base, "nj-watch")) {
            sender.expect("joined");
            watcher.expect("joined");
            watcher.ignore(f -> "presence".equals(f.getString("type")));
            for (String text : List.of("[1,2]", "\"just a string\"", "42", "null", "[{\"type\":\"ping\"}]")) {
                sender.send(text);
                JsonObject seen = watcher.await("message");
                assertEquals(List.of("lobby", "nj-send", text),
                        List.of(seen.getString("room"), seen.getString("from"), seen.getString("text")));
            }
        }
    }

    @Test
    void aByteOrderMarkBeforeTheBraceLeavesTheFrameJson() {
        try (TestClient c = connect("bom", "bom-room")) {
            c.send("\uFEFF{\"type\":\"ping\",\"ref\":\"b1\"}");
            assertEquals("b1", c.expect("pong").getString("ref"));
        }
    }

    @Test
    void unknownTypesMissingFieldsAndWrongTypesGetTheirCodeAndRef() {
        try (TestClient bad = connect("ut-bad", "ut-room"); TestClient watcher = connect("ut-watch", "ut-room")) {
            String huge = "n".repeat(10_000);
            expectErrors(bad, new String[][]{
                    {"{\"type\":\"teleport\",\"ref\":\"u1\"}", "unknown_type", "u1"},
                    {"{\"type\":\"\"}", "unknown_type"},
                    {"{}", "invalid"},
                    {"{\"ref\":\"u2\"}", "invalid", "u2"},
                    {"{\"type\":[\"join\"]}", "invalid"},
                    {"{\"type\":\"join\",\"ref\":\"u3\"}", "invalid", "u3"},
                    {"{\"type\":\"join\",\"room\":null}", "invalid"},
                    {"{\"type\":\"join\",\"room\":42}", "invalid"},
                    {"{\"type\":\"join\",\"room\":\"has space\"}", "invalid"},
                    {"{\"type\":\"join\",\"room\":\"" + huge + "\",\"ref\":\"u4\"}", "invalid", "u4"},
                    {"{\"type\":\"join\",\"room\":\"ut-room\",\"since\":\"17\"}", "invalid"},
                    {"{\"type\":\"join\",\"room\":\"ut-room\",\"since\":-5}", "invalid"},
                    {"{\"type\":\"message\",\"room\":\"ut-room\"}", "invalid"},
                    {"{\"type\":\"message\",\"room\":\"ut-room\",\"text\":{\"a\":1},\"ref\":\"u5\"}", "invalid", "u5"},
                    {"{\"type\":\"message\",\"room\":\"ut-room\",\"text\":\"hi\",\"ref\":17}", "invalid"},
                    {"{\"type\":\"message\",\"room\":\"ut-room\",\"text\":\"hi\",\"ref\":\"" + "r".repeat(65) + "\"}", "invalid"},
                    {"{\"type\":\"message\",\"room\":\"ut-room\",\"text\":\"\",\"ref\":\"u6\"}", "invalid", "u6"},
                    {"{\"type\":\"message\",\"room\":\"ut-room\",\"text\":\"   \"}", "invalid"},
                    {"{\"type\":\"message\",\"room\":\"ut-room\",\"text\":\"\u00a0\",\"ref\":\"b1\"}", "invalid", "b1"},
                    {"{\"type\":\"message\",\"room\":\"ut-room\",\"text\":\"\\u200b\",\"ref\":\"b2\"}", "invalid", "b2"},
                    {"{\"type\":\"message\",\"room\":\"ut-room\",\"text\":\"\u2028\",\"ref\":\"b3\"}", "invalid", "b3"},
                    {"{\"type\":\"direct\",\"to\":\"ut-watch\",\"text\":\"\u00a0\\u200b\",\"ref\":\"b4\"}", "invalid", "b4"},
                    {"{\"type\":\"history\",\"room\":\"ut-room\",\"limit\":" + "9".repeat(50_000) + ",\"ref\":\"n1\"}", "invalid", "n1"},
                    {"{\"type\":\"direct\",\"to\":\"" + huge + "\",\"text\":\"hi\",\"ref\":\"u7\"}", "invalid", "u7"},
                    {"{\"type\":\"direct\",\"to\":true,\"text\":\"hi\"}", "invalid"},
                    {"{\"type\":\"history\",\"room\":\"ut-room\",\"limit\":101}", "invalid"},
                    {"{\"type\":\"history\",\"room\":\"ut-room\",\"limit\":1e400}", "invalid"},
                    {"{\"type\":\"history\",\"room\":\"ut-room\",\"before\":0.5}", "invalid"},
            });
            stillChats(bad, watcher, "ut-room", "still chatting");
        }
    }

    @Test
    void unpairedSurrogatesAreInvalidAndInvalidUtf8ClosesWith1007() {
        try (TestClient bad = connect("u8-bad", "u8-room"); TestClient watcher = connect("u8-watch", "u8-room")) {
            expectErrors(bad, new String[][]{
                    {"{\"type\":\"message\",\"room\":\"u8-room\",\"text\":\"\\ud800 alone\",\"ref\":\"s1\"}", "invalid", "s1"},
                    {"{\"type\":\"message\",\"room\":\"u8-room\",\"text\":\"\\udc00\"}", "invalid"},
                    {"{\"type\":\"direct\",\"to\":\"u8-watch\",\"text\":\"x\\ud83d\",\"ref\":\"s2\"}", "invalid", "s2"},
            });
            stillChats(bad, watcher, "u8-room", "\uD83D\uDE00 paired is fine");

            try (RawClient raw = RawClient.connect(Deployments.chat(base, "name=u8-raw"), null)) {
                raw.sendTextBytes(new byte[]{'{', '"', (byte) 0xC3, (byte) 0x28, (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"', '}'});
                RawClient.Frame f;
                do {
                    f = raw.next(CLOSE_WAIT);
                } while (f != null && f.opcode() != RawClient.Frame.CLOSE);
                assertEquals(1007, f == null ? -1 : f.closeCode(), "a close frame with 1007");
            }
            stillChats(watcher, bad, "u8-room", "others unaffected");
        }
    }

    @Test
    void messagesOverTheTextLimitAreTooLongAndTheLimitItselfIsFine() {
        try (TestClient bad = connect("tl-bad", "tl-room"); TestClient watcher = connect("tl-watch", "tl-room")) {
            expectErrors(bad, new String[][]{
                    {"{\"type\":\"message\",\"room\":\"tl-room\",\"text\":\"" + "a".repeat(4001) + "\",\"ref\":\"t1\"}", "too_long", "t1"},
                    {"{\"type\":\"direct\",\"to\":\"tl-watch\",\"text\":\"" + "a".repeat(4001) + "\",\"ref\":\"t2\"}", "too_long", "t2"},
                    {"{\"type\":\"message\",\"room\":\"tl-room\",\"text\":\"" + "a".repeat(60_000) + "\"}", "too_long"},
            });
            stillChats(bad, watcher, "tl-room", "a".repeat(4000));
            stillChats(bad, watcher, "tl-room", "\uD83D\uDE00".repeat(4000)); // 4,000 characters, 8,000 UTF-16 units
        }
    }

    @Test
    void framesForRoomsYouHaveNotJoinedAreNotMember() {
        try (TestClient bad = connect("nm-bad", "nm-room"); TestClient watcher = connect("nm-watch", "nm-other")) {
            expectErrors(bad, new String[][]{
                    {"{\"type\":\"message\",\"room\":\"nm-other\",\"text\":\"sneak\",\"ref\":\"n1\"}", "not_member", "n1"},
                    {"{\"type\":\"typing\",\"room\":\"nm-other\",\"ref\":\"n2\"}", "not_member", "n2"},
                    {"{\"type\":\"history\",\"room\":\"nm-other\",\"ref\":\"n3\"}", "not_member", "n3"},
                    {"{\"type\":\"leave\",\"room\":\"nm-other\",\"ref\":\"n4\"}", "not_member", "n4"},
            });
            watcher.send("{\"type\":\"ping\",\"ref\":\"w\"}");
            assertEquals("pong", watcher.expect("pong").getString("type"), "the room saw none of it");
        }
    }

    @Test
    void invalidNamesAreClosedWith1008AndHugeOnesRefusedAtTheHandshake() {
        try (TestClient watcher = connect("in-watch", "in-room")) {
            for (String name : List.of("x".repeat(33), "has%20space", "semi;colon", "%C3%A9t%C3%A9", "")) {
                try (TestClient c = TestClient.connect(Deployments.chat(base, "name=" + name), "chat")) {
                    TestClient.Closed closed = c.awaitClose(CLOSE_WAIT);
                    assertEquals(1008, closed.code(), name);
                    assertEquals("invalid name", closed.reason());
                }
            }
            // 10,000 characters do not fit the HTTP request line: the container refuses the upgrade itself.
            int status = TestClient.refusedHandshakeStatus(null, Deployments.chat(base, "name=" + "x".repeat(10_000)), "chat");
            assertTrue(status >= 400 && status < 500, "HTTP " + status);
            try (TestClient ok = connect("in-ok", "in-room")) {
                stillChats(ok, watcher, "in-room", "names checked");
            }
        }
    }

    @Test
    void binaryFramesCloseWith1003() {
        try (TestClient bad = connect("bin-bad", "bin-room"); TestClient watcher = connect("bin-watch", "bin-room")) {
            bad.sendBinary(new byte[]{1, 2, 3});
            TestClient.Closed closed = bad.awaitClose(CLOSE_WAIT);
            assertEquals(1003, closed.code());
            assertEquals("binary frames are not supported", closed.reason());
            JsonObject gone = watcher.await("presence");
            assertEquals("bin-bad", gone.getString("user"));
            assertEquals("leave", gone.getString("event"));
            try (TestClient again = connect("bin-bad", "bin-room")) {
                stillChats(again, watcher, "bin-room", "back again");
            }
        }
    }

    @Test
    void framesOver64KiBCloseWith1009() {
        try (TestClient watcher = connect("big-watch", "big-room")) {
            for (int size : List.of(64 * 1024 + 1, 1024 * 1024)) {
                try (TestClient bad = connect("big-bad", "big-room")) {
                    String frame = "{\"type\":\"message\",\"room\":\"big-room\",\"text\":\""
                            + "b".repeat(size) + "\"}";
                    bad.trySend(frame); // the server may close before the whole frame is written
                    assertEquals(1009, bad.awaitClose(CLOSE_WAIT).code(), "frame of " + frame.getBytes(StandardCharsets.UTF_8).length + " bytes");
                }
                assertEquals("leave", watcher.await("presence").getString("event"));
            }
            try (TestClient ok = connect("big-ok", "big-room")) {
                ok.send("{\"type\":\"message\",\"room\":\"big-room\",\"text\":\"" + "b".repeat(60_000) + "\",\"ref\":\"fits\"}");
                JsonObject error = ok.expect("error");
                assertEquals("too_long", error.getString("code"), "a 60 KB frame is read and answered, not closed");
                stillChats(ok, watcher, "big-room", "after the big ones");
            }
        }
    }
}
