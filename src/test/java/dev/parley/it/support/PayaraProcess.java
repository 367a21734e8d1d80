package dev.parley.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * Parley on Payara Micro in a child process, for tests that need what Arquillian cannot give: killing the
 * server ({@code kill -9}), stopping it gracefully, restarting it on the same port, or running it exactly
 * as an operator does.
 *
 * <p>Runs {@code java -jar payara-micro.jar --deploy parley.war --port <free> --nocluster} plus the
 * configured {@code -D} settings, environment and options, with Payara's runtime folder and the log under
 * {@code target/}. {@link #start()} returns once Payara says it is ready and the web page answers, and
 * fails fast (with the log's tail) when the log says "Failed to start", the process exits, or the startup
 * timeout passes. Traffic stays on 127.0.0.1. Not thread-safe: one test thread drives it.
 *
 * <pre>{@code
 * try (PayaraProcess server = PayaraProcess.builder("history").property("parley.data.dir", dir).build()) {
 *     server.start();
 *     ... TestClient.connect(server.chat("name=alice")) ...
 *     server.kill();      // kill -9
 *     server.start();     // same port, same settings
 * }
 * }</pre>
 */
public final class PayaraProcess implements AutoCloseable {

    /** Log lines that mean Payara will not serve the application. */
    public static final List<String> FAILURE_MARKERS = List.of("Failed to start", "Exception while loading the app",
            "Exception while deploying", "Deployment failed");

    private static final String READY_MARKER = "ready in";
    private static final AtomicInteger RUNS = new AtomicInteger();

    private final String name;
    private final Path microJar;
    private final Path war;
    private final String contextRoot;
    private final int port;
    private final Map<String, String> properties;
    private final Map<String, String> environment;
    private final List<String> unsetEnvironment;
    private final List<String> jvmOptions;
    private final List<String> extraArgs;
    private final List<String> clusterArgs;
    private final Duration startupTimeout;
    private final Path workDir;
    private Process process;
    private Path log;
    private int starts;

    private PayaraProcess(Builder b) {
        this.name = b.name;
        this.microJar = b.microJar;
        this.war = b.war;
        this.contextRoot = b.contextRoot;
        this.port = b.port > 0 ? b.port : freePort();
        this.properties = Map.copyOf(b.properties);
        this.environment = Map.copyOf(b.environment);
        this.unsetEnvironment = List.copyOf(b.unsetEnvironment);
        this.jvmOptions = List.copyOf(b.jvmOptions);
        this.extraArgs = List.copyOf(b.extraArgs);
        this.clusterArgs = List.copyOf(b.clusterArgs);
        this.startupTimeout = b.startupTimeout;
        this.workDir = Path.of("target", "it-payara", name + "-" + ProcessHandle.current().pid() + "-" + RUNS.incrementAndGet())
                .toAbsolutePath();
    }

    /** A builder for a server named {@code name} (used for its folder and log file names). */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /**
     * Starts the server (again, after {@link #stop} or {@link #kill}: same port and settings, a new log) and
     * waits until it serves the application. Throws {@link AssertionError} with the log's tail otherwise.
     */
    public PayaraProcess start() {
        if (isAlive()) {
            throw new IllegalStateException("already running: " + this);
        }
        starts++;
        try {
            Path root = workDir.resolve("runtime-" + starts);
            Files.createDirectories(root);
            log = workDir.resolve("payara-" + starts + ".log");
            ProcessBuilder pb = new ProcessBuilder(command(root))
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            unsetEnvironment.forEach(pb.environment()::remove);
            pb.environment().putAll(environment);
            process = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start Payara Micro for " + name, e);
        }
        awaitReady();
        return this;
    }

    /**
     * Stops the server gracefully (SIGTERM, so shutdown hooks and undeployment run) and waits for it to exit.
     * Returns the exit code.
     */
    public int stop() {
        return stop(Duration.ofSeconds(60));
    }

    /** Like {@link #stop()}, killing the process if it has not exited within {@code timeout}. */
    public int stop(Duration timeout) {
        if (process == null) {
            return -1;
        }
        process.destroy();
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Kills the server at once ({@code kill -9}: nothing runs on the way out) and waits until it is gone. */
    public void kill() {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new AssertionError("process " + process.pid() + " did not die");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** True while the process runs. */
    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** The process id of the current run. */
    public long pid() {
        return process.pid();
    }

    /** The HTTP port. */
    public int port() {
        return port;
    }

    /** An HTTP URI of the application on loopback, e.g. {@code http("index.html")}. */
    public URI http(String relative) {
        return URI.create("http://127.0.0.1:" + port + base() + relative);
    }

    /** The chat WebSocket's URI on loopback with the given query (null for none). */
    public URI chat(String query) {
        return URI.create("ws://127.0.0.1:" + port + base() + "chat" + (query == null ? "" : "?" + query));
    }

    /** The current run's log file. */
    public Path log() {
        return log;
    }

    /** The current run's log, whole. */
    public String logText() {
        try {
            return log == null ? "" : Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    /** The last {@code lines} lines of the current run's log. */
    public String logTail(int lines) {
        List<String> all = logText().lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    /** Waits until a log line matches, within {@code timeout}; fails with the log's tail otherwise. */
    public String awaitLog(Predicate<String> match, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (String line : logText().lines().toList()) {
                if (match.test(line)) {
                    return line;
                }
            }
            pause();
        }
        throw new AssertionError("no matching log line within " + timeout + "; log tail:\n" + logTail(40));
    }

    /** Kills the server if it still runs. */
    @Override
    public void close() {
        if (isAlive()) {
            kill();
        }
    }

    @Override
    public String toString() {
        return "PayaraProcess[" + name + ", port " + port + (isAlive() ? ", pid " + process.pid() : ", stopped") + "]";
    }

    private List<String> command(Path root) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        properties.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.addAll(List.of("-jar", microJar.toString()));
        if (war != null) {
            cmd.addAll(List.of("--deploy", war.toString(), "--contextroot", contextRoot));
        }
        cmd.addAll(List.of("--port", String.valueOf(port),
                "--rootdir", root.toString()));
        cmd.addAll(clusterArgs.isEmpty() ? List.of("--nocluster") : clusterArgs);
        cmd.addAll(extraArgs);
        return cmd;
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + startupTimeout.toNanos();
        boolean announced = false;
        while (true) {
            String text = logText();
            for (String marker : FAILURE_MARKERS) {
                if (text.contains(marker)) {
                    kill();
                    throw new AssertionError(name + ": log says \"" + marker + "\"; log tail:\n" + logTail(60));
                }
            }
            if (!process.isAlive()) {
                throw new AssertionError(name + ": Payara Micro exited with " + process.exitValue() + "; log tail:\n" + logTail(60));
            }
            announced = announced || text.contains(READY_MARKER);
            if (announced && answers()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                kill();
                throw new AssertionError(name + ": not ready within " + startupTimeout + "; log tail:\n" + logTail(60));
            }
            pause();
        }
    }

    /** True when the application's web page answers 200. */
    private boolean answers() {
        try {
            HttpResponse<Void> r = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()
                    .send(HttpRequest.newBuilder(http("")).timeout(Duration.ofSeconds(5)).GET().build(),
                            HttpResponse.BodyHandlers.discarding());
            return r.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private String base() {
        return contextRoot.endsWith("/") ? contextRoot : contextRoot + "/";
    }

    /**
     * Between two looks at the child's log (it gives no other signal): waits for the process to end, for at
     * most 200 ms, so a server that dies is noticed at once.
     */
    private void pause() {
        try {
            if (process != null) {
                process.waitFor(200, TimeUnit.MILLISECONDS);
            } else {
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** A free TCP port on loopback (free when asked; Payara's "Failed to start" catches the rare race). */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Settings for a {@link PayaraProcess}; defaults come from failsafe's system properties. */
    public static final class Builder {
        private final String name;
        private Path microJar = Path.of(System.getProperty("payara.microJar", "target/payara-micro.jar")).toAbsolutePath();
        private Path war = Path.of(System.getProperty("parley.war", "target/parley.war")).toAbsolutePath();
        private String contextRoot = "/";
        private int port;
        private final Map<String, String> properties = new LinkedHashMap<>();
        private final Map<String, String> environment = new LinkedHashMap<>();
        private final List<String> unsetEnvironment = new ArrayList<>();
        private final List<String> jvmOptions = new ArrayList<>(List.of("-Xmx768m", "-Dhazelcast.socket.bind.any=false"));
        private final List<String> extraArgs = new ArrayList<>();
        private final List<String> clusterArgs = new ArrayList<>();
        // -Dparley.it.startup-seconds: more on a machine so busy that Payara takes minutes to deploy
        private Duration startupTimeout = Duration.ofSeconds(Long.getLong("parley.it.startup-seconds", 180));

        private Builder(String name) {
            this.name = name;
        }

        /** The Payara Micro jar (default: system property {@code payara.microJar}). */
        public Builder microJar(Path jar) {
            this.microJar = jar.toAbsolutePath();
            return this;
        }

        /** The WAR to deploy (default: system property {@code parley.war}). */
        public Builder war(Path war) {
            this.war = war.toAbsolutePath();
            return this;
        }

        /**
         * A runnable jar that carries its application (Payara Micro's {@code --outputuberjar}, built with context
         * root "/"), run instead of Payara Micro with a WAR.
         */
        public Builder uberJar(Path jar) {
            this.microJar = jar.toAbsolutePath();
            this.war = null;
            this.contextRoot = "/";
            return this;
        }

        /** The context root (default "/", as the README's run command). */
        public Builder contextRoot(String root) {
            this.contextRoot = root.startsWith("/") ? root : "/" + root;
            return this;
        }

        /** A fixed HTTP port (default: a free one, kept across restarts). */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** A system property ({@code -Dkey=value}), e.g. a MicroProfile Config setting. */
        public Builder property(String key, String value) {
            properties.put(key, value);
            return this;
        }

        /** An environment variable of the child process, e.g. {@code PARLEY_DB_URL}. */
        public Builder env(String key, String value) {
            environment.put(key, value);
            return this;
        }

        /** Removes an environment variable the child would otherwise inherit from the test JVM. */
        public Builder withoutEnv(String key) {
            unsetEnvironment.add(key);
            return this;
        }

        /** A JVM option before {@code -jar}, e.g. {@code -Xmx1g}. */
        public Builder jvmOption(String option) {
            jvmOptions.add(option);
            return this;
        }

        /** An extra Payara Micro argument after the standard ones. */
        public Builder arg(String arg) {
            extraArgs.add(arg);
            return this;
        }

        /**
         * Runs the node clustered instead of with {@code --nocluster}: Payara Micro's own flags for a cluster named
         * {@code name} on loopback, found by TCP/IP at the given Hazelcast ports (this node listening on
         * {@code ownPort}, one of them), so it never meets the nodes of another test or build on the machine.
         */
        public Builder cluster(String name, List<Integer> hazelcastPorts, int ownPort) {
            clusterArgs.clear();
            clusterArgs.addAll(List.of("--clustername", name,
                    "--clustermode", "tcpip:" + String.join(",", hazelcastPorts.stream().map(p -> "127.0.0.1:" + p).toList()),
                    "--interfaces", "127.0.0.1", "--startport", String.valueOf(ownPort)));
            return this;
        }

        /** How long {@link PayaraProcess#start()} may wait (default 180 s: the machine may be busy). */
        public Builder startupTimeout(Duration timeout) {
            this.startupTimeout = timeout;
            return this;
        }

        /** The process, not started yet. */
        public PayaraProcess build() {
            return new PayaraProcess(this);
        }
    }
}
