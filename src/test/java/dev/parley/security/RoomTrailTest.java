package dev.parley.security;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RoomTrailTest {

    private final AtomicLong now = new AtomicLong(1_000_000);
    private final RoomTrail trail = new RoomTrail(Duration.ofHours(24), now::get);

    @Test
    void usersWhoWereInOneRoomWithinTheWindowHaveSharedIt() {
        trail.record("alice", "lobby");
        now.addAndGet(Duration.ofHours(23).toMillis());
        trail.record("bob", "lobby");
        assertTrue(trail.shared("alice", "bob"), "not at the same time, but both within 24 h");
        assertTrue(trail.shared("bob", "alice"));
        assertFalse(trail.shared("alice", "carol"), "never seen");
    }

    @Test
    void differentRoomsOrAnOldVisitDoNotCount() {
        trail.record("alice", "red");
        trail.record("bob", "blue");
        assertFalse(trail.shared("alice", "bob"));
        now.addAndGet(Duration.ofHours(25).toMillis());
        trail.record("carol", "red");
        assertFalse(trail.shared("alice", "carol"), "alice was in red more than 24 h ago");
        trail.record("alice", "red"); // and again now
        assertTrue(trail.shared("alice", "carol"));
    }

    @Test
    void eachUserRemembersABoundedNumberOfRooms() {
        trail.record("bob", "room-0");
        for (int i = 0; i <= RoomTrail.ROOMS_PER_USER; i++) {
            now.incrementAndGet();
            trail.record("alice", "room-" + i);
        }
        assertFalse(trail.shared("alice", "bob"), "alice's oldest room was forgotten");
        trail.record("carol", "room-" + RoomTrail.ROOMS_PER_USER);
        assertTrue(trail.shared("alice", "carol"));
    }
}
