package dev.parley.history.jpa;

import dev.parley.message.ConversationId;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Schema version 3.1: the direct messages stored before version 3 join their conversations. Each gets its pair of
 * users' key and the next seq of that pair, in id order (the order they were stored), the pairs' counters are set,
 * and both users get the conversation, read up to its newest message (they had these messages before; an upgrade
 * does not make them unread). In Java because the pair key orders the two names as Java does
 * ({@link ConversationId#pair}), which SQL's collation-dependent comparison cannot promise. Runs once, in Flyway's
 * transaction and under its lock, so two servers upgrading at once do not both do it.
 */
public class V3_1__DirectConversationSeqs extends BaseJavaMigration {

    private static final int BATCH = 500;

    @Override
    public void migrate(Context context) throws SQLException {
        Connection c = context.getConnection();
        Map<String, Long> heads = new LinkedHashMap<>();
        Map<String, String[]> users = new LinkedHashMap<>();
        try (PreparedStatement select = c.prepareStatement(
                "SELECT id, sender, recipient FROM parley_direct WHERE seq IS NULL ORDER BY id");
             PreparedStatement update = c.prepareStatement("UPDATE parley_direct SET pair_key = ?, seq = ? WHERE id = ?");
             ResultSet rows = select.executeQuery()) {
            int pending = 0;
            while (rows.next()) {
                String sender = rows.getString(2);
                String recipient = rows.getString(3);
                String pair = ConversationId.pair(sender, recipient);
                long seq = heads.merge(pair, 1L, Long::sum);
                users.putIfAbsent(pair, new String[]{sender, recipient});
                update.setString(1, pair);
                update.setLong(2, seq);
                update.setLong(3, rows.getLong(1));
                update.addBatch();
                if (++pending == BATCH) {
                    update.executeBatch();
                    pending = 0;
                }
            }
            if (pending > 0) {
                update.executeBatch();
            }
        }
        try (PreparedStatement counter = c.prepareStatement("INSERT INTO parley_counter (name, head) VALUES (?, ?)");
             PreparedStatement conversation = c.prepareStatement(
                     "INSERT INTO parley_conversation (username, conversation, read_seq) VALUES (?, ?, ?)")) {
            for (Map.Entry<String, Long> e : heads.entrySet()) {
                counter.setString(1, e.getKey());
                counter.setLong(2, e.getValue());
                counter.addBatch();
                String[] pair = users.get(e.getKey());
                addConversation(conversation, pair[0], pair[1], e.getValue());
                if (!pair[0].equals(pair[1])) {
                    addConversation(conversation, pair[1], pair[0], e.getValue());
                }
            }
            counter.executeBatch();
            conversation.executeBatch();
        }
    }

    private static void addConversation(PreparedStatement insert, String user, String with, long read) throws SQLException {
        insert.setString(1, user);
        insert.setString(2, ConversationId.with(with).key());
        insert.setLong(3, read);
        insert.addBatch();
    }
}
