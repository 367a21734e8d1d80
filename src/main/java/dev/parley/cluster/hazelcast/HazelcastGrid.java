package dev.parley.cluster.hazelcast;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.multimap.MultiMap;
import com.hazelcast.partition.MigrationListener;
import com.hazelcast.partition.MigrationState;
import com.hazelcast.partition.Partition;
import com.hazelcast.partition.ReplicaMigrationEvent;
import com.hazelcast.topic.ITopic;
import dev.parley.cluster.Grid;
import dev.parley.cluster.SharedMap;
import dev.parley.cluster.SharedMultimap;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * The {@link Grid} on the Hazelcast instance that Payara Micro runs and binds in JNDI. The only class of Parley's
 * that touches Hazelcast's types: made reflectively by {@code GridLocator} when the server has Hazelcast, so it is
 * never loaded on WildFly or TomEE. Topics carry strings only (Hazelcast's own serialization of a String), node ids
 * are Hazelcast member UUIDs.
 */
public final class HazelcastGrid implements Grid {

    private final HazelcastInstance hazelcast;

    /** The grid on Payara's instance (an Object, so the caller needs no Hazelcast class). */
    public HazelcastGrid(Object instance) {
        this.hazelcast = (HazelcastInstance) instance;
    }

    @Override
    public boolean joinsOthers() {
        // With --nocluster Payara Micro still starts a member of its own; it names other members only for
        // --clustermode tcpip:HOST:PORT,... Multicast and DNS/Kubernetes discovery are not told apart from
        // --nocluster here yet, so those modes run single-node (docs/scaling.md).
        com.hazelcast.config.TcpIpConfig tcpip = hazelcast.getConfig().getNetworkConfig().getJoin().getTcpIpConfig();
        return tcpip.isEnabled() && !tcpip.getMembers().isEmpty();
    }

    @Override
    public String localNode() {
        return hazelcast.getCluster().getLocalMember().getUuid().toString();
    }

    @Override
    public Set<String> nodes() {
        return hazelcast.getCluster().getMembers().stream().map(m -> m.getUuid().toString()).collect(Collectors.toSet());
    }

    @Override
    public String ownerOf(String key) {
        Partition partition = hazelcast.getPartitionService().getPartition(key);
        Member owner = partition.getOwner();
        return owner == null ? null : owner.getUuid().toString();
    }

    @Override
    public void publish(String topic, String payload) {
        hazelcast.<String>getTopic(topic).publish(payload);
    }

    @Override
    public Runnable subscribe(String topic, Consumer<String> listener) {
        ITopic<String> t = hazelcast.getTopic(topic);
        ClassLoader application = Thread.currentThread().getContextClassLoader();
        UUID id = t.addMessageListener(message -> inApplication(application, () -> listener.accept(message.getMessageObject())));
        return () -> t.removeMessageListener(id);
    }

    /**
     * Runs a listener on a grid thread with the application's class loader as the context class loader (as on the
     * application's own threads), so what it uses (JSON-P, JPA) finds the application's providers.
     */
    private static void inApplication(ClassLoader application, Runnable listener) {
        Thread thread = Thread.currentThread();
        ClassLoader before = thread.getContextClassLoader();
        thread.setContextClassLoader(application);
        try {
            listener.run();
        } finally {
            thread.setContextClassLoader(before);
        }
    }

    @Override
    public void onNodeJoined(Consumer<String> listener) {
        ClassLoader application = Thread.currentThread().getContextClassLoader();
        hazelcast.getCluster().addMembershipListener(new MembershipListener() {
            @Override
            public void memberAdded(MembershipEvent event) {
                inApplication(application, () -> listener.accept(event.getMember().getUuid().toString()));
            }

            @Override
            public void memberRemoved(MembershipEvent event) {
            }
        });
    }

    @Override
    public void onNodeLeft(Consumer<String> listener) {
        ClassLoader application = Thread.currentThread().getContextClassLoader();
        hazelcast.getCluster().addMembershipListener(new MembershipListener() {
            @Override
            public void memberAdded(MembershipEvent event) {
            }

            @Override
            public void memberRemoved(MembershipEvent event) {
                inApplication(application, () -> listener.accept(event.getMember().getUuid().toString()));
            }
        });
    }

    @Override
    public void onOwnershipChange(Runnable listener) {
        hazelcast.getCluster().addMembershipListener(new MembershipListener() {
            @Override
            public void memberAdded(MembershipEvent event) {
                listener.run();
            }

            @Override
            public void memberRemoved(MembershipEvent event) {
                listener.run();
            }
        });
        hazelcast.getPartitionService().addMigrationListener(new MigrationListener() {
            @Override
            public void migrationStarted(MigrationState state) {
                listener.run();
            }

            @Override
            public void migrationFinished(MigrationState state) {
                listener.run();
            }

            @Override
            public void replicaMigrationCompleted(ReplicaMigrationEvent event) {
            }

            @Override
            public void replicaMigrationFailed(ReplicaMigrationEvent event) {
            }
        });
    }

    @Override
    public void mark(String name, String key, java.time.Duration ttl) {
        hazelcast.<String, Boolean>getMap(name).set(key, Boolean.TRUE, ttl.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    @Override
    public Set<String> marked(String name, Set<String> keys) {
        return Set.copyOf(hazelcast.<String, Boolean>getMap(name).getAll(keys).keySet());
    }

    @Override
    public SharedMultimap multimap(String name) {
        MultiMap<String, String> map = hazelcast.getMultiMap(name);
        return new SharedMultimap() {
            @Override
            public boolean put(String key, String value) {
                return map.put(key, value);
            }

            @Override
            public boolean remove(String key, String value) {
                return map.remove(key, value);
            }

            @Override
            public Collection<String> get(String key) {
                return List.copyOf(map.get(key));
            }

            @Override
            public int count(String key) {
                return map.valueCount(key);
            }

            @Override
            public Set<String> keys() {
                return Set.copyOf(map.keySet());
            }

            @Override
            public List<Map.Entry<String, String>> entries() {
                return map.entrySet().stream().map(e -> Map.entry(e.getKey(), e.getValue())).toList();
            }

            @Override
            public void lock(String key) {
                map.lock(key);
            }

            @Override
            public void unlock(String key) {
                map.unlock(key);
            }
        };
    }

    @Override
    public SharedMap map(String name) {
        IMap<String, String> map = hazelcast.getMap(name);
        return new SharedMap() {
            @Override
            public void put(String key, String value) {
                map.set(key, value);
            }

            @Override
            public void remove(String key) {
                map.delete(key);
            }

            @Override
            public Map<String, String> getAll(Set<String> keys) {
                return keys.isEmpty() ? Map.of() : Map.copyOf(map.getAll(keys));
            }
        };
    }
}
