package dev.parley.metrics;

import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Parley's own counters, counted where things happen (services, endpoint) and read by whoever exports them:
 * MicroProfile Metrics at {@code /metrics} through a {@link Sink}, and {@code /status}. No MicroProfile type
 * here, so the counting code runs on any server. Every method is thread-safe, lock-free and never blocks.
 */
@ApplicationScoped
public class Meters {

    /** A plain counter. */
    public enum Count {
        /** Chat messages received (room and direct, from clients and from the API), before any check. */
        MESSAGES_IN("parley_messages_in", "Messages received, room and direct, from clients and the API"),
        /** Messages stored (duplicates of a ref not counted). */
        MESSAGES_STORED("parley_messages_stored", "Messages stored, not counting replays of a ref"),
        /** Stored messages handed to a connection's outbound queue (one per receiving connection). */
        DELIVERIES("parley_deliveries", "Stored messages handed to receiving connections"),
        /** Acknowledgements of stored messages (ack frames, and API publish answers). */
        ACKS("parley_acks", "Acknowledgements of stored messages"),
        /** Transactions of the store (the messages stored divided by these is the mean batch size). */
        STORE_BATCHES("parley_store_batches", "Batches of messages stored, one transaction each"),
        /** Connections closed as slow consumers (close code 4008). */
        SLOW_CONSUMER_CLOSES("parley_slow_consumer_closes", "Connections closed as slow consumers (4008)"),
        /** Waits for an intake window (a connection before its next frame, an API publish before it is stored). */
        INTAKE_WAITS("parley_intake_waits", "Waits of senders (connections, API publishes) for their messages to be written out"),
        /** Milliseconds spent in those waits, all together. */
        INTAKE_WAIT_MILLIS("parley_intake_wait_milliseconds", "Milliseconds senders waited for their messages to be written out"),
        /** Times a sender was over its intake window but every waiter permit was taken, so it did not wait. */
        INTAKE_UNPACED("parley_intake_unpaced", "Times a sender over its intake window found no waiter permit free and was not paced"),
        /** API publishes refused with 503 because the readers were still behind after the wait. */
        INTAKE_REFUSALS("parley_intake_refusals", "API publishes refused with 503 because the readers were behind");

        private final String metric;
        private final String help;

        Count(String metric, String help) {
            this.metric = metric;
            this.help = help;
        }

        /** The metric's name as exported, without a unit suffix. */
        public String metric() {
            return metric;
        }

        /** One line of description. */
        public String help() {
            return help;
        }
    }

    /** A counter with one label. */
    public enum Tagged {
        /** Error frames sent to clients, by error code. */
        REFUSED_FRAMES("parley_refused_frames", "code", "Error frames sent to clients, by error code"),
        /** Closed connections, by close code. */
        CLOSES("parley_closes", "code", "Closed connections, by close code");

        private final String metric;
        private final String label;
        private final String help;

        Tagged(String metric, String label, String help) {
            this.metric = metric;
            this.label = label;
            this.help = help;
        }

        public String metric() {
            return metric;
        }

        public String label() {
            return label;
        }

        public String help() {
            return help;
        }
    }

    /** Where counts also go as they happen (an exporter); called on the counting thread, must not block. */
    public interface Sink {
        void count(Count count, long n);

        void count(Tagged tagged, String value);

        void ackLatency(Duration latency);

        void batch(int size);
    }

    private static final Sink NONE = new Sink() {
        @Override
        public void count(Count count, long n) {
        }

        @Override
        public void count(Tagged tagged, String value) {
        }

        @Override
        public void ackLatency(Duration latency) {
        }

        @Override
        public void batch(int size) {
        }
    };

    private final Map<Count, LongAdder> counts = new ConcurrentHashMap<>();
    private final Map<Tagged, Map<String, LongAdder>> tagged = new ConcurrentHashMap<>();
    private final LongAdder acksTimed = new LongAdder();
    private final LongAdder ackNanos = new LongAdder();
    private final AtomicLong intakeWaitNanos = new AtomicLong();
    /** The whole milliseconds of {@link #intakeWaitNanos} already counted in {@link Count#INTAKE_WAIT_MILLIS}. */
    private final AtomicLong intakeWaitMillis = new AtomicLong();
    private volatile Sink sink = NONE;

    /** Counts {@code n} of {@code count}. */
    public void count(Count count, long n) {
        if (n > 0) {
            counts.computeIfAbsent(count, k -> new LongAdder()).add(n);
            sink.count(count, n);
        }
    }

    /** Counts one of {@code count}. */
    public void count(Count count) {
        count(count, 1);
    }

    /** Counts one of {@code tagged} with the label {@code value}. */
    public void count(Tagged tagged, String value) {
        this.tagged.computeIfAbsent(tagged, k -> new ConcurrentHashMap<>())
                .computeIfAbsent(value, k -> new LongAdder()).increment();
        sink.count(tagged, value);
    }

    /** Counts an acknowledgement that took {@code nanos} from receiving the message to acknowledging it. */
    public void acked(long nanos) {
        count(Count.ACKS);
        acksTimed.increment();
        ackNanos.add(nanos);
        sink.ackLatency(Duration.ofNanos(nanos));
    }

    /**
     * Counts one wait for an intake window that took {@code nanos}; the milliseconds counter moves by the whole
     * milliseconds of all waits together, so many short waits are not lost to rounding.
     */
    public void intakeWaited(long nanos) {
        count(Count.INTAKE_WAITS);
        long millis = intakeWaitNanos.addAndGet(Math.max(0, nanos)) / 1_000_000;
        long counted;
        while ((counted = intakeWaitMillis.get()) < millis) {
            if (intakeWaitMillis.compareAndSet(counted, millis)) {
                count(Count.INTAKE_WAIT_MILLIS, millis - counted);
                return;
            }
        }
    }

    /** Counts one batch of {@code size} messages stored in one transaction. */
    public void batch(int size) {
        count(Count.STORE_BATCHES);
        sink.batch(size);
    }

    /** The current value of a counter. */
    public long value(Count count) {
        LongAdder a = counts.get(count);
        return a == null ? 0 : a.sum();
    }

    /** The current values of a labelled counter, by label, sorted; never null. */
    public Map<String, Long> values(Tagged tagged) {
        Map<String, Long> out = new TreeMap<>();
        Map<String, LongAdder> m = this.tagged.get(tagged);
        if (m != null) {
            m.forEach((k, v) -> out.put(k, v.sum()));
        }
        return out;
    }

    /** The mean ack latency so far, zero before the first ack. */
    public Duration meanAckLatency() {
        long n = acksTimed.sum();
        return n == 0 ? Duration.ZERO : Duration.ofNanos(ackNanos.sum() / n);
    }

    /** Sends every later count also to {@code sink} (one exporter; a later call replaces it). */
    public void export(Sink sink) {
        this.sink = sink == null ? NONE : sink;
    }
}
