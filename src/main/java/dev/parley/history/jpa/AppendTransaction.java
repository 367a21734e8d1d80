package dev.parley.history.jpa;

import dev.parley.history.Appended;
import dev.parley.history.Draft;
import dev.parley.message.ConversationId;
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
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One batch of drafts written in one JDBC transaction (group commit), on the writer's thread, in plain JDBC: each
 * table gets one batched INSERT (one multi-row statement on PostgreSQL with {@code reWriteBatchedInserts}), and
 * the refs of the batch are read in one query. Room seqs come from the writer's memory ({@link RoomSeqs}); direct
 * message ids and each pair of users' conversation seqs, which every server shares, from counter rows
 * ({@code direct}, {@code pair/<first>/<second>}) locked in name order only by batches that hold a direct
 * message. The first message of a pair makes it a conversation of both users, and each sender's read seq of a
 * conversation moves to their newest message in it (your own messages are read). The caller opens the
 * transaction, commits it, and then tells {@link RoomSeqs} the batch's {@link #lastSeqs()}; nothing here commits
 * or remembers anything.
 */
final class AppendTransaction {

    /** The counter of direct message ids in {@code parley_counter}. */
    static final String DIRECT_COUNTER = "direct";

    private static final String INSERT_MESSAGE = "INSERT INTO parley_message "
            + "(room, seq, sender, body, sent_at, client_ref, app_data) VALUES (?, ?, ?, ?, ?, ?, ?)";
    private static final String INSERT_DIRECT = "INSERT INTO parley_direct "
            + "(id, sender, recipient, body, sent_at, client_ref, app_data, held, pair_key, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    private static final String INSERT_CONVERSATION = "INSERT INTO parley_conversation (username, conversation, read_seq) VALUES (?, ?, 0)";
    private static final String MOVE_READ = "UPDATE parley_conversation SET read_seq = ? WHERE username = ? AND conversation = ? AND read_seq < ?";
    private static final String INSERT_REF = "INSERT INTO parley_ref (ref_key, created_at, room, seq, direct_id) VALUES (?, ?, ?, ?, ?)";
    private static final String UPDATE_REF = "UPDATE parley_ref SET created_at = ?, room = ?, seq = ?, direct_id = ? WHERE ref_key = ?";

    /** A user's conversation, a row of {@code parley_conversation}. */
    private record Own(String user, String conversation) {
    }

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
    /** Counter rows (direct ids, pairs' seqs) locked by this batch, with their heads as this batch moves them. */
    private final Map<String, Long> counters = new HashMap<>();
    private final List<Own> newConversations = new ArrayList<>();
    /**
     * The newest seq each sender stored per conversation in this batch: their read seq moves there. Updated in key
     * order, so that two writers never lock the same rows in opposite orders.
     */
    private final Map<Own, Long> ownReads = new TreeMap<>(Comparator.comparing(Own::user).thenComparing(Own::conversation));

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
        Set<String> counterNames = new TreeSet<>();
        for (Draft d : drafts) {
            if (d instanceof Draft.ToRoom r) {
                rooms.add(r.room());
            } else {
                Draft.ToUser u = (Draft.ToUser) d;
                counterNames.add(DIRECT_COUNTER);
                counterNames.add(ConversationId.pair(u.from(), u.to()));
            }
        }
        lastSeqs.putAll(seqs.lastOf(c, rooms));
        lockCounters(counterNames);
        Map<String, Long> countersBefore = Map.copyOf(counters);
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
                ownReads.merge(new Own(r.from(), ConversationId.room(r.room()).key()), seq, Math::max);
            } else {
                Draft.ToUser u = (Draft.ToUser) d;
                long pairSeq = counters.merge(ConversationId.pair(u.from(), u.to()), 1L, Long::sum);
                DirectMessage m = new DirectMessage(counters.merge(DIRECT_COUNTER, 1L, Long::sum), pairSeq, u.from(), u.to(),
                        u.text(), u.ts(), u.ref(), u.data());
                stored = new Appended(m, false, u.held());
                directs.add(stored);
                if (pairSeq == 1) {
                    // The pair's first message: a conversation of both users from now on (of one, writing to themselves).
                    newConversations.add(new Own(u.to(), ConversationId.with(u.from()).key()));
                    if (!u.to().equals(u.from())) {
                        newConversations.add(new Own(u.from(), ConversationId.with(u.to()).key()));
                    }
                }
                ownReads.merge(new Own(u.from(), ConversationId.with(u.to()).key()), pairSeq, Math::max);
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
        writeCounters(countersBefore);
        writeConversations();
        writeRefs();
        return out;
    }

    /** Each room's last seq after this batch (also rooms of the batch that got only duplicates), to remember after commit. */
    Map<String, Long> lastSeqs() {
        return lastSeqs;
    }

    /**
     * Locks the counter rows in name order (so two writers never wait on each other in a cycle) and reads their
     * heads into {@link #counters}; creates those a database has none of yet (head 0; a concurrent creator on
     * another server makes this transaction fail with a conflict, to be retried).
     */
    private void lockCounters(Set<String> names) throws SQLException {
        if (names.isEmpty()) {
            return;
        }
        List<String> ordered = List.copyOf(names);
        try (PreparedStatement s = c.prepareStatement("SELECT name, head FROM parley_counter WHERE name IN ("
                + Sql.placeholders(ordered.size()) + ") ORDER BY name FOR UPDATE")) {
            for (int i = 0; i < ordered.size(); i++) {
                s.setString(i + 1, ordered.get(i));
            }
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    counters.put(r.getString(1), r.getLong(2));
                }
            }
        }
        List<String> missing = ordered.stream().filter(name -> !counters.containsKey(name)).toList();
        if (!missing.isEmpty()) {
            try (PreparedStatement s = c.prepareStatement("INSERT INTO parley_counter (name, head) VALUES (?, 0)")) {
                for (String name : missing) {
                    s.setString(1, name);
                    s.addBatch();
                    counters.put(name, 0L);
                }
                s.executeBatch();
            }
        }
    }

    /** Writes the heads of the counters this batch moved. */
    private void writeCounters(Map<String, Long> before) throws SQLException {
        List<Map.Entry<String, Long>> moved = counters.entrySet().stream()
                .filter(e -> !e.getValue().equals(before.get(e.getKey()))).toList();
        if (moved.isEmpty()) {
            return;
        }
        try (PreparedStatement s = c.prepareStatement("UPDATE parley_counter SET head = ? WHERE name = ?")) {
            for (Map.Entry<String, Long> e : moved) {
                s.setLong(1, e.getValue());
                s.setString(2, e.getKey());
                s.addBatch();
            }
            s.executeBatch();
        }
    }

    /** Adds the conversations this batch began, then moves each sender's read seq to their newest message. */
    private void writeConversations() throws SQLException {
        if (!newConversations.isEmpty()) {
            try (PreparedStatement s = c.prepareStatement(INSERT_CONVERSATION)) {
                for (Own own : newConversations) {
                    s.setString(1, own.user());
                    s.setString(2, own.conversation());
                    s.addBatch();
                }
                s.executeBatch();
            }
        }
        if (!ownReads.isEmpty()) {
            try (PreparedStatement s = c.prepareStatement(MOVE_READ)) {
                for (Map.Entry<Own, Long> e : ownReads.entrySet()) {
                    s.setLong(1, e.getValue());
                    s.setString(2, e.getKey().user());
                    s.setString(3, e.getKey().conversation());
                    s.setLong(4, e.getValue());
                    s.addBatch();
                }
                s.executeBatch();
            }
        }
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
        try (PreparedStatement s = c.prepareStatement("SELECT sender, recipient, body, sent_at, client_ref, app_data, seq FROM parley_direct "
                + "WHERE id = ?")) {
            s.setLong(1, ref.directId());
            try (ResultSet r = s.executeQuery()) {
                if (!r.next()) {
                    throw new SQLException("ref " + ref.key() + " names a direct message that is not stored");
                }
                return new DirectMessage(ref.directId(), r.getLong(7), r.getString(1), r.getString(2), r.getString(3),
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
                s.setString(9, ConversationId.pair(m.from(), m.to()));
                s.setLong(10, m.seq());
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
