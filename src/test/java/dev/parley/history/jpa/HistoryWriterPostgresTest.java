package dev.parley.history.jpa;

import dev.parley.testing.Needs;
import dev.parley.testing.Postgres;
import dev.parley.testing.Prerequisite;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.postgresql.ds.PGSimpleDataSource;

import javax.sql.DataSource;

/** {@link HistoryWriterContract} on PostgreSQL, with batched inserts rewritten into multi-row ones as Parley's pool does. */
@Needs(Prerequisite.POSTGRES)
class HistoryWriterPostgresTest extends HistoryWriterContract {

    private Postgres.Database database;
    private PGSimpleDataSource db;

    @BeforeEach
    void migrate() {
        database = Postgres.main().createDatabase("parley_writer");
        db = new PGSimpleDataSource();
        db.setURL(database.url());
        db.setUser(database.user());
        db.setReWriteBatchedInserts(true);
        SchemaMigration.migrate(db);
    }

    @AfterEach
    void drop() {
        database.close();
    }

    @Override
    DataSource database() {
        return db;
    }
}
