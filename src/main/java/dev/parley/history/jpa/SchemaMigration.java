package dev.parley.history.jpa;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

import javax.sql.DataSource;
import java.util.logging.Logger;

/**
 * Creates or upgrades the history tables with Flyway, from the SQL migrations in {@code db/parley} and the Java
 * ones listed here (handed over as instances: no class path scanning, which differs between servers).
 */
final class SchemaMigration {

    private static final Logger LOG = Logger.getLogger(SchemaMigration.class.getName());

    /** Where the migrations are, on the class path. */
    static final String LOCATION = "classpath:db/parley";

    private SchemaMigration() {
    }

    /** Applies the migrations the database does not have yet; throws when the database cannot be reached. */
    static void migrate(DataSource dataSource) {
        MigrateResult result = Flyway.configure(SchemaMigration.class.getClassLoader())
                .dataSource(dataSource)
                .locations(LOCATION)
                .javaMigrations(new V3_1__DirectConversationSeqs())
                .table("parley_schema_history")
                .load()
                .migrate();
        LOG.info(() -> "history schema at version " + result.targetSchemaVersion
                + " (" + result.migrationsExecuted + " migrations applied now)");
    }
}
