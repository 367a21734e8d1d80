package dev.parley.history.jpa;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The last seq of each room the writer has numbered, kept in memory, so that storing a batch locks and updates no
 * counter row: while a writer owns a room, it is the only one that numbers that room's messages. A room the
 * writer does not know yet, or has {@link #forget forgotten}, is recovered from the table on first use
 * ({@link #recover}): after a restart, and when a writer takes a room over from another owner.
 *
 * <p>The table's primary key (room, seq) is the backstop: a writer whose memory is behind the table (another owner
 * wrote meanwhile) fails its insert, forgets the batch's rooms and recovers them before it tries again.
 *
 * <p>Read and advanced by the writer (the sequencer's thread) only; {@link #forget} may be called from any thread.
 */
final class RoomSeqs {

    /** The most rooms asked for in one recovery query (an IN list). */
    private static final int RECOVER_CHUNK = 500;

    private final Map<String, Long> last = new ConcurrentHashMap<>();

    /**
     * The last seq of each of {@code rooms} (0 for a room without messages): from memory, the others recovered from
     * the table through {@code c} (in the caller's transaction). Nothing is remembered until {@link #advanced}.
     */
    Map<String, Long> lastOf(Connection c, Collection<String> rooms) throws SQLException {
        Map<String, Long> out = new HashMap<>();
        List<String> unknown = new ArrayList<>();
        for (String room : rooms) {
            Long seq = last.get(room);
            if (seq == null) {
                unknown.add(room);
            } else {
                out.put(room, seq);
            }
        }
        if (!unknown.isEmpty()) {
            out.putAll(recover(c, unknown));
        }
        return out;
    }

    /** Remembers the last seqs of a batch once it is committed. */
    void advanced(Map<String, Long> seqs) {
        last.putAll(seqs);
    }

    /**
     * Forgets what this writer knows of {@code room}: its next message recovers the room's last seq from the table.
     * For a batch that failed (it may or may not have been committed), and for a writer that hands a room over to
     * another owner (and may take it back later). Any thread.
     */
    void forget(String room) {
        last.remove(room);
    }

    /** The rooms remembered now, for tests and metrics. */
    int size() {
        return last.size();
    }

    /**
     * The recovery: each room's last stored seq, read from the message table (0 for a room without messages). One
     * query per {@value #RECOVER_CHUNK} rooms, on the primary key's index.
     */
    static Map<String, Long> recover(Connection c, List<String> rooms) throws SQLException {
        Map<String, Long> out = new HashMap<>();
        for (int from = 0; from < rooms.size(); from += RECOVER_CHUNK) {
            List<String> chunk = rooms.subList(from, Math.min(rooms.size(), from + RECOVER_CHUNK));
            chunk.forEach(room -> out.put(room, 0L));
            try (PreparedStatement s = c.prepareStatement("SELECT room, MAX(seq) FROM parley_message WHERE room IN ("
                    + Sql.placeholders(chunk.size()) + ") GROUP BY room")) {
                for (int i = 0; i < chunk.size(); i++) {
                    s.setString(i + 1, chunk.get(i));
                }
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        out.put(r.getString(1), r.getLong(2));
                    }
                }
            }
        }
        return out;
    }
}
