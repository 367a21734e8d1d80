package dev.parley.it;

import dev.parley.it.support.PayaraProcess;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;

/**
 * The durability scenarios on the out-of-the-box store: the embedded H2 file under {@code parley.data.dir}
 * (a fresh folder under target/), no database settings at all.
 */
class EmbeddedHistoryIT extends HistoryScenarios {

    private final Path dataDir = Path.of("target", "it-data", "embedded-" + UUID.randomUUID()).toAbsolutePath();

    @Override
    PayaraProcess.Builder server() {
        return PayaraProcess.builder("embedded-history")
                .withoutEnv("PARLEY_DB_URL").withoutEnv("PARLEY_DB_USER").withoutEnv("PARLEY_DB_PASSWORD")
                .property("parley.data.dir", dataDir.toString());
    }

    /** Opens the H2 file directly; only possible while no server holds it. */
    @Override
    long storedRows(String room) {
        try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + dataDir.resolve("parley") + ";IFEXISTS=TRUE", "sa", "");
             PreparedStatement s = c.prepareStatement("SELECT COUNT(*) FROM parley_message WHERE room = ?")) {
            s.setString(1, room);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        } catch (SQLException e) {
            throw new AssertionError("cannot read the embedded database in " + dataDir + ": " + e.getMessage(), e);
        }
    }

    @Override
    boolean rowsReadableWhileRunning() {
        return false;
    }
}
