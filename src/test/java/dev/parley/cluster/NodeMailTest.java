package dev.parley.cluster;

import dev.parley.history.Draft;
import dev.parley.message.Payload;
import dev.parley.message.RoomMessage;
import jakarta.json.Json;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What nodes send each other comes out as it went in: drafts, stored messages with data, frames, room events. */
class NodeMailTest {

    private static final Instant TS = Instant.parse("2026-12-02T10:00:00.123Z");

    @Test
    void aDraftWithDataAndNoRefCrossesUnchanged() {
        Payload data = Payload.of(Json.createObjectBuilder().add("x", 1).add("s", "a\nb\"c").build());
        NodeMail mail = new NodeMail.Sequence("node-a", 42, new Draft.ToRoom("r1", "alice", "hi\nthere", null, TS, data));
        assertEquals(mail, NodeMail.decode(NodeMail.encode(mail)));
    }

    @Test
    void storedMessagesFailuresFramesAndReleasesCrossUnchanged() {
        List<NodeMail> mails = List.of(
                new NodeMail.Sequenced(7, new RoomMessage("r1", 99, "bob", "", TS, "ref-1",
                        Payload.of(Json.createObjectBuilder().add("k", "v").build())), true),
                new NodeMail.Sequenced(8, new RoomMessage("r1", 100, "bob", "text", TS, null), false),
                new NodeMail.Failed(9, "store unavailable"),
                new NodeMail.ToUsers(List.of("alice", "bob"), "{\"type\":\"direct\",\"text\":\"psst\"}"),
                new NodeMail.Release("carol"));
        for (NodeMail mail : mails) {
            assertEquals(mail, NodeMail.decode(NodeMail.encode(mail)));
        }
    }

    @Test
    void roomEventsCarryFramesWithNewlinesWhole() {
        String frame = "{\"type\":\"message\",\"text\":\"line 1\\nline 2\"}\n";
        assertEquals(new RoomEvent.Message(12, frame), RoomEvent.decode(RoomEvent.message(12, frame)));
        assertEquals(new RoomEvent.Presence("dave", "leave"), RoomEvent.decode(RoomEvent.presence("dave", "leave")));
        assertEquals(new RoomEvent.Typing("erin"), RoomEvent.decode(RoomEvent.typing("erin")));
    }
}
