package dev.parley.cluster;

import dev.parley.session.ConnectionRegistry;
import dev.parley.session.EncodedFrame;
import dev.parley.session.Peer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Which nodes each user has connections on, cluster-wide: the grid's multimap {@value #MAP}, one entry
 * {@code node NUL connection id} per open connection under the user's name. Used to count a user's connections
 * everywhere (the per-user limit), to tell whether a direct message's recipient is reachable anywhere, and to send
 * frames to a user's connections on other nodes ({@link NodeMail.ToUsers}). A dead node's entries are removed by the
 * survivors. Used only when {@link Cluster#active()}. Thread-safe; every call but {@link #deliverHere} is grid I/O.
 */
@ApplicationScoped
public class UserDirectory {

    private static final Logger LOG = Logger.getLogger(UserDirectory.class.getName());
    static final String MAP = "parley.users";
    private static final char SEP = '\u0000';

    private Cluster cluster;
    private ConnectionRegistry connections;
    private volatile Consumer<String> releaser = user -> {
    };

    /** For CDI. */
    protected UserDirectory() {
    }

    @Inject
    public UserDirectory(Cluster cluster, ConnectionRegistry connections) {
        this.cluster = cluster;
        this.connections = connections;
    }

    /** Called once when the node starts clustered. */
    void start(ExecutorService background) {
        cluster.grid().onNodeLeft(node -> background.execute(() -> removeNode(node)));
    }

    /** What releases a user's held direct messages on this node (set by the direct-message service). */
    public void onRelease(Consumer<String> release) {
        this.releaser = release;
    }

    /** A connection of the user opened on this node. */
    public void added(Peer peer) {
        cluster.grid().multimap(MAP).put(peer.user(), entry(peer));
    }

    /** A connection of the user on this node closed. */
    public void removed(Peer peer) {
        try {
            cluster.grid().multimap(MAP).remove(peer.user(), entry(peer));
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not remove a closed connection of " + peer.user() + " from the grid", e);
        }
    }

    /** The user's open connections on every node. */
    public int connections(String user) {
        return cluster.grid().multimap(MAP).count(user);
    }

    /** Whether the user has an open connection on any node. */
    public boolean online(String user) {
        return connections(user) > 0;
    }

    /**
     * Sends an encoded frame to every connection of these users on the other nodes (this node's own connections are
     * the caller's): one mail per node that has any of them.
     */
    public void sendElsewhere(Collection<String> users, EncodedFrame frame) {
        Grid grid = cluster.grid();
        String me = grid.localNode();
        Map<String, Set<String>> byNode = new HashMap<>();
        for (String user : users) {
            for (String e : grid.multimap(MAP).get(user)) {
                String node = e.substring(0, e.indexOf(SEP));
                if (!node.equals(me)) {
                    byNode.computeIfAbsent(node, n -> new TreeSet<>()).add(user);
                }
            }
        }
        byNode.forEach((node, targets) ->
                grid.publish(Cluster.nodeTopic(node), NodeMail.encode(new NodeMail.ToUsers(List.copyOf(targets), frame.text()))));
    }

    /** Asks the nodes where the user is connected now to release the user's held direct messages. */
    public void releaseElsewhere(String user) {
        Grid grid = cluster.grid();
        String me = grid.localNode();
        Set<String> nodes = new TreeSet<>();
        for (String e : grid.multimap(MAP).get(user)) {
            nodes.add(e.substring(0, e.indexOf(SEP)));
        }
        for (String node : nodes) {
            if (node.equals(me)) {
                releaser.accept(user);
            } else {
                grid.publish(Cluster.nodeTopic(node), NodeMail.encode(new NodeMail.Release(user)));
            }
        }
    }

    /** Mail for this node's users (a grid thread): frames go to their connections here, releases to the releaser. */
    void deliverHere(NodeMail mail) {
        if (mail instanceof NodeMail.ToUsers t) {
            EncodedFrame frame = EncodedFrame.of(t.frame());
            for (String user : t.users()) {
                connections.peersOf(user).forEach(p -> p.send(frame));
            }
        } else if (mail instanceof NodeMail.Release r) {
            releaser.accept(r.user());
        }
    }

    private String entry(Peer peer) {
        return cluster.grid().localNode() + SEP + peer.id();
    }

    private void removeNode(String node) {
        SharedMultimap map = cluster.grid().multimap(MAP);
        String prefix = node + SEP;
        int removed = 0;
        try {
            for (String user : map.keys()) {
                List<String> gone = new ArrayList<>();
                for (String e : map.get(user)) {
                    if (e.startsWith(prefix)) {
                        gone.add(e);
                    }
                }
                for (String e : gone) {
                    if (map.remove(user, e)) {
                        removed++;
                    }
                }
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not remove the connections of gone node " + node, e);
        }
        if (removed > 0) {
            LOG.info("node " + node + " is gone: removed its " + removed + " connections from the user directory");
        }
    }
}
