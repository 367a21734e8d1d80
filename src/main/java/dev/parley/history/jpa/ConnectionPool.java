package dev.parley.history.jpa;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.parley.history.StorageSettings;

import java.util.concurrent.ThreadFactory;

/** Builds the JDBC connection pool (HikariCP) the history store uses, from {@link StorageSettings}. */
final class ConnectionPool {

    private ConnectionPool() {
    }

    /**
     * A pool that starts even when the database is down, waits at most the configured connect timeout
     * for a connection, and replaces broken connections by itself once the database is back.
     */
    static HikariDataSource open(StorageSettings settings, ThreadFactory threads) {
        HikariConfig c = new HikariConfig();
        c.setPoolName("parley-history");
        c.setJdbcUrl(settings.jdbcUrl());
        if (settings.driverClassName() != null) {
            // Named, not found through DriverManager: an application server's class loaders hide WAR drivers from it.
            c.setDriverClassName(settings.driverClassName());
        }
        if (settings.user() != null) {
            c.setUsername(settings.user());
        } else if (settings.embedded()) {
            c.setUsername("sa");
        }
        if (settings.password() != null) {
            c.setPassword(settings.password());
        }
        c.setMaximumPoolSize(settings.poolSize());
        c.setMinimumIdle(Math.min(2, settings.poolSize()));
        c.setConnectionTimeout(settings.connectTimeout().toMillis());
        c.setValidationTimeout(Math.min(settings.connectTimeout().toMillis(), 1000));
        c.setInitializationFailTimeout(-1); // start even when the database is down; it is tried again on use
        c.setAutoCommit(true);
        if (threads != null) {
            c.setThreadFactory(threads);
        }
        if (settings.jdbcUrl().startsWith("jdbc:postgresql:")) {
            c.addDataSourceProperty("reWriteBatchedInserts", "true"); // one multi-row INSERT per batch
            c.addDataSourceProperty("connectTimeout", String.valueOf(Math.max(1, settings.connectTimeout().toSeconds())));
        }
        return new HikariDataSource(c);
    }
}
