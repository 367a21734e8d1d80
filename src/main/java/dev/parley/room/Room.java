package dev.parley.room;

import dev.parley.message.Payload;
import dev.parley.session.EncodedFrame;
import dev.parley.session.Peer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The members of one room: per user (sorted by name, so a page of members costs its own size, not the room's),
 * the subscriptions of that user's connections. Mutations happen under the room's monitor (held by
 * {@link RoomRegistry}); deliveries read an immutable snapshot, rebuilt at most once per change and only when
 * something is delivered, so a storm of joins with nothing to deliver costs no copies of the room. Once
 * {@link #retire retired} (empty and removed from the registry) a room is never used again.
 */
final class Room {

    /** One page of members: sorted users, their states, and whether more follow. */
    record Page(List<String> users, Map<String, Payload> states, boolean more) {
    }

    private final String name;
    private final NavigableMap<String, Map<String, Subscription>> byUser = new TreeMap<>();
    /** Each user's state in this room, for users who set one; dropped when the user's last connection leaves. */
    private final Map<String, Payload> states = new HashMap<>();
    /** The presence changes not yet told as a diff (see {@link PresenceCoalescer}); guarded by the monitor. */
    private final PresenceCoalescer.Pending presence = new PresenceCoalescer.Pending();
    /** Every subscription, for delivery; null after a change until it is next needed. */
    private volatile List<Subscription> snapshot = List.of();
    private volatile int users;
    private boolean retired;

    Room(String name) {
        this.name = name;
    }

    String name() {
        return name;
    }

    /** Every subscription, for delivery; an immutable snapshot. Callable with or without the monitor held. */
    List<Subscription> subscriptions() {
        List<Subscription> s = snapshot;
        if (s == null) {
            synchronized (this) {
                s = snapshot;
                if (s == null) {
                    List<Subscription> all = new ArrayList<>();
                    byUser.values().forEach(m -> all.addAll(m.values()));
                    s = List.copyOf(all);
                    snapshot = s;
                }
            }
        }
        return s;
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

    PresenceCoalescer.Pending presence() {
        return presence;
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
        byUser.computeIfAbsent(sub.peer().user(), u -> new HashMap<>(2)).put(sub.peer().id(), sub);
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
        return List.copyOf(byUser.keySet());
    }

    /** Up to {@code limit} users after {@code after} (null: from the first), sorted, with their states. */
    Page page(String after, int limit) {
        Map<String, Payload> pageStates = new LinkedHashMap<>();
        List<String> page = new ArrayList<>(Math.min(limit, users));
        boolean more = false;
        for (String user : (after == null ? byUser : byUser.tailMap(after, false)).keySet()) {
            if (page.size() == limit) {
                more = true;
                break;
            }
            page.add(user);
            Payload state = states.get(user);
            if (state != null) {
                pageStates.put(user, state);
            }
        }
        return new Page(List.copyOf(page), pageStates, more);
    }

    /** Delivers a frame outside the message sequence to every connection of every user but {@code exceptUser}. */
    void signal(EncodedFrame frame, String exceptUser) {
        for (Subscription s : subscriptions()) {
            if (!s.peer().user().equals(exceptUser)) {
                s.signal(frame);
            }
        }
    }

    private void changed() {
        snapshot = null;
        users = byUser.size();
    }
}
