package dev.parley.room;

import dev.parley.message.Payload;
import dev.parley.protocol.ServerFrame;
import dev.parley.session.EncodedFrame;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * What the members of a room are told when someone joins, leaves or sets their state: the one place that decides
 * presence, so that work per join stays flat however large the room is.
 * <ul>
 * <li>Clients that asked for the {@code presence-diff} feature get one {@code presence_diff} per room per interval
 * ({@link PresenceSettings#interval()}) with every change since the last: each user who joined or left at most once,
 * where they ended up, and states set. In a large room (more than {@link PresenceSettings#largeRoom()} users) a diff
 * carries only the count, a count that did not change is not sent, and the interval grows with the room
 * ({@link #delayMillis}). The first diff after a room was large lists
 * all members again.</li>
 * <li>Other (version 1) clients get one {@code presence} frame per event while the room is small, as before, and
 * none in a large room.</li>
 * </ul>
 * A storm of n joins into a room of n thus costs O(n) per interval instead of O(n) per join.
 * <p>
 * Threads: {@link #joined}, {@link #left} and {@link #updated} are called by {@link RoomRegistry} with the room's
 * monitor held; they only change the room's {@link Pending} record, queue per-event frames (which only enqueues)
 * and ask the scheduler for a flush. The flush runs on the room's {@link RoomLanes lane}: it takes the changes and
 * the recipients under the room's monitor, then encodes once and queues the frame with no lock held.
 */
public final class PresenceCoalescer {

    /** Runs a task once after a delay, on a thread that holds no lock of Parley's. */
    @FunctionalInterface
    public interface Scheduler {
        void schedule(Runnable task, long delayMillis);
    }

    /** Per room, the changes not yet told as a diff. Every field is guarded by the room's monitor. */
    static final class Pending {
        /** User to whether they are in the room now, for every user who joined or left since the last diff. */
        private final Map<String, Boolean> users = new HashMap<>();
        /** States set since the last diff, by user. */
        private final Map<String, Payload> states = new HashMap<>();
        private boolean scheduled;
        /** Whether the last diff named users (the room was small then). */
        private boolean named = true;
        /** The count the last diff carried, -1 before the first. */
        private int count = -1;
    }

    private final PresenceSettings settings;
    private final Scheduler scheduler;
    private final RoomLanes lanes;
    /**
     * Where a room's whole member list comes from when this node's members are not all of them (a cluster), or null.
     * Asked on the room's lane with no lock held, only when a diff is due.
     */
    private volatile Function<String, List<String>> census;
    /**
     * Where the states of a room's listed users come from when this node's are not all of them (a cluster), or null.
     * Asked on the room's lane with no lock held, only for a diff that lists every member.
     */
    private volatile BiFunction<String, List<String>, Map<String, Payload>> stateCensus;

    /**
     * @param scheduler runs the flushes, {@link PresenceSettings#interval()} after the first change of an interval
     * @param lanes     the rooms' delivery lanes the flushes run on
     */
    public PresenceCoalescer(PresenceSettings settings, Scheduler scheduler, RoomLanes lanes) {
        this.settings = settings;
        this.scheduler = scheduler;
        this.lanes = lanes;
    }

    /**
     * From now on the count and the full list in diffs are the given census's (in a cluster: users on every node),
     * not this node's members alone. Which users joined or left still comes from {@link #joined} and {@link #left}.
     */
    public void censusFrom(Function<String, List<String>> census) {
        this.census = census;
    }

    /**
     * From now on a diff that lists every member (a room small again) carries the states the given census has for them
     * (in a cluster: set on any node), over this node's own.
     */
    public void statesFrom(BiFunction<String, List<String>, Map<String, Payload>> states) {
        this.stateCensus = states;
    }

    /** The most members a {@code joined} or a {@code members} page lists by default. */
    public int pageSize() {
        return settings.largeRoom();
    }

    /** Whether a room of that many users is large. */
    boolean isLarge(int users) {
        return users > settings.largeRoom();
    }

    /** The user's first connection joined the room (monitor held; the room already counts them). */
    void joined(Room room, String user) {
        room.presence().users.put(user, Boolean.TRUE);
        tellEach(room, new ServerFrame.Presence(room.name(), user, ServerFrame.Presence.JOIN), user);
        schedule(room);
    }

    /** The user's last connection left the room (monitor held; the room no longer counts them). */
    void left(Room room, String user) {
        Pending p = room.presence();
        p.users.put(user, Boolean.FALSE);
        p.states.remove(user);
        tellEach(room, new ServerFrame.Presence(room.name(), user, ServerFrame.Presence.LEAVE), user);
        schedule(room);
    }

    /** The user set their state in the room (monitor held). */
    void updated(Room room, String user, Payload state) {
        room.presence().states.put(user, state);
        tellEach(room, new ServerFrame.Presence(room.name(), user, ServerFrame.Presence.UPDATE, state), user);
        schedule(room);
    }

    /** One frame per event to the version 1 clients of a small room, but the user's own; only queues. */
    private void tellEach(Room room, ServerFrame.Presence event, String exceptUser) {
        if (isLarge(room.userCount())) {
            return;
        }
        EncodedFrame frame = null;
        for (Subscription s : room.subscriptions()) {
            if (!s.peer().presenceDiffs() && !s.peer().user().equals(exceptUser)) {
                if (frame == null) {
                    frame = EncodedFrame.of(event);
                }
                s.signal(frame);
            }
        }
    }

    private void schedule(Room room) {
        Pending p = room.presence();
        if (!p.scheduled) {
            p.scheduled = true;
            scheduler.schedule(() -> lanes.offer(room.name(), () -> flush(room)), delayMillis(room.userCount()));
        }
    }

    /**
     * The interval for a small room; for a large one, as many intervals as it has {@link PresenceSettings#largeRoom()}s
     * of users, so that a room's diffs cost at most about {@code largeRoom} frames per interval however large it is
     * (10,000 users, large beyond 200, at 100 ms: the count every 5 s).
     */
    long delayMillis(int users) {
        long rooms = Math.max(1, (users + settings.largeRoom() - 1) / settings.largeRoom());
        return settings.interval().toMillis() * rooms;
    }

    /**
     * Tells the room's diff clients what changed since the last diff, in one frame encoded once. Runs on the room's
     * lane; must be called with no lock held.
     */
    void flush(Room room) {
        Function<String, List<String>> whole = census;
        List<String> everyone = whole == null ? null : whole.apply(room.name());
        ServerFrame.PresenceDiff diff;
        List<Subscription> recipients;
        synchronized (room) {
            Pending p = room.presence();
            p.scheduled = false;
            if (room.isRetired()) {
                return;
            }
            diff = take(room, p, everyone);
            if (diff == null) {
                return;
            }
            recipients = room.subscriptions();
        }
        BiFunction<String, List<String>, Map<String, Payload>> states = stateCensus;
        if (diff.members() != null && states != null) {
            Map<String, Payload> all = new HashMap<>(diff.state());
            all.putAll(states.apply(room.name(), diff.members()));
            diff = new ServerFrame.PresenceDiff(diff.room(), diff.joins(), diff.leaves(), diff.members(), all, diff.count());
        }
        EncodedFrame frame = EncodedFrame.of(diff);
        for (Subscription s : recipients) {
            if (s.peer().presenceDiffs()) {
                s.signal(frame);
            }
        }
    }

    /**
     * The diff the room's changes make, or null when its clients would see nothing new; clears them. {@code everyone}:
     * the room's users on every node, or null when this node's are all.
     */
    private ServerFrame.PresenceDiff take(Room room, Pending p, List<String> everyone) {
        int count = everyone == null ? room.userCount() : everyone.size();
        boolean named = !isLarge(count);
        ServerFrame.PresenceDiff diff = null;
        if (named && !p.named) {
            // Small again: the clients' lists went stale while the room was large, so they get the whole list.
            diff = new ServerFrame.PresenceDiff(room.name(), List.of(), List.of(),
                    everyone == null ? room.members() : everyone, room.states(), count);
        } else if (named) {
            List<String> joins = new ArrayList<>();
            List<String> leaves = new ArrayList<>();
            p.users.forEach((user, in) -> (in ? joins : leaves).add(user));
            joins.sort(null);
            leaves.sort(null);
            Map<String, Payload> states = new TreeMap<>(p.states);
            if (!joins.isEmpty() || !leaves.isEmpty() || !states.isEmpty()) {
                diff = new ServerFrame.PresenceDiff(room.name(), joins, leaves, null, states, count);
            }
        } else if (count != p.count) {
            diff = new ServerFrame.PresenceDiff(room.name(), List.of(), List.of(), null, Map.of(), count);
        }
        p.users.clear();
        p.states.clear();
        p.named = named;
        if (diff != null) {
            p.count = count;
        }
        return diff;
    }
}
