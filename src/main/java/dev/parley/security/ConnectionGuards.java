package dev.parley.security;

import dev.parley.session.Peer;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The {@link ConnectionGuard} of every open connection, by connection id. Thread-safe; snapshots never null. */
@ApplicationScoped
public class ConnectionGuards {

    private final Map<String, ConnectionGuard> byPeer = new ConcurrentHashMap<>();

    /** Registers a newly admitted connection's guard. */
    public void attach(ConnectionGuard guard) {
        byPeer.put(guard.peer().id(), guard);
    }

    /** The guard of an open connection, or null once it was detached. */
    public ConnectionGuard of(Peer peer) {
        return byPeer.get(peer.id());
    }

    /** Removes and returns the connection's guard; null when it was already removed (so callers release once). */
    public ConnectionGuard detach(Peer peer) {
        return byPeer.remove(peer.id());
    }

    /** A snapshot of all guards. */
    public Collection<ConnectionGuard> all() {
        return List.copyOf(byPeer.values());
    }
}
