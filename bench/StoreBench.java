import dev.parley.history.Draft;
import dev.parley.history.MessageStore;
import dev.parley.history.StorageSettings;
import dev.parley.history.jpa.JpaMessageStore;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Parley's history store alone, without WebSockets or Payara: one thread (as the sequencer) appending batches of
 * drafts, one per room with a ref each (what 100 senders in 100 rooms give the sequencer), through the store of the
 * build on the class path (bench/run-store-bench.sh puts a WAR's classes there, so two builds compare). Prints
 * messages/s, time per batch (one transaction), and the CPU each message cost this JVM and, on PostgreSQL, the
 * database's backends: on a shared machine, work per message says more than messages/s. Bounded in time and count.
 *
 * <pre>java -cp CLASSES StoreBench postgres JDBC_URL USER | embedded DIR  ROOMS BATCH SECONDS LABEL</pre>
 */
public class StoreBench {

    private static final long MAX_MESSAGES = 2_000_000;

    public static void main(String[] args) throws Exception {
        boolean pg = args[0].equals("postgres");
        int at = pg ? 3 : 2;
        int rooms = Integer.parseInt(args[at]);
        int batch = Integer.parseInt(args[at + 1]);
        int seconds = Integer.parseInt(args[at + 2]);
        String label = args[at + 3];
        StorageSettings settings = pg
                ? new StorageSettings(StorageSettings.Kind.DATABASE, null, args[1], args[2], null, 8, Duration.ofSeconds(5))
                : new StorageSettings(StorageSettings.Kind.DATABASE, Files.createDirectories(Path.of(args[1])), null, null, null, 8,
                Duration.ofSeconds(5));
        try (MessageStore store = new JpaMessageStore(settings, Duration.ofMinutes(10), null)) {
            run(store, rooms, batch, Duration.ofSeconds(6), "w"); // warm-up: the JIT, the rooms' first messages
            var db0 = pg ? backendCpu(args[1], args[2]) : java.util.Map.<Integer, Double>of();
            long cpu0 = processCpuNanos();
            long[] took = run(store, rooms, batch, Duration.ofSeconds(seconds), "m");
            long cpu = processCpuNanos() - cpu0;
            double db = pg ? delta(db0, backendCpu(args[1], args[2])) : 0;
            long messages = (long) took.length * batch;
            double secs = Arrays.stream(took).sum() / 1e9;
            Arrays.sort(took);
            System.out.printf("| %s | %s | %d | %d | %.0f | %.2f | %.2f | %.0f | %s |%n", label, pg ? "postgres" : "embedded",
                    rooms, batch, messages / secs, took[took.length / 2] / 1e6,
                    took[Math.min(took.length - 1, (int) Math.ceil(took.length * 0.99) - 1)] / 1e6,
                    messages / (cpu / 1e9), pg ? String.format("%.0f", messages / db) : "-");
        }
    }

    /** Nanoseconds each append (one batch, one transaction) took. */
    static long[] run(MessageStore store, int rooms, int batch, Duration time, String pass) {
        List<Long> took = new ArrayList<>();
        long end = System.nanoTime() + time.toNanos();
        for (long n = 0; System.nanoTime() < end && n < MAX_MESSAGES; ) {
            List<Draft> drafts = new ArrayList<>(batch);
            Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
            for (int i = 0; i < batch; i++, n++) {
                int room = (int) (n % rooms);
                drafts.add(new Draft.ToRoom("r" + room, "s" + room, ("t" + n + ".").repeat(6), pass + n, now));
            }
            long t0 = System.nanoTime();
            store.append(drafts);
            took.add(System.nanoTime() - t0);
        }
        return took.stream().mapToLong(Long::longValue).toArray();
    }

    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /**
     * CPU seconds used so far by each backend serving this database (from /proc; same machine), by PID. Only backends
     * present at both ends of the window are counted (the store's pooled connections): a backend that starts in the
     * window (an autovacuum worker, this method's own connection) would add all of its CPU, one that ends none.
     */
    static java.util.Map<Integer, Double> backendCpu(String url, String user) throws Exception {
        java.util.Map<Integer, Double> out = new java.util.HashMap<>();
        try (Connection c = DriverManager.getConnection(url, user, null); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")) {
            while (r.next()) {
                try {
                    String[] f = Files.readString(Path.of("/proc/" + r.getInt(1) + "/stat")).split("\\) ")[1].split(" ");
                    out.put(r.getInt(1), (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0);
                } catch (java.io.IOException gone) {
                    // a backend that ended meanwhile
                }
            }
        }
        return out;
    }

    static double delta(java.util.Map<Integer, Double> before, java.util.Map<Integer, Double> after) {
        double sum = 0;
        for (var e : after.entrySet()) {
            Double was = before.get(e.getKey());
            if (was != null) {
                sum += e.getValue() - was;
            }
        }
        return sum;
    }
}
