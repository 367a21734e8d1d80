package dev.parley.security;

import dev.parley.cluster.SharedRooms;
import java.util.Collection;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The rooms each user has been in lately, so that the direct-message rule can tell whether two users shared
 * a room within the remembered window even when one of them is offline now (a message to them then waits
 * for their next connection). Kept in memory: a restart forgets it. Bounded: per user the most recent
 * {@value #ROOMS_PER_USER} rooms, and users not seen within the window are dropped. Thread-safe.
 */
@ApplicationScoped
public class RoomTrail {

    /** Rooms remembered per user; older ones are forgotten first. */
    static final int ROOMS_PER_USER = 64;
    private static final long PURGE_EVERY_MILLIS = 60_000;

    private final Map<String, Map<String, Long>> seen = new ConcurrentHashMap<>();
    private final AtomicLong lastPurge = new AtomicLong();
    private final Duration window;
    private final LongSupplier clock;
    /** The cluster's memory, or null on a single node. */
    private SharedRooms cluster;

    /** @param clock wall-clock milliseconds ({@code System::currentTimeMillis} in production) */
    public RoomTrail(Duration window, LongSupplier clock) {
        this.window = window;
        this.clock = clock;
    }

    /** Remembers for the configured window, on this node only. */
    public RoomTrail(SecuritySettings settings) {
        this(settings.directWindow(), System::currentTimeMillis);
    }

    /** For CDI: remembers for the configured window, and in a cluster on every node ({@link SharedRooms}). */
    @jakarta.inject.Inject
    public RoomTrail(SecuritySettings settings, SharedRooms cluster) {
        this(settings.directWindow(), System::currentTimeMillis);
        this.cluster = cluster;
    }

    /** For CDI's proxy only. */
    protected RoomTrail() {
        this(Duration.ZERO, System::currentTimeMillis);
    }

    /** Notes that {@code user} is in {@code room} now (call on join, and on leave or close for its end). */
    public void record(String user, String room) {
        long now = clock.getAsLong();
        seen.compute(user, (u, rooms) -> {
            Map<String, Long> map = rooms == null ? new ConcurrentHashMap<>() : rooms;
            map.put(room, now);
            if (map.size() > ROOMS_PER_USER) {
                map.entrySet().stream().min(Map.Entry.comparingByValue()).ifPresent(e -> map.remove(e.getKey()));
            }
            return map;
        });
        purgeIfDue(now);
        if (cluster != null && cluster.active()) {
            cluster.remember(user, room, window);
        }
    }

    /**
     * Whether both users were in one room within the window (not necessarily at the same time). In a cluster,
     * {@code b}'s rooms on every node count, against the rooms {@code a} was in on this node.
     */
    public boolean shared(String a, String b) {
        if (sharedHere(a, b)) {
            return true;
        }
        if (cluster == null || !cluster.active()) {
            return false;
        }
        Map<String, Long> mine = seen.get(a);
        if (mine == null) {
            return false;
        }
        long since = clock.getAsLong() - window.toMillis();
        List<String> rooms = mine.entrySet().stream().filter(e -> e.getValue() >= since).map(Map.Entry::getKey).toList();
        return cluster.wasInAny(b, rooms);
    }

    /** In a cluster: whether {@code user} is in any of {@code rooms} now on another node (false on a single node). */
    public boolean inAnyElsewhere(String user, Collection<String> rooms) {
        return cluster != null && cluster.active() && cluster.isInAny(user, rooms);
    }

    private boolean sharedHere(String a, String b) {
        Map<String, Long> mine = seen.get(a);
        Map<String, Long> theirs = seen.get(b);
        if (mine == null || theirs == null) {
            return false;
        }
        long since = clock.getAsLong() - window.toMillis();
        for (Map.Entry<String, Long> e : mine.entrySet()) {
            Long other = theirs.get(e.getKey());
            if (other != null && e.getValue() >= since && other >= since) {
                return true;
            }
        }
        return false;
    }

    private void purgeIfDue(long now) {
        long last = lastPurge.get();
        if (now - last < PURGE_EVERY_MILLIS || !lastPurge.compareAndSet(last, now)) {
            return;
        }
        long since = now - window.toMillis();
        for (Iterator<Map.Entry<String, Map<String, Long>>> users = seen.entrySet().iterator(); users.hasNext(); ) {
            Map.Entry<String, Map<String, Long>> user = users.next();
            user.getValue().values().removeIf(t -> t < since);
            seen.computeIfPresent(user.getKey(), (u, rooms) -> rooms.isEmpty() ? null : rooms);
        }
    }
}
