package dev.parley.cluster;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

/**
 * The direct-message rule's memory across nodes: which rooms a user has been in lately (the grid's set
 * {@value #MARKS}, one entry {@code user NUL room} per join or leave, kept for the rule's window) and which rooms a
 * user is in now (the cluster's presence). Used only when {@link Cluster#active()}; every call is grid I/O.
 */
@ApplicationScoped
public class SharedRooms {

    static final String MARKS = "parley.trail";
    private static final char SEP = '\u0000';

    private Cluster cluster;
    private ClusterPresence presence;

    /** For CDI. */
    protected SharedRooms() {
    }

    @Inject
    public SharedRooms(Cluster cluster, ClusterPresence presence) {
        this.cluster = cluster;
        this.presence = presence;
    }

    /** Whether this node shares the memory with others (else the callers' own memory is all there is). */
    public boolean active() {
        return cluster != null && cluster.active();
    }

    /** Notes that {@code user} is (or was until now) in {@code room}, for {@code window}. */
    public void remember(String user, String room, Duration window) {
        cluster.grid().mark(MARKS, user + SEP + room, window);
    }

    /** Whether {@code user} was in any of {@code rooms} within the window, on any node. */
    public boolean wasInAny(String user, Collection<String> rooms) {
        Set<String> keys = new HashSet<>();
        rooms.forEach(r -> keys.add(user + SEP + r));
        return !keys.isEmpty() && !cluster.grid().marked(MARKS, keys).isEmpty();
    }

    /** Whether {@code user} is in any of {@code rooms} now, on any node. */
    public boolean isInAny(String user, Collection<String> rooms) {
        for (String room : rooms) {
            if (presence.members(room, java.util.List.of()).contains(user)) {
                return true;
            }
        }
        return false;
    }
}
