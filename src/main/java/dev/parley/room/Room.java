package dev.parley.room;

import dev.parley.message.Payload;
import dev.parley.session.EncodedFrame;
import dev.parley.session.Peer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The members of one room: per user, the subscriptions of that user's connections. Mutations happen
 * under the room's monitor (held by {@link RoomRegistry}); deliveries read an immutable snapshot without
 * locking. Once {@link #retire retired} (empty and removed from the registry) a room is never used again.
 */
final class Room {

    private final String name;
    private final Map<String, Map<String, Subscription>> byUser = new HashMap<>();
    /** Each user's state in this room, for users who set one; dropped when the user's last connection leaves. */
    private final Map<String, Payload> states = new HashMap<>();
    private volatile List<Subscription> snapshot = List.of();
    private volatile int users;
    private boolean retired;

    Room(String name) {
        this.name = name;
    }

    String name() {
        return name;
    }

    /** Every subscription, for delivery; an immutable snapshot. */
    List<Subscription> subscriptions() {
        return snapshot;
    }

    /** The number of distinct users. */
    int userCount() {
        return users;
    }

    // ---- the rest is called with the room's monitor held

    boolean isRetired() {
        return retired;
    }

    void retire() {
        retired = true;
    }

    Subscription subscriptionOf(Peer peer) {
        Map<String, Subscription> subs = byUser.get(peer.user());
        return subs == null ? null : subs.get(peer.id());
    }

    boolean hasUser(String user) {
        return byUser.containsKey(user);
    }

    boolean isEmpty() {
        return byUser.isEmpty();
    }

    void add(Subscription sub) {
        byUser.computeIfAbsent(sub.peer().user(), u -> new HashMap<>()).put(sub.peer().id(), sub);
        changed();
    }

    Subscription remove(Peer peer) {
        Map<String, Subscription> subs = byUser.get(peer.user());
        if (subs == null) {
            return null;
        }
        Subscription removed = subs.remove(peer.id());
        if (subs.isEmpty()) {
            byUser.remove(peer.user());
            states.remove(peer.user());
        }
        if (removed != null) {
            changed();
        }
        return removed;
    }

    /** Sets a member's state. */
    void state(String user, Payload state) {
        states.put(user, state);
    }

    /** The members' states, a copy. */
    Map<String, Payload> states() {
        return Map.copyOf(states);
    }

    /** Distinct user names, sorted. */
    List<String> members() {
        return List.copyOf(new TreeSet<>(byUser.keySet()));
    }

    /** Delivers a frame outside the message sequence to every connection of every user but {@code exceptUser}. */
    void signal(EncodedFrame frame, String exceptUser) {
        for (Subscription s : snapshot) {
            if (!s.peer().user().equals(exceptUser)) {
                s.signal(frame);
            }
        }
    }

    private void changed() {
        List<Subscription> all = new ArrayList<>();
        byUser.values().forEach(m -> all.addAll(m.values()));
        snapshot = List.copyOf(all);
        users = byUser.size();
    }
}
