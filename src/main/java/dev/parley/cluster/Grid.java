package dev.parley.cluster;

import java.util.Set;
import java.util.function.Consumer;

/**
 * The data grid the nodes of a Parley cluster share: Payara Micro's own Hazelcast, seen through JDK types only
 * (strings), so that nothing of the application's has to be deserialized by the grid and nothing outside
 * {@code dev.parley.cluster.hazelcast} needs Hazelcast's classes (the same WAR runs on WildFly and TomEE).
 * Implementations are thread-safe; every method may do network I/O, so callers hold no lock of Parley's.
 */
public interface Grid {

    /**
     * Whether this node looks for other nodes at all. Payara Micro with {@code --nocluster} still runs a Hazelcast
     * member of its own (bound in JNDI) with every way of joining turned off: that node is a single node.
     */
    boolean joinsOthers();

    /** This node's id in the cluster (stable while it runs); never null. */
    String localNode();

    /** The nodes in the cluster now, this one included; never null. */
    Set<String> nodes();

    /**
     * The node that owns {@code key}'s partition now, or null while the owner is not known (partitions moving
     * after a node joined or died).
     */
    String ownerOf(String key);

    /** Publishes {@code payload} on {@code topic}: every subscriber, on every node, gets it, in this node's order. */
    void publish(String topic, String payload);

    /**
     * Calls {@code listener} with every payload published on {@code topic} from now on (on one of the grid's event
     * threads; per publisher in publishing order). Registered on every node before it returns. Returns what ends it.
     */
    Runnable subscribe(String topic, Consumer<String> listener);

    /** Calls {@code listener} with the id of every node that joins from now on (on a grid thread). */
    void onNodeJoined(Consumer<String> listener);

    /** Calls {@code listener} with the id of every node that leaves or dies from now on (on a grid thread). */
    void onNodeLeft(Consumer<String> listener);

    /** Calls {@code listener} whenever partitions may have changed owner (a node joined or left, a migration ended). */
    void onOwnershipChange(Runnable listener);

    /** Puts {@code key} into the shared set {@code name}, where it stays for {@code ttl} (put again: for {@code ttl} from now). */
    void mark(String name, String key, java.time.Duration ttl);

    /** Which of {@code keys} are in the shared set {@code name} now; never null. */
    Set<String> marked(String name, Set<String> keys);

    /** A shared multimap of strings by {@code name}, created on first use. */
    SharedMultimap multimap(String name);

    /** A shared map of strings by {@code name}, created on first use. */
    SharedMap map(String name);
}
