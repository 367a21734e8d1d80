package dev.parley.history.jpa;

import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

import javax.sql.DataSource;
import java.nio.file.Path;

/** {@link HistoryWriterContract} on the embedded database (an H2 file, as Parley's default store). */
class HistoryWriterH2Test extends HistoryWriterContract {

    @TempDir
    Path dir;
    private JdbcDataSource db;

    @BeforeEach
    void migrate() {
        db = new JdbcDataSource();
        db.setURL("jdbc:h2:file:" + dir.resolve("parley") + ";WRITE_DELAY=0");
        db.setUser("sa");
        db.setPassword("");
        SchemaMigration.migrate(db);
    }

    @Override
    DataSource database() {
        return db;
    }
}
