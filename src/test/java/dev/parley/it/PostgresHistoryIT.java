package dev.parley.it;

import dev.parley.it.support.PayaraProcess;
import dev.parley.testing.Needs;
import dev.parley.testing.Postgres;
import dev.parley.testing.Prerequisite;
import org.junit.jupiter.api.AfterAll;

/**
 * The durability scenarios on PostgreSQL (the machine's server on 127.0.0.1:5432), configured the way an
 * operator does it: {@code PARLEY_DB_URL}, {@code PARLEY_DB_USER}, {@code PARLEY_DB_PASSWORD} in the
 * environment. A database of its own, dropped afterwards.
 */
@Needs(Prerequisite.POSTGRES)
class PostgresHistoryIT extends HistoryScenarios {

    private final Postgres.Database db = Postgres.main().createDatabase("parley_it_history");

    @Override
    PayaraProcess.Builder server() {
        return PayaraProcess.builder("postgres-history")
                .env("PARLEY_DB_URL", db.url())
                .env("PARLEY_DB_USER", db.user())
                .env("PARLEY_DB_PASSWORD", "unused-with-trust");
    }

    @Override
    long storedRows(String room) {
        return db.queryLong("SELECT COUNT(*) FROM parley_message WHERE room = ?", room);
    }

    @Override
    boolean rowsReadableWhileRunning() {
        return true;
    }

    @AfterAll
    void dropDatabase() {
        stopServer();
        db.close();
    }
}
