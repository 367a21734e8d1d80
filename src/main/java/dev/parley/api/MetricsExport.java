package dev.parley.api;

import dev.parley.history.MessageStore;
import dev.parley.history.Sequencer;
import dev.parley.metrics.Meters;
import dev.parley.room.RoomRegistry;
import dev.parley.session.ConnectionRegistry;
import dev.parley.session.Peer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import org.eclipse.microprofile.metrics.Counter;
import org.eclipse.microprofile.metrics.Histogram;
import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.Tag;
import org.eclipse.microprofile.metrics.Timer;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Publishes Parley's figures in the application's MicroProfile Metrics registry, which Payara Micro serves at
 * {@code /metrics} in Prometheus text: the {@link Meters} counters as counters (labelled ones with their label),
 * the ack latency as a timer, the batch sizes as a histogram, and gauges for open connections, rooms, bytes
 * waiting in outbound queues, drafts waiting for the store and the database connections in use. The one place that knows MicroProfile Metrics: on a server without it the rest of Parley
 * counts as before and this logs once that nothing is exported.
 */
@ApplicationScoped
public class MetricsExport {

    private static final Logger LOG = Logger.getLogger(MetricsExport.class.getName());

    @Inject
    Instance<MetricRegistry> registries;
    @Inject
    Meters meters;
    @Inject
    ConnectionRegistry connections;
    @Inject
    RoomRegistry rooms;
    @Inject
    Sequencer sequencer;
    @Inject
    MessageStore store;

    void start(@Observes @Initialized(ApplicationScoped.class) Object started) {
        try {
            if (!registries.isResolvable()) {
                LOG.info("no MicroProfile Metrics on this server: Parley's figures are not exported");
                return;
            }
            export(registries.get());
        } catch (LinkageError | RuntimeException e) {
            LOG.log(Level.INFO, "MicroProfile Metrics could not be used; Parley's figures are not exported: {0}", e.toString());
        }
    }

    private void export(MetricRegistry registry) {
        gauge(registry, "parley_connections", "Open WebSocket connections", connections::size);
        gauge(registry, "parley_rooms", "Rooms with members", () -> rooms.list().size());
        gauge(registry, "parley_queued_bytes", "Bytes waiting in all outbound queues", this::queuedBytes);
        gauge(registry, "parley_store_backlog", "Messages waiting to be stored", sequencer::backlog);
        gauge(registry, "parley_db_connections_active", "Database connections in use", () -> store.poolUse().active());
        gauge(registry, "parley_db_connections_idle", "Database connections open and idle", () -> store.poolUse().idle());
        gauge(registry, "parley_db_connections_waiting", "Threads waiting for a database connection", () -> store.poolUse().waiting());
        gauge(registry, "parley_db_connections_max", "The most database connections the pool opens", () -> store.poolUse().max());
        Map<Meters.Count, Counter> counters = new EnumMap<>(Meters.Count.class);
        for (Meters.Count c : Meters.Count.values()) {
            Counter counter = registry.counter(Metadata.builder().withName(c.metric()).withDescription(c.help()).build());
            counter.inc(meters.value(c));
            counters.put(c, counter);
        }
        Map<String, Counter> labelled = new ConcurrentHashMap<>();
        for (Meters.Tagged t : Meters.Tagged.values()) {
            meters.values(t).forEach((value, n) -> labelled(registry, labelled, t, value).inc(n));
        }
        Timer ackLatency = registry.timer(Metadata.builder().withName("parley_ack_latency")
                .withDescription("From receiving a message to acknowledging it, stored").build());
        Histogram batchSizes = registry.histogram(Metadata.builder().withName("parley_store_batch_size")
                .withDescription("Messages stored per transaction").build());
        meters.export(new Meters.Sink() {
            @Override
            public void count(Meters.Count count, long n) {
                counters.get(count).inc(n);
            }

            @Override
            public void count(Meters.Tagged tagged, String value) {
                labelled(registry, labelled, tagged, value).inc();
            }

            @Override
            public void ackLatency(Duration latency) {
                ackLatency.update(latency);
            }

            @Override
            public void batch(int size) {
                batchSizes.update(size);
            }
        });
        LOG.fine("Parley's figures exported to MicroProfile Metrics");
    }

    private static Counter labelled(MetricRegistry registry, Map<String, Counter> cache, Meters.Tagged t, String value) {
        return cache.computeIfAbsent(t.metric() + '\u0000' + value, k -> registry.counter(
                Metadata.builder().withName(t.metric()).withDescription(t.help()).build(), new Tag(t.label(), value)));
    }

    private static void gauge(MetricRegistry registry, String name, String help, Supplier<Number> value) {
        registry.gauge(Metadata.builder().withName(name).withDescription(help).build(), value, s -> s.get().doubleValue());
    }

    private long queuedBytes() {
        long total = 0;
        for (Peer p : connections.all()) {
            total += p.queuedBytes();
        }
        return total;
    }
}
