package dev.parley.history.jpa;

import dev.parley.history.Appended;
import dev.parley.history.Draft;
import dev.parley.message.DirectMessage;
import dev.parley.message.Payload;
import dev.parley.message.RoomMessage;
import dev.parley.message.StoredMessage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One batch of drafts written in one JDBC transaction (group commit), on the writer's thread, in plain JDBC: each
 * table gets one batched INSERT (one multi-row statement on PostgreSQL with {@code reWriteBatchedInserts}), and
 * the refs of the batch are read in one query. Room seqs come from the writer's memory ({@link RoomSeqs}); direct
 * message ids, which every server shares, from the {@code direct} counter row, locked only by batches that hold a
 * direct message. The caller opens the transaction, commits it, and then tells {@link RoomSeqs} the batch's
 * {@link #lastSeqs()}; nothing here commits or remembers anything.
 */
final class AppendTransaction {

    /** The counter of direct message ids in {@code parley_counter}. */
    static final String DIRECT_COUNTER = "direct";

    private static final String INSERT_MESSAGE = "INSERT INTO parley_message "
            + "(room, seq, sender, body, sent_at, client_ref, app_data) VALUES (?, ?, ?, ?, ?, ?, ?)";
    private static final String INSERT_DIRECT = "INSERT INTO parley_direct "
            + "(id, sender, recipient, body, sent_at, client_ref, app_data, held) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
    private static final String INSERT_REF = "INSERT INTO parley_ref (ref_key, created_at, room, seq, direct_id) VALUES (?, ?, ?, ?, ?)";
    private static final String UPDATE_REF = "UPDATE parley_ref SET created_at = ?, room = ?, seq = ?, direct_id = ? WHERE ref_key = ?";

    /** A row of {@code parley_ref}: a ref and the message it names (a room and seq, or a direct message id). */
    private record Ref(String key, long createdAt, String room, Long seq, Long directId) {
    }

    private final Connection c;
    private final RoomSeqs seqs;
    private final long windowMillis;
    private final Map<String, Long> lastSeqs = new HashMap<>();
    private final Map<String, Ref> refs = new HashMap<>();
    private final Map<String, StoredMessage> storedNow = new HashMap<>();
    private final List<RoomMessage> messages = new ArrayList<>();
    private final List<Appended> directs = new ArrayList<>();
    private final List<Ref> newRefs = new ArrayList<>();
    private final List<Ref> reusedRefs = new ArrayList<>();

    /**
     * @param c            a connection with auto-commit off
     * @param windowMillis how long a ref makes a repeated draft a duplicate
     */
    AppendTransaction(Connection c, RoomSeqs seqs, long windowMillis) {
        this.c = c;
        this.seqs = seqs;
        this.windowMillis = windowMillis;
    }

    /** Numbers and writes the drafts (not committed); one result per draft, in order. */
    List<Appended> append(List<Draft> drafts) throws SQLException {
        Set<String> rooms = new LinkedHashSet<>();
        boolean direct = false;
        for (Draft d : drafts) {
            if (d instanceof Draft.ToRoom r) {
                rooms.add(r.room());
            } else {
                direct = true;
            }
        }
        lastSeqs.putAll(seqs.lastOf(c, rooms));
        long directHead = direct ? lockDirectCounter() : 0;
        long directStart = directHead;
        loadRefs(drafts);
        List<Appended> out = new ArrayList<>(drafts.size());
        for (Draft d : drafts) {
            String key = RefRow.keyOf(d);
            Ref earlier = key == null ? null : refs.get(key);
            if (earlier != null && earlier.createdAt() > d.ts().toEpochMilli() - windowMillis) {
                out.add(new Appended(original(earlier), true));
                continue;
            }
            Appended stored;
            if (d instanceof Draft.ToRoom r) {
                long seq = lastSeqs.merge(r.room(), 1L, Long::sum);
                RoomMessage m = new RoomMessage(r.room(), seq, r.from(), r.text(), r.ts(), r.ref(), r.data());
                messages.add(m);
                stored = new Appended(m, false);
            } else {
                Draft.ToUser u = (Draft.ToUser) d;
                DirectMessage m = new DirectMessage(++directHead, u.from(), u.to(), u.text(), u.ts(), u.ref(), u.data());
                stored = new Appended(m, false, u.held());
                directs.add(stored);
            }
            if (key != null) {
                long at = d.ts().toEpochMilli();
                Ref ref = stored.message() instanceof RoomMessage m ? new Ref(key, at, m.room(), m.seq(), null)
                        : new Ref(key, at, null, null, ((DirectMessage) stored.message()).id());
                (earlier == null ? newRefs : reusedRefs).add(ref);
                refs.put(key, ref);
                storedNow.put(key, stored.message());
            }
            out.add(stored);
        }
        writeMessages();
        writeDirects();
        if (directHead != directStart) {
            try (PreparedStatement s = c.prepareStatement("UPDATE parley_counter SET head = ? WHERE name = ?")) {
                s.setLong(1, directHead);
                s.setString(2, DIRECT_COUNTER);
                s.executeUpdate();
            }
        }
        writeRefs();
        return out;
    }

    /** Each room's last seq after this batch (also rooms of the batch that got only duplicates), to remember after commit. */
    Map<String, Long> lastSeqs() {
        return lastSeqs;
    }

    /**
     * Locks the counter of direct message ids and returns its head; creates it (head 0) in a database that has
     * none yet (a concurrent creator on another server makes this transaction fail with a conflict, to be retried).
     */
    private long lockDirectCounter() throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT head FROM parley_counter WHERE name = ? FOR UPDATE")) {
            s.setString(1, DIRECT_COUNTER);
            try (ResultSet r = s.executeQuery()) {
                if (r.next()) {
                    return r.getLong(1);
                }
            }
        }
        try (PreparedStatement s = c.prepareStatement("INSERT INTO parley_counter (name, head) VALUES (?, 0)")) {
            s.setString(1, DIRECT_COUNTER);
            s.executeUpdate();
        }
        return 0;
    }

    private void loadRefs(List<Draft> drafts) throws SQLException {
        List<String> keys = drafts.stream().map(RefRow::keyOf).filter(k -> k != null).distinct().toList();
        if (keys.isEmpty()) {
            return;
        }
        try (PreparedStatement s = c.prepareStatement("SELECT ref_key, created_at, room, seq, direct_id FROM parley_ref WHERE ref_key IN ("
                + Sql.placeholders(keys.size()) + ")")) {
            for (int i = 0; i < keys.size(); i++) {
                s.setString(i + 1, keys.get(i));
            }
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    Ref ref = new Ref(r.getString(1), r.getLong(2), r.getString(3), nullableLong(r, 4), nullableLong(r, 5));
                    refs.put(ref.key(), ref);
                }
            }
        }
    }

    private StoredMessage original(Ref ref) throws SQLException {
        StoredMessage now = storedNow.get(ref.key());
        if (now != null) {
            return now;
        }
        if (ref.room() != null) {
            try (PreparedStatement s = c.prepareStatement("SELECT sender, body, sent_at, client_ref, app_data FROM parley_message "
                    + "WHERE room = ? AND seq = ?")) {
                s.setString(1, ref.room());
                s.setLong(2, ref.seq());
                try (ResultSet r = s.executeQuery()) {
                    if (!r.next()) {
                        throw new SQLException("ref " + ref.key() + " names a message that is not stored");
                    }
                    return new RoomMessage(ref.room(), ref.seq(), r.getString(1), r.getString(2), Instant.ofEpochMilli(r.getLong(3)),
                            r.getString(4), Payload.parse(r.getString(5)));
                }
            }
        }
        try (PreparedStatement s = c.prepareStatement("SELECT sender, recipient, body, sent_at, client_ref, app_data FROM parley_direct "
                + "WHERE id = ?")) {
            s.setLong(1, ref.directId());
            try (ResultSet r = s.executeQuery()) {
                if (!r.next()) {
                    throw new SQLException("ref " + ref.key() + " names a direct message that is not stored");
                }
                return new DirectMessage(ref.directId(), r.getString(1), r.getString(2), r.getString(3),
                        Instant.ofEpochMilli(r.getLong(4)), r.getString(5), Payload.parse(r.getString(6)));
            }
        }
    }

    private void writeMessages() throws SQLException {
        if (messages.isEmpty()) {
            return;
        }
        try (PreparedStatement s = c.prepareStatement(INSERT_MESSAGE)) {
            for (RoomMessage m : messages) {
                s.setString(1, m.room());
                s.setLong(2, m.seq());
                s.setString(3, m.from());
                s.setString(4, m.text());
                s.setLong(5, m.ts().toEpochMilli());
                setNullableString(s, 6, m.ref());
                setNullableString(s, 7, Payload.encodedOrNull(m.data()));
                s.addBatch();
            }
            s.executeBatch();
        }
    }

    private void writeDirects() throws SQLException {
        if (directs.isEmpty()) {
            return;
        }
        try (PreparedStatement s = c.prepareStatement(INSERT_DIRECT)) {
            for (Appended a : directs) {
                DirectMessage m = (DirectMessage) a.message();
                s.setLong(1, m.id());
                s.setString(2, m.from());
                s.setString(3, m.to());
                s.setString(4, m.text());
                s.setLong(5, m.ts().toEpochMilli());
                setNullableString(s, 6, m.ref());
                setNullableString(s, 7, Payload.encodedOrNull(m.data()));
                s.setBoolean(8, a.held());
                s.addBatch();
            }
            s.executeBatch();
        }
    }

    private void writeRefs() throws SQLException {
        if (!newRefs.isEmpty()) {
            try (PreparedStatement s = c.prepareStatement(INSERT_REF)) {
                for (Ref ref : newRefs) {
                    s.setString(1, ref.key());
                    s.setLong(2, ref.createdAt());
                    setTarget(s, 3, ref);
                    s.addBatch();
                }
                s.executeBatch();
            }
        }
        if (!reusedRefs.isEmpty()) {
            try (PreparedStatement s = c.prepareStatement(UPDATE_REF)) {
                for (Ref ref : reusedRefs) {
                    s.setLong(1, ref.createdAt());
                    setTarget(s, 2, ref);
                    s.setString(5, ref.key());
                    s.addBatch();
                }
                s.executeBatch();
            }
        }
    }

    /** Sets room, seq and direct id of a ref from parameter {@code at} on. */
    private static void setTarget(PreparedStatement s, int at, Ref ref) throws SQLException {
        setNullableString(s, at, ref.room());
        setNullableLong(s, at + 1, ref.seq());
        setNullableLong(s, at + 2, ref.directId());
    }

    private static void setNullableString(PreparedStatement s, int i, String value) throws SQLException {
        if (value == null) {
            s.setNull(i, Types.VARCHAR);
        } else {
            s.setString(i, value);
        }
    }

    private static void setNullableLong(PreparedStatement s, int i, Long value) throws SQLException {
        if (value == null) {
            s.setNull(i, Types.BIGINT);
        } else {
            s.setLong(i, value);
        }
    }

    private static Long nullableLong(ResultSet r, int i) throws SQLException {
        long v = r.getLong(i);
        return r.wasNull() ? null : v;
    }
}
