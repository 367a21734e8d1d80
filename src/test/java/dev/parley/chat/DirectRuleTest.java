package dev.parley.chat;

import dev.parley.config.Settings;
import dev.parley.security.SecuritySettings;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.StringReader;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The shared-room rule for direct messages (issue 15): only joins and leaves that happened count, so a
 * {@code leave} of a room one was never in neither opens direct messages to its members nor tells who was there.
 */
@Timeout(30)
class DirectRuleTest {

    private final InMemoryServer server;

    DirectRuleTest() {
        Settings d = Settings.defaults();
        Settings noDefaultRoom = new Settings(null, d.maxTextChars(), d.maxFrameBytes(), d.outboxMaxBytes(), d.closeGrace(),
                d.typingInterval(), d.joinHistory(), d.recoveryLimit(), d.idempotencyWindow(), d.sequencerCapacity(),
                d.sequencerBatch(), d.memoryRetained(), d.outboxMaxLag(), d.outboxHardMaxBytes());
        server = new InMemoryServer(noDefaultRoom, SecuritySettings.defaults());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void aLeaveOfARoomNeverJoinedDoesNotOpenDirectMessagesToItsMembers() throws Exception {
        InMemoryServer.Connection boss = connect("boss");
        assertEquals("joined", answer(boss, "{\"type\":\"join\",\"room\":\"board-x\",\"ref\":\"j\"}").getString("type"));
        server.connections.closed(boss.peer());

        InMemoryServer.Connection eve = connect("eve");
        assertEquals("forbidden", outcome(answer(eve, direct("boss", "d1"))));
        assertEquals("not_member", outcome(answer(eve, "{\"type\":\"leave\",\"room\":\"board-x\",\"ref\":\"l\"}")));
        assertEquals("forbidden", outcome(answer(eve, direct("boss", "d2"))), "the refused leave opened the rule");
    }

    @Test
    void aRealJoinAndLeaveOfTheSameRoomStillLetsThemWrite() throws Exception {
        InMemoryServer.Connection boss = connect("boss");
        answer(boss, "{\"type\":\"join\",\"room\":\"board-y\",\"ref\":\"j\"}");
        server.connections.closed(boss.peer());

        InMemoryServer.Connection eve = connect("eve");
        assertEquals("joined", answer(eve, "{\"type\":\"join\",\"room\":\"board-y\",\"ref\":\"j\"}").getString("type"));
        assertEquals("left", answer(eve, "{\"type\":\"leave\",\"room\":\"board-y\",\"ref\":\"l\"}").getString("type"));
        assertEquals("ack", answer(eve, direct("boss", "d3")).getString("type"), "both were in board-y within the window");
    }

    private InMemoryServer.Connection connect(String name) {
        InMemoryServer.Connection c = server.connect(Map.of("name", List.of(name)), List.of("chat"));
        InMemoryServer.drained(c);
        return c;
    }

    /** The error code of an answer, or its type when it is not an error ("ack", "joined", ...). */
    private static String outcome(JsonObject answer) {
        return answer.getString("code", answer.getString("type"));
    }

    private static String direct(String to, String ref) {
        return "{\"type\":\"direct\",\"to\":\"" + to + "\",\"text\":\"hi\",\"ref\":\"" + ref + "\"}";
    }

    /** Sends one frame through the real decoder and router, and returns the answer (ack, error, joined, left) with its ref. */
    private JsonObject answer(InMemoryServer.Connection c, String frame) throws Exception {
        String ref = Json.createReader(new StringReader(frame)).readObject().getString("ref");
        int mark = c.transport().count();
        server.router.handle(c.peer(), dev.parley.protocol.FrameCodec.shared().decode(frame));
        server.flush();
        InMemoryServer.drained(c);
        for (String sent : c.transport().since(mark)) {
            JsonObject f = Json.createReader(new StringReader(sent)).readObject();
            boolean copy = "direct".equals(f.getString("type")); // the sender's own copy comes before the ack
            if (!copy && ref.equals(f.getString("ref", null))) {
                return f;
            }
        }
        throw new AssertionError("no answer with ref " + ref + " among " + c.transport().since(mark));
    }
}
