package dev.parley.cluster;

import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * An in-memory stand-in for the data grid of several nodes in one JVM, for unit tests of the cluster classes: one
 * {@link Fabric} shared by the nodes' {@link Grid}s. Topics deliver on one event thread per subscribing node, in
 * publishing order (as Hazelcast keeps one publisher's order); a test may drop chosen payloads on their way to a node.
 */
final class FakeGrid implements Grid {

    /** What the nodes share. */
    static final class Fabric implements AutoCloseable {
        private final Map<String, List<Subscriber>> topics = new ConcurrentHashMap<>();
        private final Map<String, Map<String, Set<String>>> multimaps = new ConcurrentHashMap<>();
        private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();
        private final Map<String, Map<String, String>> maps = new ConcurrentHashMap<>();
        private final Set<String> marks = ConcurrentHashMap.newKeySet();
        private final Map<String, ExecutorService> eventThreads = new ConcurrentHashMap<>();
        final Set<String> nodes = ConcurrentHashMap.newKeySet();
        private final Map<String, List<Consumer<String>>> leftListeners = new ConcurrentHashMap<>();
        volatile Function<String, String> owner = key -> "A";
        /** Payloads for which this returns true on their way to the node are lost (node, payload). */
        volatile java.util.function.BiPredicate<String, String> lose = (node, payload) -> false;

        FakeGrid node(String id) {
            nodes.add(id);
            eventThreads.put(id, Executors.newSingleThreadExecutor());
            return new FakeGrid(this, id);
        }

        @Override
        public void close() {
            eventThreads.values().forEach(ExecutorService::shutdownNow);
        }

        /** The node dies: it leaves the set of nodes and its subscriptions, and every other node is told (on this thread). */
        void kill(String id) {
            nodes.remove(id);
            topics.values().forEach(subscribers -> subscribers.removeIf(s -> s.node().equals(id)));
            leftListeners.forEach((node, listeners) -> {
                if (!node.equals(id)) {
                    listeners.forEach(l -> l.accept(id));
                }
            });
        }

        /** Waits until every node's event thread has run what was published so far. */
        void settle() throws Exception {
            for (ExecutorService e : eventThreads.values()) {
                e.submit(() -> { }).get(10, TimeUnit.SECONDS);
            }
        }
    }

    private record Subscriber(String node, Consumer<String> listener) {
    }

    private final Fabric fabric;
    private final String node;

    private FakeGrid(Fabric fabric, String node) {
        this.fabric = fabric;
        this.node = node;
    }

    @Override
    public boolean joinsOthers() {
        return true;
    }

    @Override
    public String localNode() {
        return node;
    }

    @Override
    public Set<String> nodes() {
        return Set.copyOf(fabric.nodes);
    }

    @Override
    public String ownerOf(String key) {
        return fabric.owner.apply(key);
    }

    @Override
    public void publish(String topic, String payload) {
        for (Subscriber s : fabric.topics.getOrDefault(topic, List.of())) {
            if (!fabric.lose.test(s.node(), payload)) {
                fabric.eventThreads.get(s.node()).execute(() -> s.listener().accept(payload));
            }
        }
    }

    @Override
    public Runnable subscribe(String topic, Consumer<String> listener) {
        Subscriber s = new Subscriber(node, listener);
        fabric.topics.computeIfAbsent(topic, t -> new java.util.concurrent.CopyOnWriteArrayList<>()).add(s);
        return () -> fabric.topics.get(topic).remove(s);
    }

    @Override
    public void onNodeJoined(Consumer<String> listener) {
    }

    @Override
    public void onNodeLeft(Consumer<String> listener) {
        fabric.leftListeners.computeIfAbsent(node, n -> new java.util.concurrent.CopyOnWriteArrayList<>()).add(listener);
    }

    @Override
    public void onOwnershipChange(Runnable listener) {
    }

    @Override
    public void mark(String name, String key, Duration ttl) {
        fabric.marks.add(name + '/' + key);
    }

    @Override
    public Set<String> marked(String name, Set<String> keys) {
        Set<String> found = new HashSet<>();
        keys.forEach(k -> {
            if (fabric.marks.contains(name + '/' + k)) {
                found.add(k);
            }
        });
        return found;
    }

    @Override
    public SharedMultimap multimap(String name) {
        Map<String, Set<String>> map = fabric.multimaps.computeIfAbsent(name, n -> new ConcurrentHashMap<>());
        return new SharedMultimap() {
            @Override
            public boolean put(String key, String value) {
                return map.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet()).add(value);
            }

            @Override
            public boolean remove(String key, String value) {
                Set<String> values = map.get(key);
                return values != null && values.remove(value);
            }

            @Override
            public Collection<String> get(String key) {
                return List.copyOf(map.getOrDefault(key, Set.of()));
            }

            @Override
            public int count(String key) {
                return map.getOrDefault(key, Set.of()).size();
            }

            @Override
            public Set<String> keys() {
                Predicate<Map.Entry<String, Set<String>>> nonEmpty = e -> !e.getValue().isEmpty();
                return Set.copyOf(map.entrySet().stream().filter(nonEmpty).map(Map.Entry::getKey).toList());
            }

            @Override
            public List<Map.Entry<String, String>> entries() {
                List<Map.Entry<String, String>> all = new java.util.ArrayList<>();
                map.forEach((k, values) -> values.forEach(v -> all.add(Map.entry(k, v))));
                return all;
            }

            @Override
            public void lock(String key) {
                fabric.locks.computeIfAbsent(name + '/' + key, k -> new ReentrantLock()).lock();
            }

            @Override
            public void unlock(String key) {
                fabric.locks.get(name + '/' + key).unlock();
            }
        };
    }

    @Override
    public SharedMap map(String name) {
        Map<String, String> map = fabric.maps.computeIfAbsent(name, n -> new ConcurrentHashMap<>());
        return new SharedMap() {
            @Override
            public void put(String key, String value) {
                map.put(key, value);
            }

            @Override
            public void remove(String key) {
                map.remove(key);
            }

            @Override
            public Map<String, String> getAll(Set<String> keys) {
                Map<String, String> found = new java.util.HashMap<>();
                keys.forEach(k -> {
                    String v = map.get(k);
                    if (v != null) {
                        found.put(k, v);
                    }
                });
                return found;
            }
        };
    }
}
