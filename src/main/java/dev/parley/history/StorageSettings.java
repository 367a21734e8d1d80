package dev.parley.history;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * Where messages are stored, read once at start by {@link StorageSettingsProducer}. Immutable;
 * {@link #toString()} never shows the password.
 *
 * @param kind           the store: {@link Kind#DATABASE} (JPA over JDBC) or {@link Kind#MEMORY}
 * @param dataDir        the folder of the embedded database, used when {@code url} is null
 * @param url            the JDBC URL of an external database (PostgreSQL), or null for the embedded one
 * @param user           the database user, or null
 * @param password       the database password, or null
 * @param poolSize       the most connections the pool opens
 * @param connectTimeout how long a store operation waits for a connection before it reports the store unavailable
 */
public record StorageSettings(Kind kind, Path dataDir, String url, String user, String password, int poolSize,
                              Duration connectTimeout) {

    /** The kinds of store. */
    public enum Kind {
        /** Jakarta Persistence over a JDBC pool: PostgreSQL or the embedded H2 file. */
        DATABASE,
        /** In memory: lost on restart. For tests and benchmarks. */
        MEMORY
    }

    /** The embedded database's file name (H2 adds {@code .mv.db}). */
    public static final String EMBEDDED_NAME = "parley";

    /** The JDBC URL the pool connects to: the external one, or the embedded H2 file under {@link #dataDir}. */
    public String jdbcUrl() {
        if (url != null) {
            return url;
        }
        // WRITE_DELAY=0: H2 writes each commit to its file at once, so an acknowledged message survives kill -9.
        // DB_CLOSE_ON_EXIT=FALSE: the store closes the database on undeploy; H2's own JVM shutdown hook would race
        // the server's shutdown and fail once the application's class loader is gone.
        return "jdbc:h2:file:" + dataDir.toAbsolutePath().normalize().resolve(EMBEDDED_NAME) + ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE";
    }

    /** True when the data goes to the embedded H2 file. */
    public boolean embedded() {
        return url == null;
    }

    /** The JDBC driver class for {@link #jdbcUrl()}, or null to let the pool find one. */
    public String driverClassName() {
        String u = jdbcUrl().toLowerCase(Locale.ROOT);
        if (u.startsWith("jdbc:h2:")) {
            return "org.h2.Driver";
        }
        if (u.startsWith("jdbc:postgresql:")) {
            return "org.postgresql.Driver";
        }
        return null;
    }

    /** {@link #jdbcUrl()} with any password in it masked, for logs. */
    public String safeUrl() {
        return jdbcUrl().replaceAll("(?i)(password=)[^&;]*", "$1***");
    }

    @Override
    public String toString() {
        return "StorageSettings[kind=" + kind + ", url=" + safeUrl() + ", user=" + user
                + ", password=" + (password == null ? "none" : "(set)") + ", poolSize=" + poolSize
                + ", connectTimeout=" + connectTimeout + "]";
    }
}
