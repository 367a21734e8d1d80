package dev.parley.room;

import dev.parley.message.Payload;
import dev.parley.protocol.ServerFrame;
import dev.parley.session.EncodedFrame;
import dev.parley.session.Peer;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The rooms of this server and who is in them. Joining and leaving update membership and tell the other
 * members (presence) atomically per room, so every member sees presence changes in the same order.
 * A room exists while it has members. Thread-safe; nothing here blocks on I/O.
 * <p>
 * Locks: a room's monitor is held only to change its membership and to queue presence frames on the members'
 * outboxes, which only enqueue (socket writes, closes and their callbacks run on the writer threads, see
 * {@code OutboundWriters}). The one nesting is room monitor, then a {@link Subscription}'s monitor; no code
 * takes a room's monitor while holding a subscription's, and no two rooms' monitors are ever held at once.
 */
@ApplicationScoped
public class RoomRegistry {

    /** The outcome of a join: the connection's subscription, the room's members and their states right after it. */
    public record Membership(Subscription subscription, List<String> members, Map<String, Payload> states) {

        /** A membership without member states. */
        public Membership(Subscription subscription, List<String> members) {
            this(subscription, members, Map.of());
        }
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
                        room.signal(encode(new ServerFrame.Presence(name, peer.user(), ServerFrame.Presence.JOIN)),
                                peer.user());
                    }
                }
                return new Membership(sub, room.members(), room.states());
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
                room.signal(encode(new ServerFrame.Presence(name, peer.user(), ServerFrame.Presence.LEAVE)), peer.user());
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
        Room room = rooms.get(name);
        if (room == null) {
            return 0;
        }
        List<Subscription> subscriptions = room.subscriptions();
        for (Subscription s : subscriptions) {
            s.deliver(seq, frame);
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
            room.signal(encode(new ServerFrame.Presence(name, peer.user(), ServerFrame.Presence.UPDATE, state)), peer.user());
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

    /** Every room with members, by name. */
    public List<ServerFrame.RoomInfo> list() {
        return rooms.values().stream()
                .map(r -> new ServerFrame.RoomInfo(r.name(), r.userCount()))
                .filter(r -> r.members() > 0)
                .sorted(Comparator.comparing(ServerFrame.RoomInfo::name))
                .toList();
    }

    private static EncodedFrame encode(ServerFrame frame) {
        return EncodedFrame.of(frame);
    }
}
