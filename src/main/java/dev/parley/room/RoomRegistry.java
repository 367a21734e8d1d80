package dev.parley.room;

import dev.parley.message.Payload;
import dev.parley.protocol.ServerFrame;
import dev.parley.session.EncodedFrame;
import dev.parley.session.IntakeWindow;
import dev.parley.session.Peer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The rooms of this server and who is in them. Joining and leaving update membership and tell the other
 * members (presence, as the {@link PresenceCoalescer} decides) atomically per room, so every member sees presence
 * changes in the same order. A room exists while it has members. Thread-safe; nothing here blocks on I/O, and no
 * join or leave does work in proportion to the room's size once the room is large.
 * <p>
 * Locks: a room's monitor is held only to change its membership and to queue presence frames on the members'
 * outboxes, which only enqueue (socket writes, closes and their callbacks run on the writer threads, see
 * {@code OutboundWriters}). The one nesting is room monitor, then a {@link Subscription}'s monitor; no code
 * takes a room's monitor while holding a subscription's, and no two rooms' monitors are ever held at once.
 */
@ApplicationScoped
public class RoomRegistry {

    /**
     * The outcome of a join: the connection's subscription, the room's members right after it (the first
     * {@link PresenceCoalescer#pageSize()} of them, sorted), their states, and the number of users in the room.
     */
    public record Membership(Subscription subscription, List<String> members, Map<String, Payload> states, int count) {

        /** A membership that lists every member. */
        public Membership(Subscription subscription, List<String> members, Map<String, Payload> states) {
            this(subscription, members, states, members.size());
        }

        /** A membership without member states. */
        public Membership(Subscription subscription, List<String> members) {
            this(subscription, members, Map.of());
        }

        /** Whether {@link #members()} is only the first page of the room's members. */
        public boolean partial() {
            return count > members.size();
        }
    }

    /**
     * A page of a room's members (sorted), their states, the number of users in the room, and the cursor of the
     * next page (the last user listed), null when this is the last.
     */
    public record MemberPage(List<String> members, Map<String, Payload> states, int count, String next) {
    }

    /** The outcome of a leave. */
    public enum Departure {
        /** The connection was not in the room. */
        NOT_MEMBER,
        /** The connection left; the user still has others in the room. */
        LEFT,
        /** The user's last connection left the room. */
        LEFT_LAST
    }

    private final Map<String, Room> rooms = new ConcurrentHashMap<>();
    /** In a cluster, presence join and leave come from the cluster-wide membership, not from this node's alone. */
    private volatile boolean presenceFromCluster;
    private final PresenceCoalescer presence;

    /**
     * Rooms with the default presence settings, diffs flushed at once on the calling thread (for tests and tools;
     * also CDI's proxy).
     */
    public RoomRegistry() {
        this(new PresenceCoalescer(PresenceSettings.defaults(), (task, delay) -> task.run(), RoomLanes.on(Runnable::run)));
    }

    /** Rooms whose presence the given coalescer tells. */
    @Inject
    public RoomRegistry(PresenceCoalescer presence) {
        this.presence = presence;
    }

    /** The coalescer that tells this registry's presence. */
    public PresenceCoalescer presence() {
        return presence;
    }

    /**
     * Adds the connection to the room (creating the room), or, when it is already a member, puts its
     * subscription back to pending for a fresh {@code joined}. Other members get presence {@code join}
     * when this is the user's first connection in the room. The caller must finish with
     * {@link Subscription#activate}.
     */
    public Membership join(Peer peer, String name) {
        return join(peer, name, 0);
    }

    /**
     * Like {@link #join(Peer, String)}, but returns null, changing nothing, when the user is not yet in the
     * room and it already holds {@code maxUsers} distinct users (0: no limit). Checked under the room's
     * monitor, so concurrent joins never overfill it.
     */
    public Membership join(Peer peer, String name, int maxUsers) {
        while (true) {
            Room room = rooms.computeIfAbsent(name, Room::new);
            synchronized (room) {
                if (room.isRetired()) {
                    continue; // emptied and removed meanwhile: take the new one
                }
                Subscription sub = room.subscriptionOf(peer);
                if (sub != null) {
                    sub.suspend();
                } else {
                    boolean firstOfUser = !room.hasUser(peer.user());
                    if (firstOfUser && maxUsers > 0 && room.userCount() >= maxUsers) {
                        return null;
                    }
                    sub = new Subscription(peer, name);
                    room.add(sub);
                    peer.entered(name);
                    if (firstOfUser && !presenceFromCluster) {
                        presence.joined(room, peer.user());
                    }
                }
                Room.Page first = room.page(null, presence.pageSize());
                return new Membership(sub, first.users(), first.states(), room.userCount());
            }
        }
    }

    /**
     * Removes the connection from the room. Other members get presence {@code leave} when it was the
     * user's last connection there.
     */
    public Departure leave(Peer peer, String name) {
        Room room = rooms.get(name);
        if (room == null) {
            return Departure.NOT_MEMBER;
        }
        synchronized (room) {
            Subscription sub = room.isRetired() ? null : room.remove(peer);
            if (sub == null) {
                return Departure.NOT_MEMBER;
            }
            sub.cancel();
            peer.exited(name);
            boolean last = !room.hasUser(peer.user());
            if (last && !presenceFromCluster) {
                presence.left(room, peer.user());
            }
            if (room.isEmpty()) {
                room.retire();
                rooms.remove(name, room);
            }
            return last ? Departure.LEFT_LAST : Departure.LEFT;
        }
    }

    /**
     * Delivers a stored message to every connection in the room, in the order of calls, writing on the calling
     * thread (see {@link Subscription#deliver}): the caller must hold no lock. Returns the number of connections
     * it was handed to.
     */
    public int publish(String name, long seq, EncodedFrame frame) {
        return publish(name, seq, frame, null);
    }

    /**
     * As {@link #publish(String, long, EncodedFrame)}; each member's copy holds the sender's {@code receipt} (null:
     * none) until it is written out, so that the sender's intake waits for the members that read.
     */
    public int publish(String name, long seq, EncodedFrame frame, IntakeWindow.Receipt receipt) {
        Room room = rooms.get(name);
        if (room == null) {
            return 0;
        }
        List<Subscription> subscriptions = room.subscriptions();
        for (Subscription s : subscriptions) {
            s.deliver(seq, frame, receipt);
        }
        return subscriptions.size();
    }

    /**
     * Sets the user's state in the room and tells the room's other users (presence {@code update}), in one
     * order with joins and leaves. False, changing nothing, when the connection is not in the room. The state
     * is dropped when the user's last connection leaves.
     */
    public boolean state(Peer peer, String name, Payload state) {
        Room room = rooms.get(name);
        if (room == null) {
            return false;
        }
        synchronized (room) {
            if (room.isRetired() || room.subscriptionOf(peer) == null) {
                return false;
            }
            room.state(peer.user(), state);
            presence.updated(room, peer.user(), state);
            return true;
        }
    }

    /**
     * Passes a signal to every connection in the room of a user other than {@code from}'s, writing on the calling
     * thread (see {@link Subscription#relay}): the caller must hold no lock. Per receiver, a newer signal from the
     * same connection replaces an older one still waiting once the receiver falls behind.
     */
    public void relay(String name, Peer from, EncodedFrame frame) {
        Room room = rooms.get(name);
        if (room != null) {
            String key = from.id() + '\u0000' + name;
            for (Subscription s : room.subscriptions()) {
                if (!s.peer().user().equals(from.user())) {
                    s.relay(key, frame);
                }
            }
        }
    }

    /**
     * In a cluster: passes a signal that {@code fromUser} sent on another node to every connection in the room of a
     * user other than {@code fromUser}, as {@link #relay} does, {@code key} naming the sender's connection and room.
     * Writes on the calling thread: the caller must hold no lock.
     */
    public void relayFrom(String name, String key, String fromUser, EncodedFrame frame) {
        Room room = rooms.get(name);
        if (room != null) {
            for (Subscription s : room.subscriptions()) {
                if (!s.peer().user().equals(fromUser)) {
                    s.relay(key, frame);
                }
            }
        }
    }

    /** Delivers a frame outside the message sequence (typing) to every member but {@code exceptUser}. */
    public void signal(String name, EncodedFrame frame, String exceptUser) {
        Room room = rooms.get(name);
        if (room != null) {
            room.signal(frame, exceptUser);
        }
    }

    /**
     * From now on this registry sends no presence {@code join} or {@code leave} of its own: in a cluster a user counts
     * once across nodes, so those come from the cluster's membership (which asks {@link #hasUser}) through
     * {@link #signal}. Called once, when the node starts clustered.
     */
    public void presenceFromCluster() {
        presenceFromCluster = true;
    }

    /**
     * In a cluster: the user's first connection on any node joined the room ({@code join}) or their last left it
     * ({@code leave}). This node's members are told as of a change here, through the coalescer. The caller holds
     * no lock.
     */
    public void clusterPresence(String name, String user, String change) {
        inLiveRoom(name, room -> {
            if (ServerFrame.Presence.JOIN.equals(change)) {
                presence.joined(room, user);
            } else if (ServerFrame.Presence.LEAVE.equals(change)) {
                presence.left(room, user);
            }
        });
    }

    /**
     * In a cluster: the user, on this node or another, set their state in the room. This node's members are told
     * ({@code update}, or in the next diff) as by {@link #state}; this node keeps the state for its own members'
     * pages while the user has a connection here. The caller holds no lock.
     */
    public void clusterState(String name, String user, Payload state) {
        inLiveRoom(name, room -> {
            if (room.hasUser(user)) {
                room.state(user, state);
            }
            presence.updated(room, user, state);
        });
    }

    /**
     * Runs {@code change} with the room's monitor held, if the room exists and is not retired; the change may only
     * update the room and queue frames (no I/O, no other lock).
     */
    private void inLiveRoom(String name, java.util.function.Consumer<Room> change) {
        Room room = rooms.get(name);
        if (room == null) {
            return;
        }
        synchronized (room) {
            if (!room.isRetired()) {
                change.accept(room);
            }
        }
    }

    /** Whether the user has a connection in the room on this node now. */
    public boolean hasUser(String name, String user) {
        Room room = rooms.get(name);
        if (room == null) {
            return false;
        }
        synchronized (room) {
            return !room.isRetired() && room.hasUser(user);
        }
    }

    /** The distinct users in the room, sorted; empty when nobody is in it. Never null. */
    public List<String> members(String name) {
        Room room = rooms.get(name);
        if (room == null) {
            return List.of();
        }
        synchronized (room) {
            return room.isRetired() ? List.of() : room.members();
        }
    }

    /**
     * Up to {@code limit} of the room's users after {@code after} (null: from the first), sorted, with their states;
     * costs the page's size, not the room's. Empty when nobody is in the room. Never null.
     */
    public MemberPage page(String name, String after, int limit) {
        Room room = rooms.get(name);
        if (room == null) {
            return new MemberPage(List.of(), Map.of(), 0, null);
        }
        synchronized (room) {
            if (room.isRetired()) {
                return new MemberPage(List.of(), Map.of(), 0, null);
            }
            Room.Page page = room.page(after, limit);
            String next = page.more() ? page.users().get(page.users().size() - 1) : null;
            return new MemberPage(page.users(), page.states(), room.userCount(), next);
        }
    }

    /** Every room with members, by name. */
    public List<ServerFrame.RoomInfo> list() {
        return rooms.values().stream()
                .map(r -> new ServerFrame.RoomInfo(r.name(), r.userCount()))
                .filter(r -> r.members() > 0)
                .sorted(Comparator.comparing(ServerFrame.RoomInfo::name))
                .toList();
    }

}
