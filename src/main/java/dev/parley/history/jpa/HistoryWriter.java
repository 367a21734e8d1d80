package dev.parley.history.jpa;

import dev.parley.history.Appended;
import dev.parley.history.Draft;
import dev.parley.history.StoreUnavailableException;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The writing half of the history store: stores each batch of drafts in one JDBC transaction
 * ({@link AppendTransaction}) and numbers rooms from its memory ({@link RoomSeqs}). Used by the sequencer's single
 * thread only, except {@link #disown}. A batch that conflicts with another writer (a room another owner wrote, a
 * ref stored at the same moment elsewhere) is tried again with the rooms read afresh; any other failure makes the
 * whole batch fail, nothing of it stored.
 */
final class HistoryWriter {

    private static final Logger LOG = Logger.getLogger(HistoryWriter.class.getName());
    /** Tries of a batch that conflicts with another writer's. */
    static final int ATTEMPTS = 3;

    private final DataSource pool;
    private final long windowMillis;
    private final Function<Throwable, String> describe;
    private final RoomSeqs seqs = new RoomSeqs();

    /**
     * @param windowMillis how long a ref makes a repeated draft a duplicate
     * @param describe     what a failure says, for the {@link StoreUnavailableException}'s message
     */
    HistoryWriter(DataSource pool, long windowMillis, Function<Throwable, String> describe) {
        this.pool = pool;
        this.windowMillis = windowMillis;
        this.describe = describe;
    }

    /**
     * Stores the drafts as one transaction and returns one result per draft, in order, once it is committed.
     *
     * @throws StoreUnavailableException if nothing was stored
     */
    List<Appended> append(List<Draft> drafts) {
        for (int attempt = 1; ; attempt++) {
            try {
                return appendOnce(drafts);
            } catch (SQLException | RuntimeException e) {
                // Committed or not (a commit that failed on its way back may have been), the batch's rooms are read
                // from the table again by the next batch that uses them.
                for (Draft d : drafts) {
                    if (d instanceof Draft.ToRoom r) {
                        seqs.forget(r.room());
                    }
                }
                if (attempt < ATTEMPTS && Sql.conflict(e)) {
                    LOG.log(Level.FINE, "batch conflicted with another writer; reading its rooms and refs again", e);
                    continue;
                }
                throw new StoreUnavailableException("database unavailable: " + describe.apply(e), e);
            }
        }
    }

    /** See {@link dev.parley.history.MessageStore#disown}. Any thread. */
    void disown(String room) {
        seqs.forget(room);
    }

    /** One attempt: one transaction on a connection of the pool, committed before it returns. */
    private List<Appended> appendOnce(List<Draft> drafts) throws SQLException {
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            try {
                AppendTransaction tx = new AppendTransaction(c, seqs, windowMillis);
                List<Appended> out = tx.append(drafts);
                c.commit();
                seqs.advanced(tx.lastSeqs());
                return out;
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException rollback) {
                    e.addSuppressed(rollback);
                }
                throw e; // the pool sets auto-commit back when the connection returns to it
            }
        }
    }
}
