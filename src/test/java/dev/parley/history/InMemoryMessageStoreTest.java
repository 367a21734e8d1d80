package dev.parley.history;

import dev.parley.message.RoomMessage;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InMemoryMessageStoreTest {

    private final Instant now = Instant.parse("2026-11-21T10:00:00Z");

    private static List<Long> seqs(List<RoomMessage> messages) {
        return messages.stream().map(RoomMessage::seq).toList();
    }

    private void fill(InMemoryMessageStore store, String room, int n) {
        store.append(IntStream.rangeClosed(1, n)
                .mapToObj(i -> (Draft) new Draft.ToRoom(room, "alice", "m" + i, null, now)).toList());
    }

    @Test
    void seqIsPerRoomAndStrictlyIncreasing() {
        InMemoryMessageStore store = new InMemoryMessageStore(100, Duration.ofHours(24));
        List<Appended> out = store.append(List.of(
                new Draft.ToRoom("a", "alice", "1", null, now),
                new Draft.ToRoom("b", "alice", "1", null, now),
                new Draft.ToRoom("a", "alice", "2", null, now)));
        assertEquals(List.of(1L, 1L, 2L), out.stream().map(x -> ((RoomMessage) x.message()).seq()).toList());
    }

    @Test
    void aRepeatedRefWithinTheWindowReturnsTheOriginal() {
        InMemoryMessageStore store = new InMemoryMessageStore(100, Duration.ofHours(24));
        Appended first = store.append(List.of(new Draft.ToRoom("a", "alice", "hi", "r1", now))).get(0);
        Appended again = store.append(List.of(new Draft.ToRoom("a", "alice", "hi", "r1", now.plusSeconds(60)))).get(0);
        assertTrue(again.duplicate());
        assertEquals(first.message(), again.message());
        Appended otherSender = store.append(List.of(new Draft.ToRoom("a", "bob", "hi", "r1", now))).get(0);
        assertFalse(otherSender.duplicate());
        Appended late = store.append(List.of(new Draft.ToRoom("a", "alice", "hi", "r1", now.plus(Duration.ofHours(25))))).get(0);
        assertFalse(late.duplicate(), "refs expire after the window");
        assertEquals(List.of(1L, 2L, 3L), seqs(store.page("a", null, 10)));
    }

    @Test
    void pagesGoBackwardsOldestFirst() {
        InMemoryMessageStore store = new InMemoryMessageStore(100, Duration.ofHours(24));
        fill(store, "a", 10);
        assertEquals(List.of(8L, 9L, 10L), seqs(store.page("a", null, 3)));
        assertEquals(List.of(5L, 6L, 7L), seqs(store.page("a", 8L, 3)));
        assertEquals(List.of(1L, 2L), seqs(store.page("a", 3L, 50)));
        assertEquals(List.of(), store.page("nowhere", null, 3));
    }

    @Test
    void recoveryGivesExactlyTheMissedMessagesOrTheNewestOfThemTruncated() {
        InMemoryMessageStore store = new InMemoryMessageStore(100, Duration.ofHours(24));
        fill(store, "a", 10);
        Recovery r = store.since("a", 7, 1000);
        assertEquals(List.of(8L, 9L, 10L), seqs(r.messages()));
        assertFalse(r.truncated());
        assertEquals(10, r.head());
        Recovery cut = store.since("a", 2, 3);
        assertEquals(List.of(8L, 9L, 10L), seqs(cut.messages()));
        assertTrue(cut.truncated());
        assertEquals(List.of(), store.since("a", 10, 1000).messages());
    }

    @Test
    void recoveryPastWhatIsRetainedIsTruncated() {
        InMemoryMessageStore store = new InMemoryMessageStore(5, Duration.ofHours(24));
        fill(store, "a", 10);
        Recovery r = store.since("a", 2, 1000);
        assertEquals(List.of(6L, 7L, 8L, 9L, 10L), seqs(r.messages()));
        assertTrue(r.truncated(), "3, 4 and 5 are gone");
    }

    @Test
    void eachStoreHasItsOwnEpoch() {
        assertNotEquals(new InMemoryMessageStore(1, Duration.ZERO).epoch(), new InMemoryMessageStore(1, Duration.ZERO).epoch());
    }
}
