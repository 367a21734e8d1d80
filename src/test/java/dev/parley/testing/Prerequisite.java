package dev.parley.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Something outside the JVM that some tests need. Each is probed at most once per test JVM; a test marked
 * {@link Needs} is skipped with the probe's one-line reason when it is missing, or fails instead when the
 * system property {@value #REQUIRE_PROPERTY} names it (or is {@code all}, as {@code .ci/run} sets it).
 */
public enum Prerequisite {

    /** Node.js, which runs the JavaScript client's unit tests ({@code -Dparley.node} names another binary). */
    NODE("node", Prerequisite::probeNode),
    /** npm, which installs the pinned TypeScript compiler from the npm registry ({@code -Dparley.npm} names another binary). */
    NPM("npm", Prerequisite::probeNpm),
    /** Headless Chromium and its chromedriver, for the browser tests. */
    CHROMIUM("chromium", Prerequisite::probeChromium),
    /** The machine's PostgreSQL on 127.0.0.1 ({@code -Dparley.it.pg.port}, default 5432; trust for its user). */
    POSTGRES("postgres", Prerequisite::probePostgres),
    /** Debian's PostgreSQL server and postgresql-common, with which a test makes (as root) a cluster of its own. */
    POSTGRES_CLUSTERS("pg-clusters", Prerequisite::probePostgresClusters),
    /** Git, and the project as a Git checkout. */
    GIT("git", Prerequisite::probeGit),
    /**
     * A Docker daemon that answers {@code docker info}. Not part of {@code all}: the project's machines and CI have
     * the client but no daemon, so the image test skips there with its reason unless {@code docker} is named.
     */
    DOCKER("docker", Prerequisite::probeDocker);

    /** The system property that turns skips into failures: {@code all} (every prerequisite but {@link #DOCKER}), or names such as {@code node,postgres}. */
    public static final String REQUIRE_PROPERTY = "parley.require";

    /** The Node binary. */
    public static final String NODE_BINARY = System.getProperty("parley.node", "node");
    /** The npm binary. */
    public static final String NPM_BINARY = System.getProperty("parley.npm", "npm");
    /** The Chromium binary. */
    public static final String CHROMIUM_BINARY = System.getProperty("parley.chromium", "/usr/bin/chromium");
    /** The chromedriver binary, of the same version as the browser. */
    public static final String CHROMEDRIVER_BINARY = System.getProperty("parley.chromedriver", "/usr/bin/chromedriver");
    /** The port of the machine's PostgreSQL on 127.0.0.1. */
    public static final int POSTGRES_PORT = Integer.getInteger("parley.it.pg.port", 5432);
    /** The PostgreSQL user tests connect as, without a password. */
    public static final String POSTGRES_USER = System.getProperty("parley.it.pg.user", "postgres");

    private static final ConcurrentMap<Prerequisite, Optional<String>> PROBED = new ConcurrentHashMap<>();

    private final String key;
    private final Supplier<Optional<String>> probe;

    Prerequisite(String key, Supplier<Optional<String>> probe) {
        this.key = key;
        this.probe = probe;
    }

    /** The name {@value #REQUIRE_PROPERTY} knows it by. */
    public String key() {
        return key;
    }

    /** Why it is missing, as one line starting with "needs", or empty when it is there; probed once. */
    public Optional<String> missing() {
        return PROBED.computeIfAbsent(this, p -> p.probe.get());
    }

    /** True when {@value #REQUIRE_PROPERTY} says it must be there, so that its absence fails the test. */
    public boolean required() {
        List<String> named = Arrays.stream(System.getProperty(REQUIRE_PROPERTY, "").split(","))
                .map(s -> s.trim().toLowerCase(Locale.ROOT)).toList();
        return (named.contains("all") && this != DOCKER) || named.contains(key);
    }

    private static Optional<String> probeNode() {
        String need = "needs Node.js (" + NODE_BINARY + ", or -Dparley.node=<path>)";
        return run(need, NODE_BINARY, "--version");
    }

    private static Optional<String> probeNpm() {
        return run("needs npm (" + NPM_BINARY + ", or -Dparley.npm=<path>) and the npm registry", NPM_BINARY, "--version");
    }

    private static Optional<String> probeChromium() {
        for (String binary : List.of(CHROMIUM_BINARY, CHROMEDRIVER_BINARY)) {
            if (!Files.isExecutable(Path.of(binary))) {
                return Optional.of("needs Chromium and chromedriver (Debian's chromium, chromium-driver; "
                        + "-Dparley.chromium, -Dparley.chromedriver): " + binary + " is missing");
            }
        }
        return Optional.empty();
    }

    private static Optional<String> probePostgres() {
        String where = "127.0.0.1:" + POSTGRES_PORT;
        DriverManager.setLoginTimeout(5);
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + where + "/postgres", POSTGRES_USER, "")) {
            return c.isValid(5) ? Optional.empty() : Optional.of("needs PostgreSQL on " + where + ": connection not valid");
        } catch (SQLException e) {
            return Optional.of("needs PostgreSQL on " + where + " (user " + POSTGRES_USER + ", trust on loopback): "
                    + firstSentence(e.getMessage()));
        }
    }

    private static Optional<String> probePostgresClusters() {
        String need = "needs PostgreSQL's server and postgresql-common (pg_createcluster), run as root";
        Path lib = Path.of("/usr/lib/postgresql");
        try (var versions = Files.list(lib)) {
            if (versions.noneMatch(v -> Files.isExecutable(v.resolve("bin/postgres")))) {
                return Optional.of(need + ": no server under " + lib);
            }
        } catch (IOException e) {
            return Optional.of(need + ": no " + lib);
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            return Optional.of(need + ": running as " + System.getProperty("user.name"));
        }
        return run(need, "pg_lsclusters", "-h");
    }

    private static Optional<String> probeDocker() {
        return run("needs a running Docker daemon (docker info)", "docker", "info");
    }

    private static Optional<String> probeGit() {
        return run("needs git and the project as a Git checkout", "git", "rev-parse", "--is-inside-work-tree");
    }

    /** Empty when the command exits with 0 within ten seconds, else {@code need} and what went wrong. */
    private static Optional<String> run(String need, String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return Optional.of(need + ": " + command[0] + " did not answer within 10 s");
            }
            return p.exitValue() == 0 ? Optional.empty()
                    : Optional.of(need + ": " + String.join(" ", command) + " exited with " + p.exitValue());
        } catch (IOException e) {
            return Optional.of(need + ": cannot run " + command[0]);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of(need + ": interrupted while probing");
        }
    }

    /** "Connection to 127.0.0.1:1 refused." of the driver's longer advice. */
    private static String firstSentence(String message) {
        String line = message == null ? "" : message.lines().findFirst().orElse("");
        int end = line.indexOf(". ");
        return end < 0 ? line : line.substring(0, end + 1);
    }
}
