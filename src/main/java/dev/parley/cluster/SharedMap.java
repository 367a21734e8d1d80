package dev.parley.cluster;

import java.util.Map;
import java.util.Set;

/**
 * A map of strings shared by every node (a Hazelcast {@code IMap}). Thread-safe; every call is network I/O, so
 * callers hold no lock of Parley's.
 */
public interface SharedMap {

    /** Sets the key's value. */
    void put(String key, String value);

    /** Removes the key and its value, if there. */
    void remove(String key);

    /** The values of those of {@code keys} that are in the map, a copy; never null. */
    Map<String, String> getAll(Set<String> keys);
}
