package dev.parley.cluster;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Where a node that has become a room's owner (its partition moved here: a node joined, left or died) picks the
 * room up before it sequences the room's first message since. The one place for "take over a room": the history
 * writer keeps each room's last seq in memory, so the new owner makes its store forget what it knew of the room
 * (another node may have written the room meanwhile) and the room's next message reads the last seq from the table.
 * (Should two nodes both believe they own a room for a moment, the table's key on room and seq refuses the second
 * writer's insert and its writer reads the room again: the sequence gets no duplicate.) Thread-safe.
 */
final class RoomTakeOver {

    /** Makes the store read the room's last seq from the table again ({@code MessageStore::disown}). */
    private final Consumer<String> disown;

    /** Rooms sequenced here since ownership last changed. */
    private final Set<String> sequencedSinceChange = ConcurrentHashMap.newKeySet();

    RoomTakeOver(Consumer<String> disown) {
        this.disown = disown;
    }

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

    /** Continues the room's sequence from the database. */
    private void takeOver(String room) {
        disown.accept(room);
    }
}
