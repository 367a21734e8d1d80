package dev.parley.history.jpa;

import dev.parley.history.Appended;
import dev.parley.history.Draft;
import dev.parley.history.StoreUnavailableException;
import dev.parley.message.DirectMessage;
import dev.parley.message.RoomMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What {@link HistoryWriter} stores, read back from the tables: each room numbered from memory and, for a writer
 * that starts or takes a room over, from the table; refs answered with the original; a failed batch leaving no
 * trace. Run on each database by a subclass that supplies a migrated, empty one.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
abstract class HistoryWriterContract {

    private static final long WINDOW = Duration.ofHours(1).toMillis();

    /** A migrated, empty history database for one test. */
    abstract DataSource database();

    private HistoryWriter writer() {
        return new HistoryWriter(database(), WINDOW, Throwable::toString);
    }

    /** Now, in the milliseconds the tables keep (the services make ts so too). */
    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }

    private static Draft.ToRoom say(String room, String from, String text, String ref) {
        return new Draft.ToRoom(room, from, text, ref, now());
    }

    @Test
    void roomsAreNumberedFromOneAndEachRoomOnItsOwn() throws SQLException {
        HistoryWriter w = writer();
        List<Appended> out = w.append(List.of(say("a", "ada", "1", null), say("b", "bob", "1", null), say("a", "ada", "2", null)));
        assertEquals(List.of("a/1", "b/1", "a/2"), seqs(out));
        assertEquals(List.of("a", "b"), seqs(w.append(List.of(say("a", "ada", "3", null), say("b", "bob", "2", null))))
                .stream().map(s -> s.substring(0, 1)).toList());
        assertEquals(List.of("1 ada 1", "2 ada 2", "3 ada 3"), rows("a"));
        assertEquals(List.of("1 bob 1", "2 bob 2"), rows("b"));
    }

    @Test
    void aWriterThatStartsContinuesEachRoomFromTheTable() throws SQLException {
        writer().append(List.of(say("a", "ada", "1", null), say("a", "ada", "2", null)));
        HistoryWriter restarted = writer();
        assertEquals(List.of("a/3", "fresh/1"), seqs(restarted.append(List.of(say("a", "bob", "3", null), say("fresh", "bob", "x", null)))));
        assertEquals(List.of("1 ada 1", "2 ada 2", "3 bob 3"), rows("a"));
    }

    @Test
    void aWriterWhoseRoomAnotherWroteMeanwhileReadsItAgainAndStoresAfterIt() throws SQLException {
        HistoryWriter first = writer();
        first.append(List.of(say("a", "ada", "1", null)));
        HistoryWriter second = writer(); // took the room over: reads seq 1 from the table
        assertEquals(List.of("a/2"), seqs(second.append(List.of(say("a", "bob", "2", null)))));
        // The first still remembers 1: its seq 2 is taken, so the batch is read and numbered again, as one.
        assertEquals(List.of("a/3", "other/1"), seqs(first.append(List.of(say("a", "ada", "3", null), say("other", "ada", "o", null)))));
        assertEquals(List.of("1 ada 1", "2 bob 2", "3 ada 3"), rows("a"));
        assertEquals(List.of("1 ada o"), rows("other"));
    }

    @Test
    void aDisownedRoomIsReadFromTheTableOnItsNextMessage() throws SQLException {
        HistoryWriter first = writer();
        first.append(List.of(say("a", "ada", "1", null)));
        first.disown("a");
        writer().append(List.of(say("a", "bob", "2", null), say("a", "bob", "3", null)));
        assertEquals(List.of("a/4"), seqs(first.append(List.of(say("a", "ada", "4", null)))));
        assertEquals(List.of("1 ada 1", "2 bob 2", "3 bob 3", "4 ada 4"), rows("a"));
    }

    @Test
    void aRepeatedRefGetsTheOriginalInTheSameBatchInALaterOneAndAfterARestart() throws SQLException {
        HistoryWriter w = writer();
        List<Appended> first = w.append(List.of(say("a", "ada", "hello", "r1"), say("a", "ada", "hello again", "r1"),
                say("a", "bob", "bob's own r1", "r1")));
        assertEquals(List.of(false, true, false), first.stream().map(Appended::duplicate).toList());
        assertEquals(first.get(0).message(), first.get(1).message());
        Appended later = w.append(List.of(say("a", "ada", "third try", "r1"))).get(0);
        assertTrue(later.duplicate());
        assertEquals(first.get(0).message(), later.message());
        Appended restarted = writer().append(List.of(say("a", "ada", "fourth try", "r1"))).get(0);
        assertTrue(restarted.duplicate());
        assertEquals(first.get(0).message(), restarted.message()); // read from the table: text, ts, ref and all
        assertEquals(List.of("1 ada hello", "2 bob bob's own r1"), rows("a"));
    }

    @Test
    void directMessagesShareOneCounterAcrossWritersAndTheirRefsToo() throws SQLException {
        HistoryWriter first = writer();
        List<Appended> out = first.append(List.of(
                new Draft.ToUser("bob", "ada", "psst", "d1", now()),
                new Draft.ToUser("cy", "ada", "held one", null, now(), true, null),
                say("a", "ada", "in a room", null)));
        assertEquals(List.of(1L, 2L), List.of(((DirectMessage) out.get(0).message()).id(), ((DirectMessage) out.get(1).message()).id()));
        assertFalse(out.get(0).held());
        assertTrue(out.get(1).held());
        HistoryWriter second = writer();
        Appended next = second.append(List.of(new Draft.ToUser("bob", "cy", "hi", null, now()))).get(0);
        assertEquals(3L, ((DirectMessage) next.message()).id());
        Appended repeated = second.append(List.of(new Draft.ToUser("bob", "ada", "psst!", "d1", now()))).get(0);
        assertTrue(repeated.duplicate());
        assertEquals("psst", ((DirectMessage) repeated.message()).text());
        assertEquals(3, count("SELECT COUNT(*) FROM parley_direct"));
        assertEquals(1, count("SELECT COUNT(*) FROM parley_direct WHERE held = TRUE"));
    }

    @Test
    void aFailedBatchStoresNothingAndTheRoomGoesOnFromWhatIsStored() throws SQLException {
        HistoryWriter w = writer();
        w.append(List.of(say("a", "ada", "1", null)));
        String tooLong = "x".repeat(33); // the sender column holds 32 characters
        assertThrows(StoreUnavailableException.class, () -> w.append(List.of(say("a", "ada", "2", "r2"), say("a", tooLong, "3", null))));
        assertEquals(List.of("a/2"), seqs(w.append(List.of(say("a", "ada", "2 again", "r2")))));
        assertEquals(List.of("1 ada 1", "2 ada 2 again"), rows("a"));
    }

    private static List<String> seqs(List<Appended> out) {
        List<String> s = new ArrayList<>();
        for (Appended a : out) {
            RoomMessage m = (RoomMessage) a.message();
            s.add(m.room() + "/" + m.seq());
        }
        return s;
    }

    private List<String> rows(String room) throws SQLException {
        try (Connection c = database().getConnection();
             PreparedStatement s = c.prepareStatement("SELECT seq, sender, body FROM parley_message WHERE room = ? ORDER BY seq")) {
            s.setString(1, room);
            List<String> out = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    out.add(r.getLong(1) + " " + r.getString(2) + " " + r.getString(3));
                }
            }
            return out;
        }
    }

    private long count(String sql) throws SQLException {
        try (Connection c = database().getConnection(); PreparedStatement s = c.prepareStatement(sql); ResultSet r = s.executeQuery()) {
            r.next();
            return r.getLong(1);
        }
    }
}
