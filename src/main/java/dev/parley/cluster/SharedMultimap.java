package dev.parley.cluster;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A multimap of strings shared by every node (a Hazelcast {@code MultiMap}), with a cluster-wide lock per key
 * that the grid releases by itself when the node holding it dies. Thread-safe; every call is network I/O.
 */
public interface SharedMultimap {

    /** Adds the value under the key; false when it was there already. */
    boolean put(String key, String value);

    /** Removes the value from under the key; false when it was not there. */
    boolean remove(String key, String value);

    /** The values under the key, a copy; empty when none. Never null. */
    Collection<String> get(String key);

    /** The number of values under the key. */
    int count(String key);

    /** Every key with values, a copy. */
    Set<String> keys();

    /** Every key and value, one entry per value, a copy (one call, however many keys). Never null. */
    List<Map.Entry<String, String>> entries();

    /** Takes the key's cluster-wide lock (reentrant per thread), waiting as long as needed. */
    void lock(String key);

    /** Gives the key's lock back. */
    void unlock(String key);
}
