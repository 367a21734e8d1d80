package dev.parley.session;

import dev.parley.protocol.CloseCodes;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * Every open connection of this server, by id and by user. A user with several connections (tabs) has
 * several peers; nothing is keyed by user alone. Snapshots returned are immutable and never null.
 */
@ApplicationScoped
public class ConnectionRegistry {

    private static final Logger LOG = Logger.getLogger(ConnectionRegistry.class.getName());

    private final Map<String, Peer> byId = new ConcurrentHashMap<>();
    private final Map<String, Set<Peer>> byUser = new ConcurrentHashMap<>();

    /** Adds a newly opened connection. */
    public void add(Peer peer) {
        byId.put(peer.id(), peer);
        byUser.compute(peer.user(), (user, peers) -> {
            Set<Peer> set = peers == null ? ConcurrentHashMap.newKeySet() : peers;
            set.add(peer);
            return set;
        });
    }

    /** Removes a closed connection; returns true when it was the user's last one. */
    public boolean remove(Peer peer) {
        if (byId.remove(peer.id()) == null) {
            return false;
        }
        boolean[] last = {false};
        byUser.computeIfPresent(peer.user(), (user, peers) -> {
            peers.remove(peer);
            last[0] = peers.isEmpty();
            return last[0] ? null : peers;
        });
        return last[0];
    }

    /** The open connections of a user; empty when the user is offline. */
    public List<Peer> peersOf(String user) {
        Set<Peer> peers = byUser.get(user);
        return peers == null ? List.of() : List.copyOf(peers);
    }

    /** Whether the user has at least one open connection. */
    public boolean isOnline(String user) {
        return byUser.containsKey(user);
    }

    /** The number of open connections. */
    public int size() {
        return byId.size();
    }

    /** A snapshot of all open connections. */
    public Collection<Peer> all() {
        return List.copyOf(byId.values());
    }

    /** On undeploy or shutdown, tells every client with 1001 so it reconnects elsewhere or later. */
    @PreDestroy
    void shutDown() {
        Collection<Peer> peers = all();
        if (!peers.isEmpty()) {
            LOG.info(() -> "closing " + peers.size() + " connections: server shutting down");
        }
        peers.forEach(p -> p.closeNow(CloseCodes.GOING_AWAY, "server shutting down"));
    }
}
