package dev.parley.cluster;

import dev.parley.protocol.ServerFrame;
import dev.parley.room.RoomRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
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
 * This is the membership source only: the frames themselves are sent by each node to its members as on one node.
 * Thread-safe; grid I/O runs on the presence thread, never under a lock of Parley's.
 */
@ApplicationScoped
public class ClusterPresence {

    private static final Logger LOG = Logger.getLogger(ClusterPresence.class.getName());
    static final String MAP = "parley.presence";
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
        cluster.grid().onNodeLeft(node -> worker.execute(() -> removeNode(node)));
    }

    /** The user's membership of the room changed on this node (joined or left): brings the grid in line, later. */
    public void changed(String room, String user) {
        worker.execute(() -> reconcile(room, user));
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
