package dev.parley.history.jpa;

import dev.parley.testing.Needs;
import dev.parley.testing.Postgres;
import dev.parley.testing.Prerequisite;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;

import javax.sql.DataSource;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A database whose schema the previous Flyway (the one Parley shipped before, {@code flyway.previous.version}
 * in the POM, loaded in a class loader of its own) created is taken over by today's {@link SchemaMigration}:
 * the history is validated, nothing is migrated again, and the stored rows are still there.
 */
class SchemaUpgradeTest {

    /** The history table {@link SchemaMigration} names. */
    private static final String HISTORY_TABLE = "parley_schema_history";
    /** The previous Flyway's version; the build copies its jars to {@code target/flyway-<version>}. */
    private static final String PREVIOUS = System.getProperty("parley.flyway.previous.version", "11.14.1");

    @Test
    void anEmbeddedDatabaseMadeByThePreviousFlywayIsTakenOver(@TempDir Path dir) throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("parley") + ";DB_CLOSE_DELAY=0";
        JdbcDataSource dataSource = new JdbcDataSource();
        dataSource.setURL(url);
        dataSource.setUser("sa");
        dataSource.setPassword("");
        takesOver(url, "sa", "", dataSource);
    }

    @Test
    @Needs(Prerequisite.POSTGRES)
    void aPostgresDatabaseMadeByThePreviousFlywayIsTakenOver() throws Exception {
        try (Postgres.Database db = Postgres.main().createDatabase("parley_upgrade")) {
            PGSimpleDataSource dataSource = new PGSimpleDataSource();
            dataSource.setURL(db.url());
            dataSource.setUser(db.user());
            takesOver(db.url(), db.user(), "", dataSource);
        }
    }

    private static void takesOver(String url, String user, String password, DataSource dataSource) throws Exception {
        previousFlywayMigrates(url, user, password);
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO parley_message (room, seq, sender, body, sent_at) VALUES ('lobby', 1, 'ada', 'hi', 0)");
            // Direct messages of version 1, between users whose names order differently by case and by collation.
            s.executeUpdate("INSERT INTO parley_direct (id, sender, recipient, body, sent_at, held) VALUES "
                    + "(1, 'bob', 'Ada', 'a', 0, FALSE), (2, 'Ada', 'bob', 'b', 0, FALSE), (3, 'ada', 'carl', 'c', 0, TRUE), "
                    + "(4, 'bob', 'Ada', 'd', 0, FALSE)");
        }
        List<String> before = history(dataSource);
        // On H2 Flyway also records that it made the schema (a row without a version).
        List<String> versions = before.stream().filter(row -> !row.startsWith("null ")).toList();
        assertEquals(1, versions.size(), () -> "the previous Flyway applied version 1 only: " + before);
        assertTrue(versions.get(0).startsWith("1 ") && versions.get(0).endsWith(" true"), before::toString);

        SchemaMigration.migrate(dataSource); // validates the history first: a checksum it disagrees with throws

        List<String> after = history(dataSource);
        assertEquals(before, after.subList(0, before.size()), "taken over: nothing applied again, nothing repaired");
        List<String> added = after.subList(before.size(), after.size());
        assertEquals(List.of("2", "3", "3.1"), added.stream().map(row -> row.split(" ")[0]).toList(),
                () -> "versions 2, 3 and 3.1 are new: " + after);
        added.forEach(row -> assertTrue(row.endsWith(" true"), after::toString));
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT sender, body, app_data FROM parley_message WHERE room = 'lobby' AND seq = 1")) {
            assertTrue(r.next(), "the stored message is still there");
            assertEquals("ada hi", r.getString(1) + " " + r.getString(2));
            assertNull(r.getString(3), "a message of version 1 has no data");
        }
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT COUNT(*) FROM parley_conversation")) {
            assertTrue(r.next());
            assertEquals(4, r.getLong(1), "version 3.1 gave the old direct messages' users their conversations");
        }
        assertEquals(List.of("1 pair/Ada/bob 1", "2 pair/Ada/bob 2", "3 pair/ada/carl 1", "4 pair/Ada/bob 3"),
                rows(dataSource, "SELECT id, pair_key, seq FROM parley_direct ORDER BY id"));
        assertEquals(List.of("pair/Ada/bob 3", "pair/ada/carl 1"),
                rows(dataSource, "SELECT name, head FROM parley_counter WHERE name LIKE 'pair/%' ORDER BY name"));
        assertEquals(List.of("Ada direct/bob 3", "ada direct/carl 1", "bob direct/Ada 3", "carl direct/ada 1"),
                rows(dataSource, "SELECT username, conversation, read_seq FROM parley_conversation").stream().sorted().toList(),
                "read up to the newest: an upgrade makes nothing unread");
    }

    /** Each row of a query as its columns joined by spaces. */
    private static List<String> rows(DataSource dataSource, String query) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement(); ResultSet r = s.executeQuery(query)) {
            int columns = r.getMetaData().getColumnCount();
            while (r.next()) {
                StringBuilder row = new StringBuilder();
                for (int i = 1; i <= columns; i++) {
                    row.append(i > 1 ? " " : "").append(r.getString(i));
                }
                out.add(row.toString());
            }
        }
        return out;
    }

    /** Runs the previous Flyway's migrate with Parley's settings (location and history table). */
    private static void previousFlywayMigrates(String url, String user, String password) throws Exception {
        try (URLClassLoader loader = previousFlyway()) {
            Class<?> flyway = loader.loadClass("org.flywaydb.core.Flyway");
            Object config = flyway.getMethod("configure", ClassLoader.class).invoke(null, loader);
            config = config.getClass().getMethod("dataSource", String.class, String.class, String.class)
                    .invoke(config, url, user, password);
            config = config.getClass().getMethod("locations", String[].class)
                    .invoke(config, (Object) new String[]{SchemaMigration.LOCATION});
            config = config.getClass().getMethod("table", String.class).invoke(config, HISTORY_TABLE);
            // The schema the release before application data shipped: version 1 only.
            config = config.getClass().getMethod("target", String.class).invoke(config, "1");
            Object loaded = config.getClass().getMethod("load").invoke(config);
            Object result = loaded.getClass().getMethod("migrate").invoke(loaded);
            assertEquals(1, result.getClass().getField("migrationsExecuted").getInt(result));
            assertEquals(PREVIOUS, result.getClass().getField("flywayVersion").get(result), "the previous Flyway made it");
        }
    }

    /**
     * The previous Flyway's jars (copied by the build), with the JDBC drivers and Parley's migrations, under
     * the platform class loader, so that none of today's Flyway classes can be seen.
     */
    private static URLClassLoader previousFlyway() throws IOException {
        Path jars = Path.of("target", "flyway-" + PREVIOUS);
        assertTrue(Files.isDirectory(jars), () -> jars + " is missing: the build copies the previous Flyway there");
        List<URL> urls = new ArrayList<>();
        try (Stream<Path> files = Files.list(jars)) {
            for (Path jar : files.filter(f -> f.toString().endsWith(".jar")).toList()) {
                urls.add(jar.toUri().toURL());
            }
        }
        urls.add(codeSource(org.h2.Driver.class));
        urls.add(codeSource(org.postgresql.Driver.class));
        urls.add(codeSource(SchemaMigration.class)); // the migrations are resources beside the classes
        return new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
    }

    private static URL codeSource(Class<?> type) throws MalformedURLException {
        return type.getProtectionDomain().getCodeSource().getLocation();
    }

    /** One line per applied migration: its version, checksum and success. */
    private static List<String> history(DataSource dataSource) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT \"version\", \"checksum\", \"success\" FROM \"" + HISTORY_TABLE
                     + "\" ORDER BY \"installed_rank\"");
             ResultSet r = s.executeQuery()) {
            while (r.next()) {
                rows.add(r.getString(1) + " " + r.getInt(2) + " " + r.getBoolean(3));
            }
        }
        return rows;
    }
}
