package dev.parley.cluster;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Carries {@code signal} frames to the room's members on the other nodes, through the room's topic: the sender's node
 * delivers to its own members itself (as on a single node) and hands the frame, encoded once, to this relay, which
 * publishes it on its own thread so a slow grid never holds up the sender's connection. Per sender connection and
 * room at most one signal waits here: a newer one replaces it (newest wins, as in a receiver's queue), so a sender
 * faster than the grid costs the grid only what it can carry, and the newest is always published. Each receiving node
 * relays it to its members but the sender's user ({@link RoomRouter}), newest-wins per sender for a member that cannot
 * keep up. Used only when {@link Cluster#active()}. Thread-safe; holds no lock while it does grid I/O.
 */
@ApplicationScoped
public class SignalRelay {

    private static final Logger LOG = Logger.getLogger(SignalRelay.class.getName());

    /** A signal waiting to be published. */
    private record Waiting(String room, String connection, String user, String frame) {
    }

    /** By sender connection NUL room: the newest signal not yet published. */
    private final Map<String, Waiting> waiting = new ConcurrentHashMap<>();
    private Cluster cluster;
    private volatile Executor worker;

    /** For CDI. */
    protected SignalRelay() {
    }

    @Inject
    public SignalRelay(Cluster cluster) {
        this.cluster = cluster;
    }

    /** Called once when the node starts clustered, with the one thread that publishes this node's signals. */
    void start(Executor publisher) {
        this.worker = publisher;
    }

    /**
     * Publishes the signal {@code frame} (already encoded) that {@code user}'s connection {@code connection} sent to
     * {@code room}, soon, unless a newer one from the same connection and room replaces it first. Any thread; only queues.
     */
    public void send(String room, String connection, String user, String frame) {
        Executor w = worker;
        if (w == null) {
            return; // not started: not clustered
        }
        String key = connection + '\u0000' + room;
        if (waiting.put(key, new Waiting(room, connection, user, frame)) == null) {
            // No task was due for this key: one is now. Otherwise the one due takes this newer signal.
            w.execute(() -> publish(key));
        }
    }

    /** On the relay's thread: publishes the newest signal waiting under the key, if any. */
    private void publish(String key) {
        Waiting s = waiting.remove(key);
        if (s == null) {
            return;
        }
        try {
            Grid grid = cluster.grid();
            grid.publish(Cluster.roomTopic(s.room()), RoomEvent.signal(grid.localNode(), s.connection(), s.user(), s.frame()));
        } catch (RuntimeException e) {
            // Signals are not recovered anyway: the next one brings the receivers up to date.
            LOG.log(Level.FINE, "could not pass a signal of " + s.room() + " to the other nodes", e);
        }
    }
}
