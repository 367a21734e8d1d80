package dev.parley.history;

import dev.parley.message.ConversationId;
import dev.parley.message.DirectMessage;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The in-memory store keeps direct conversations and read state as the database store does. */
class InMemoryConversationsTest {

    private final Instant now = Instant.parse("2026-11-21T10:00:00Z");
    private final InMemoryMessageStore store = new InMemoryMessageStore(100, Duration.ofHours(24));

    private List<DirectMessage> send(String from, String to, int n) {
        return store.append(IntStream.rangeClosed(1, n)
                        .mapToObj(i -> (Draft) new Draft.ToUser(to, from, from + "-" + i, null, now)).toList())
                .stream().map(a -> (DirectMessage) a.message()).toList();
    }

    private static List<Long> seqs(List<DirectMessage> messages) {
        return messages.stream().map(DirectMessage::seq).toList();
    }

    @Test
    void eachPairOfUsersHasItsOwnSeqWhoeverWrites() {
        assertEquals(List.of(1L, 2L), seqs(send("alice", "bob", 2)));
        assertEquals(List.of(3L), seqs(send("bob", "alice", 1)));
        assertEquals(List.of(1L), seqs(send("alice", "carol", 1)));
        assertEquals(List.of("alice-1", "alice-2", "bob-1"),
                store.directPage("bob", "alice", null, 50).stream().map(DirectMessage::text).toList());
    }

    @Test
    void directHistoryPagesBackAndRecoversSinceLikeARoom() {
        send("alice", "bob", 10);
        assertEquals(List.of(7L, 8L, 9L), seqs(store.directPage("alice", "bob", 10L, 3)));
        DirectRecovery missed = store.directSince("bob", "alice", 6, 1000);
        assertEquals(List.of(7L, 8L, 9L, 10L), seqs(missed.messages()));
        assertFalse(missed.truncated());
        assertEquals(10, missed.head());
        DirectRecovery tooMany = store.directSince("bob", "alice", 0, 4);
        assertEquals(List.of(7L, 8L, 9L, 10L), seqs(tooMany.messages()));
        assertTrue(tooMany.truncated());
        assertEquals(List.of(), store.directPage("bob", "nobody", null, 50));
    }

    @Test
    void conversationsListRoomsJoinedAndDirectPartnersWithNewestAndReadSeq() {
        store.append(List.of(new Draft.ToRoom("r1", "carol", "before", null, now)));
        store.mark(List.of(new Mark.Enter("bob", "r1"), new Mark.Enter("bob", "lobby")));
        store.append(List.of(new Draft.ToRoom("r1", "carol", "after", null, now)));
        send("alice", "bob", 3);
        assertEquals(List.of(
                new Conversation(ConversationId.room("lobby"), 0, 0),
                new Conversation(ConversationId.room("r1"), 2, 1), // joined after the first: that one counts as read
                new Conversation(ConversationId.with("alice"), 3, 0)), store.conversations("bob"));
        assertEquals(List.of(new Conversation(ConversationId.with("bob"), 3, 3)), store.conversations("alice"),
                "your own messages are read");
    }

    @Test
    void readMovesOnlyForwardAndNeverBeyondTheNewestMessage() {
        send("alice", "bob", 5);
        ConversationId alice = ConversationId.with("alice");
        List<Marked> out = store.mark(List.of(new Mark.Read("bob", alice, 3), new Mark.Read("bob", alice, 2),
                new Mark.Read("bob", alice, 6), new Mark.Read("bob", ConversationId.with("nobody"), 1)));
        assertEquals(List.of(new Marked(Marked.Outcome.CHANGED, 3, 5), new Marked(Marked.Outcome.UNCHANGED, 3, 5),
                new Marked(Marked.Outcome.BEYOND, 3, 5), new Marked(Marked.Outcome.BEYOND, 0, 0)), out);
        assertEquals(List.of(new Conversation(alice, 5, 3)), store.conversations("bob"));
    }

    @Test
    void aRoomLeftIsForgottenAndARepliesMarkWhatCameBeforeAsRead() {
        store.mark(List.of(new Mark.Enter("bob", "r1")));
        store.append(List.of(new Draft.ToRoom("r1", "carol", "1", null, now), new Draft.ToRoom("r1", "carol", "2", null, now),
                new Draft.ToRoom("r1", "bob", "reply", null, now)));
        assertEquals(List.of(new Conversation(ConversationId.room("r1"), 3, 3)), store.conversations("bob"));
        assertEquals(List.of(new Marked(Marked.Outcome.CHANGED, 0, 0), new Marked(Marked.Outcome.UNCHANGED, 0, 0)),
                store.mark(List.of(new Mark.Forget("bob", "r1"), new Mark.Forget("bob", "r1"))));
        assertEquals(List.of(), store.conversations("bob"));
    }
}
