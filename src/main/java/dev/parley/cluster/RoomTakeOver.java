package dev.parley.cluster;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where a node that has become a room's owner (its partition moved here: a node joined, left or died) picks the
 * room up before it sequences the room's first message since. The one place for "take over a room": today the store
 * reads each room's counter row inside every append transaction (locked), so the next seq always comes from the
 * database and {@link #takeOver} has nothing to re-read; a store that keeps the next seq in memory must re-read it
 * here. Thread-safe.
 */
final class RoomTakeOver {

    /** Rooms sequenced here since ownership last changed. */
    private final Set<String> sequencedSinceChange = ConcurrentHashMap.newKeySet();

    /** Partitions may have moved: every room must be taken over again before its next message here. */
    void ownershipChanged() {
        sequencedSinceChange.clear();
    }

    /** Called on the owner before it hands a room's message to the sequencer. */
    void beforeSequencing(String room) {
        if (sequencedSinceChange.add(room)) {
            takeOver(room);
        }
    }

    /** Continues the room's sequence from the database: nothing to do while the store reads the counter per append. */
    private void takeOver(String room) {
        // The room's next seq is read (and locked) from its counter row in each append transaction.
    }
}
