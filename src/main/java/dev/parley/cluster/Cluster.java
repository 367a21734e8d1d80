package dev.parley.cluster;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Whether this node is part of a cluster, and its {@link Grid} if so: decided once, when the application starts,
 * by what the server offers (Payara Micro's Hazelcast unless started with {@code --nocluster}); there is no
 * Parley setting for it. Every cluster-aware service asks {@link #active()} and behaves exactly as a single node
 * when it is false.
 */
@ApplicationScoped
public class Cluster {

    private Grid grid;
    private String whySingle = "no grid";

    /** For CDI. */
    public Cluster() {
    }

    private Cluster(Grid grid) {
        this.grid = grid;
    }

    /** A single node, with no grid (for tests and tools). */
    public static Cluster single() {
        return new Cluster(null);
    }

    /** A cluster on the given grid (for tests). */
    public static Cluster on(Grid grid) {
        return new Cluster(grid);
    }

    @PostConstruct
    void find() {
        grid = GridLocator.find(why -> whySingle = why);
    }

    /** True when this node shares its rooms and users with other nodes through the grid. */
    public boolean active() {
        return grid != null;
    }

    /** Why this node is not clustered (for the start line); meaningless when {@link #active()}. */
    public String whySingle() {
        return whySingle;
    }

    /** The grid; only when {@link #active()}. */
    public Grid grid() {
        if (grid == null) {
            throw new IllegalStateException("single node: no grid");
        }
        return grid;
    }

    /** Topic names: every node's own inbox, and each room's traffic. */
    static String nodeTopic(String node) {
        return "parley.node." + node;
    }

    static String roomTopic(String room) {
        return "parley.room." + room;
    }
}
