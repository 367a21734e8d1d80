package dev.parley.cluster;

import dev.parley.message.Payload;
import dev.parley.protocol.ServerFrame;
import dev.parley.room.RoomRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Room presence across the cluster: a user counts once in a room whatever node each of their connections is on.
 * The grid's multimap {@value #MAP} holds, per room, one entry {@code user NUL node} for every node where the user has
 * a connection in the room. A node keeps its own entries equal to its {@link RoomRegistry}'s membership: after each
 * join or leave here it reconciles the (room, user) on its presence thread, under the room's grid lock, and publishes
 * presence {@code join} when it added the user's first entry anywhere and {@code leave} when it removed the last.
 * When a node dies, the survivors remove its entries the same way (the grid tells them at once when the node's
 * connection breaks, and at the latest after its heartbeat timeout), so its users' {@code leave} follows.
 * <p>
 * Members' states are kept in the grid's map {@value #STATES}, by {@code room NUL user}: a node writes a state set by
 * one of its connections on its presence thread (so after that user's join and before their leave here) and then
 * publishes it on the room's topic, which tells every node's members ({@code update}, or in the next diff); a
 * {@code joined} anywhere reads the members' states from the map. The node that removes a user's last entry in a room
 * (a last leave, or a dead node's entries) removes the user's state with it, under the room's grid lock.
 * <p>
 * This is the membership source only: the frames themselves are sent by each node to its members as on one node.
 * Thread-safe; grid writes run on the presence thread, never under a lock of Parley's; the reads ({@link #members},
 * {@link #states}, {@link #rooms}) run on the caller's thread, which must hold no lock.
 */
@ApplicationScoped
public class ClusterPresence {

    private static final Logger LOG = Logger.getLogger(ClusterPresence.class.getName());
    static final String MAP = "parley.presence";
    static final String STATES = "parley.states";
    private static final char SEP = '\u0000';

    /** The (room, user) pairs this node has an entry for, as {@code room NUL user}. */
    private final Set<String> entered = ConcurrentHashMap.newKeySet();

    private Cluster cluster;
    private RoomRegistry rooms;
    private RoomRouter router;
    private ExecutorService worker;

    /** For CDI. */
    protected ClusterPresence() {
    }

    @Inject
    public ClusterPresence(Cluster cluster, RoomRegistry rooms, RoomRouter router) {
        this.cluster = cluster;
        this.rooms = rooms;
        this.router = router;
    }

    /** Called once when the node starts clustered, with the one thread that does this node's presence I/O. */
    void start(ExecutorService presenceThread) {
        this.worker = presenceThread;
        rooms.presenceFromCluster();
        rooms.presence().censusFrom(room -> members(room, rooms.members(room)));
        rooms.presence().statesFrom((room, users) -> states(room, users, Map.of()));
        cluster.grid().onNodeLeft(node -> worker.execute(() -> removeNode(node)));
    }

    /** The user's membership of the room changed on this node (joined or left): brings the grid in line, later. */
    public void changed(String room, String user) {
        worker.execute(() -> reconcile(room, user));
    }

    /**
     * One of this node's connections set the user's state in the room: the grid keeps it (until the user's last
     * connection anywhere leaves) and every node's members are told, later, on the presence thread. Any thread.
     */
    public void state(String room, String user, Payload state) {
        worker.execute(() -> {
            String key = room + SEP + user;
            if (!entered.contains(key) || !rooms.hasUser(room, user)) {
                return; // left meanwhile (the reconcile after this one, or before it, saw to the grid)
            }
            try {
                cluster.grid().map(STATES).put(key, state.encoded());
                router.state(room, user, state.encoded());
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "could not share the state of " + user + " in " + room, e);
            }
        });
    }

    /**
     * The states of those of {@code users} who set one in the room, by user, from the grid (or {@code local}, this
     * node's, when the grid cannot be read); never null. Grid I/O on the caller's thread, which holds no lock.
     */
    public Map<String, Payload> states(String room, Collection<String> users, Map<String, Payload> local) {
        if (users.isEmpty()) {
            return Map.of();
        }
        Set<String> keys = new HashSet<>();
        users.forEach(u -> keys.add(room + SEP + u));
        Map<String, String> found;
        try {
            found = cluster.grid().map(STATES).getAll(keys);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "states of {0} on other nodes unknown: {1}", new Object[]{room, e.toString()});
            return local;
        }
        Map<String, Payload> states = new TreeMap<>();
        found.forEach((key, json) -> {
            try {
                states.put(key.substring(key.indexOf(SEP) + 1), Payload.parse(json));
            } catch (RuntimeException unreadable) {
                LOG.log(Level.WARNING, "dropped an unreadable state in " + room, unreadable);
            }
        });
        return states;
    }

    /**
     * Whether the room holds {@code max} distinct users on every node and {@code user} is not one of them: the grid's
     * users and this node's {@code local} (which may be newer). A user whose first join on another node has not been
     * written to the grid yet is not counted (see docs/scaling.md for the bound). Grid I/O on the caller's thread.
     */
    public boolean isFull(String room, String user, List<String> local, int max) {
        if (max <= 0) {
            return false;
        }
        try {
            if (cluster.grid().multimap(MAP).count(room) + local.size() < max) {
                return false; // fewer entries than the limit: no need to read them
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "the members of {0} on other nodes unknown: {1}", new Object[]{room, e.toString()});
            return false; // this node's own limit still holds
        }
        List<String> all = members(room, local);
        return all.size() >= max && !all.contains(user);
    }

    /**
     * Every room with members on any node, with its number of distinct users, by name: the grid's entries (one read)
     * and this node's {@code local} members by room (which may be newer). Never null.
     */
    public List<ServerFrame.RoomInfo> rooms(Map<String, List<String>> local) {
        Map<String, Set<String>> users = new TreeMap<>();
        local.forEach((room, members) -> users.computeIfAbsent(room, r -> new HashSet<>()).addAll(members));
        try {
            for (Map.Entry<String, String> e : cluster.grid().multimap(MAP).entries()) {
                String entry = e.getValue();
                users.computeIfAbsent(e.getKey(), r -> new HashSet<>()).add(entry.substring(0, entry.indexOf(SEP)));
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "rooms on other nodes unknown: {0}", e.toString());
        }
        List<ServerFrame.RoomInfo> list = new ArrayList<>();
        users.forEach((room, members) -> {
            if (!members.isEmpty()) {
                list.add(new ServerFrame.RoomInfo(room, members.size()));
            }
        });
        return list;
    }

    /** The distinct users in the room on every node, with {@code local} (this node's, which may be newer); sorted. */
    public List<String> members(String room, List<String> local) {
        Set<String> all = new TreeSet<>(local);
        try {
            for (String entry : cluster.grid().multimap(MAP).get(room)) {
                all.add(entry.substring(0, entry.indexOf(SEP)));
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "members of {0} on other nodes unknown: {1}", new Object[]{room, e.toString()});
        }
        return List.copyOf(all);
    }

    private void reconcile(String room, String user) {
        String key = room + SEP + user;
        boolean here = rooms.hasUser(room, user);
        if (here == entered.contains(key)) {
            return;
        }
        SharedMultimap map = cluster.grid().multimap(MAP);
        String me = cluster.grid().localNode();
        String mine = user + SEP + me;
        try {
            map.lock(room);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not update the presence of " + user + " in " + room + "; the grid is unreachable", e);
            return;
        }
        try {
            boolean elsewhere = map.get(room).stream().anyMatch(e -> e.startsWith(user + SEP) && !e.equals(mine));
            if (here) {
                map.put(room, mine);
                entered.add(key);
            } else {
                map.remove(room, mine);
                entered.remove(key);
            }
            if (!elsewhere) {
                if (!here) {
                    cluster.grid().map(STATES).remove(key); // the user's last connection anywhere left
                }
                router.presence(room, user, here ? ServerFrame.Presence.JOIN : ServerFrame.Presence.LEAVE);
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not update the presence of " + user + " in " + room, e);
        } finally {
            map.unlock(room);
        }
    }

    /** A node is gone: removes its entries; users it held last in a room leave it. Each survivor may run it: a removal happens once. */
    private void removeNode(String node) {
        SharedMultimap map = cluster.grid().multimap(MAP);
        String suffix = SEP + node;
        int left = 0;
        for (String room : map.keys()) {
            try {
                map.lock(room);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "could not remove the presence of a gone node in " + room, e);
                continue;
            }
            try {
                Collection<String> entries = map.get(room);
                List<String> gone = new ArrayList<>();
                for (String e : entries) {
                    if (e.endsWith(suffix)) {
                        gone.add(e);
                    }
                }
                for (String e : gone) {
                    String user = e.substring(0, e.indexOf(SEP));
                    boolean elsewhere = entries.stream().anyMatch(o -> o.startsWith(user + SEP) && !o.endsWith(suffix));
                    if (map.remove(room, e) && !elsewhere) {
                        cluster.grid().map(STATES).remove(room + SEP + user);
                        router.presence(room, user, ServerFrame.Presence.LEAVE);
                        left++;
                    }
                }
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "could not remove the presence of a gone node in " + room, e);
            } finally {
                map.unlock(room);
            }
        }
        if (left > 0) {
            LOG.info("node " + node + " is gone: " + left + " of its users left their rooms");
        }
    }
}
