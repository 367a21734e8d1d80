package dev.parley.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;

/**
 * A PostgreSQL server on loopback that tests create their own databases in (unique names, dropped after).
 * {@link #main()} is the machine's server on 127.0.0.1:5432, user {@code postgres}, trust authentication;
 * {@code .ci/run} makes sure it runs.
 */
public final class Postgres {

    private final int port;
    private final String user;

    /** A server on 127.0.0.1 at {@code port}, reached as {@code user} without a password. */
    public Postgres(int port, String user) {
        this.port = port;
        this.user = user;
    }

    /**
     * The machine's server (port from system property {@code parley.it.pg.port}, default 5432); tests that use
     * it are marked {@code @Needs(POSTGRES)}.
     */
    public static Postgres main() {
        return new Postgres(Prerequisite.POSTGRES_PORT, Prerequisite.POSTGRES_USER);
    }

    /** The server's port. */
    public int port() {
        return port;
    }

    /** The user tests connect as. */
    public String user() {
        return user;
    }

    /** The JDBC URL of a database on this server. */
    public String url(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    /** Creates a database with a unique name starting with {@code prefix}. */
    public Database createDatabase(String prefix) {
        String name = (prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12)).toLowerCase(Locale.ROOT);
        try (Connection c = connect("postgres"); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new AssertionError("cannot create database " + name + " on port " + port + ": " + e.getMessage(), e);
        }
        return new Database(name);
    }

    /** True when the server accepts connections now. */
    public boolean answers() {
        try (Connection c = connect("postgres")) {
            return c.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    private Connection connect(String database) throws SQLException {
        DriverManager.setLoginTimeout(5);
        return DriverManager.getConnection(url(database), user, "");
    }

    /** One test's database; {@link #close()} drops it (closing the server's own connections to it first). */
    public final class Database implements AutoCloseable {
        private final String name;

        private Database(String name) {
            this.name = name;
        }

        /** The database's name. */
        public String name() {
            return name;
        }

        /** Its JDBC URL. */
        public String url() {
            return Postgres.this.url(name);
        }

        /** The server's user. */
        public String user() {
            return user;
        }

        /** The single number a query answers, e.g. a count. */
        public long queryLong(String sql, Object... args) {
            try (Connection c = connect(name); PreparedStatement s = c.prepareStatement(sql)) {
                for (int i = 0; i < args.length; i++) {
                    s.setObject(i + 1, args[i]);
                }
                try (ResultSet r = s.executeQuery()) {
                    if (!r.next()) {
                        throw new AssertionError("no row for " + sql);
                    }
                    return r.getLong(1);
                }
            } catch (SQLException e) {
                throw new AssertionError("query failed: " + sql + ": " + e.getMessage(), e);
            }
        }

        @Override
        public void close() {
            try (Connection c = connect("postgres"); Statement s = c.createStatement()) {
                s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            } catch (SQLException e) {
                throw new AssertionError("cannot drop database " + name + ": " + e.getMessage(), e);
            }
        }
    }
}
