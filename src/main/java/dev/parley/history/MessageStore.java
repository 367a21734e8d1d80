package dev.parley.history;

import dev.parley.message.RoomMessage;
import dev.parley.message.DirectMessage;

import java.util.List;

/**
 * Where messages and users' conversations live. Implementations are thread-safe; {@link #append},
 * {@link #releaseHeld} and {@link #mark} are called from the {@link Sequencer}'s single thread only, the reads
 * from any thread.
 */
public interface MessageStore extends AutoCloseable {

    /**
     * Stores the drafts as one unit (one transaction where there is a database), assigning each room
     * message the next seq of its room and each direct message the next id and the next seq of its pair of users.
     * Each stored message moves its sender's read seq of that conversation to it (your own messages are read);
     * the first direct message of a pair makes it a conversation of both users. A draft whose sender already
     * stored one with the same ref for the same room or recipient within the idempotency window is not
     * stored again: its result is the original, marked duplicate. A held direct message is kept for
     * {@link #releaseHeld}. Returns one result per draft, in order, never null.
     *
     * @throws StoreUnavailableException if nothing could be stored
     */
    List<Appended> append(List<Draft> drafts);

    /**
     * Takes the oldest {@code limit} direct messages held for {@code user}, oldest first, and marks them
     * delivered in the same unit, so each is handed out once. Empty when none wait; never null.
     *
     * @throws StoreUnavailableException if the store cannot be read or written (nothing is marked)
     */
    List<DirectMessage> releaseHeld(String user, int limit);

    /**
     * The newest {@code limit} messages of {@code room} with seq below {@code before} (all when null),
     * oldest first; never null.
     *
     * @throws StoreUnavailableException if the store cannot be read
     */
    List<RoomMessage> page(String room, Long before, int limit);

    /**
     * The messages of {@code room} with seq above {@code since}, at most {@code limit} (the newest), oldest first.
     *
     * @throws StoreUnavailableException if the store cannot be read
     */
    Recovery since(String room, long since, int limit);

    /**
     * Applies the marks as one unit (one transaction where there is a database), in order; returns one result per
     * mark, never null. Sequencer thread only.
     *
     * @throws StoreUnavailableException if nothing could be stored
     */
    List<Marked> mark(List<Mark> marks);

    /**
     * The newest {@code limit} direct messages between {@code user} and {@code with} with seq below {@code before}
     * (all when null), oldest first; never null.
     *
     * @throws StoreUnavailableException if the store cannot be read
     */
    List<DirectMessage> directPage(String user, String with, Long before, int limit);

    /**
     * The direct messages between {@code user} and {@code with} with seq above {@code since}, at most {@code limit}
     * (the newest), oldest first.
     *
     * @throws StoreUnavailableException if the store cannot be read
     */
    DirectRecovery directSince(String user, String with, long since, int limit);

    /**
     * The user's conversations: the rooms remembered for the user (joined and not left) sorted by name, then the
     * users they exchanged direct messages with sorted by name, each with its newest seq and the user's read seq.
     * Never null.
     *
     * @throws StoreUnavailableException if the store cannot be read
     */
    List<Conversation> conversations(String user);

    /**
     * Identifies this store's history: it changes when history is reset (a new database, an in-memory
     * store restarted), telling clients that seqs they remember mean nothing any more. Null only while a
     * database store has never yet reached its database.
     */
    String epoch();

    /**
     * Whether the store can be read and written now, for readiness checks: a quick round trip to the database
     * (bounded by the connect timeout). Any thread; never throws.
     */
    default boolean reachable() {
        return true;
    }

    /** How the store's database connections are used now ({@link PoolUse#NONE} without a database); any thread, never null. */
    default PoolUse poolUse() {
        return PoolUse.NONE;
    }

    /**
     * This writer stops numbering {@code room}'s messages from memory: the next {@link #append} for the room reads
     * its last seq from the store again. For a server that hands a room over to another owner (which reads the seq
     * from the store when it first writes the room) and may take it back later. Any thread; never throws.
     */
    default void disown(String room) {
    }

    /** Releases the store's resources (connections); called once, on shutdown. */
    @Override
    default void close() {
    }
}
