package dev.parley.cluster;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RoomTakeOverTest {

    private final List<String> disowned = new ArrayList<>();
    private final RoomTakeOver takeOver = new RoomTakeOver(disowned::add);

    @Test
    void aRoomsFirstMessageOnANodeMakesTheStoreReadTheRoomAgainOnce() {
        takeOver.beforeSequencing("a");
        takeOver.beforeSequencing("a");
        takeOver.beforeSequencing("b");
        assertEquals(List.of("a", "b"), disowned);
    }

    @Test
    void afterOwnershipMovesEveryRoomIsReadAgainBeforeItsNextMessage() {
        takeOver.beforeSequencing("a");
        takeOver.ownershipChanged();
        takeOver.beforeSequencing("a");
        takeOver.beforeSequencing("a");
        assertEquals(List.of("a", "a"), disowned, "the room may have been written by its owner meanwhile");
    }
}
