package dev.parley.it.support;

import dev.parley.testing.Postgres;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A PostgreSQL cluster of its own, on a free loopback port, that a test may stop and start again (the
 * machine's main cluster is never touched). Made with Debian's postgresql-common tools
 * ({@code pg_createcluster}, {@code pg_ctlcluster}, {@code pg_dropcluster}; run as root, the server runs as
 * the {@code postgres} user) with trust authentication on loopback; {@link #close()} drops it with its data.
 */
public final class ThrowawayPostgres implements AutoCloseable {

    private final String version;
    private final String name;
    private final int port;
    private final Thread dropOnExit;

    private ThrowawayPostgres(String version, String name, int port) {
        this.version = version;
        this.name = name;
        this.port = port;
        this.dropOnExit = new Thread(this::dropQuietly, "drop-" + name);
    }

    /** Creates and starts a new cluster of the newest installed PostgreSQL version. */
    public static ThrowawayPostgres create() {
        String version = newestVersion();
        String name = "parley_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        int port = PayaraProcess.freePort();
        run("pg_createcluster", "--port", String.valueOf(port), "--start", version, name,
                "--", "--auth=trust", "--encoding=UTF8");
        ThrowawayPostgres pg = new ThrowawayPostgres(version, name, port);
        Runtime.getRuntime().addShutdownHook(pg.dropOnExit);
        pg.awaitAnswering();
        return pg;
    }

    /** The server, to create databases in. */
    public Postgres server() {
        return new Postgres(port, "postgres");
    }

    /** The port it listens on (127.0.0.1). */
    public int port() {
        return port;
    }

    /** Stops the server (fast shutdown: open connections are cut, as when a database goes down). */
    public void stop() {
        run("pg_ctlcluster", version, name, "stop", "--mode", "fast");
    }

    /** Starts the server again and waits until it accepts connections. */
    public void start() {
        run("pg_ctlcluster", version, name, "start");
        awaitAnswering();
    }

    /** Stops the cluster and deletes it with its data. */
    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(dropOnExit);
        } catch (IllegalStateException e) {
            // already shutting down: the hook runs anyway
        }
        run("pg_dropcluster", "--stop", version, name);
    }

    private void dropQuietly() {
        try {
            run("pg_dropcluster", "--stop", version, name);
        } catch (AssertionError e) {
            // best effort on JVM exit
        }
    }

    /** pg_isready itself waits (up to 60 s) until the server accepts connections. */
    private void awaitAnswering() {
        run("pg_isready", "-h", "127.0.0.1", "-p", String.valueOf(port), "-t", "60");
    }

    private static String newestVersion() {
        try (var dirs = Files.list(Path.of("/usr/lib/postgresql"))) {
            return dirs.map(p -> p.getFileName().toString())
                    .filter(v -> v.matches("\\d+"))
                    .max(Comparator.comparingInt(Integer::parseInt))
                    .orElseThrow(() -> new AssertionError("no PostgreSQL server installed (.ci/run installs one)"));
        } catch (IOException e) {
            throw new AssertionError("no PostgreSQL server installed (.ci/run installs one): " + e, e);
        }
    }

    private static void run(String... command) {
        List<String> cmd = new ArrayList<>(List.of(command));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", cmd) + " did not finish");
            }
            if (p.exitValue() != 0) {
                throw new AssertionError(String.join(" ", cmd) + " failed (" + p.exitValue() + "): " + out);
            }
        } catch (IOException e) {
            throw new AssertionError("cannot run " + cmd.get(0) + " (postgresql-common; .ci/run installs it): " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
