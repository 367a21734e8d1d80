package dev.parley.history.jpa;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import dev.parley.history.Appended;
import dev.parley.history.Conversation;
import dev.parley.history.DirectRecovery;
import dev.parley.history.Mark;
import dev.parley.history.Marked;
import dev.parley.message.ConversationId;
import dev.parley.message.DirectMessage;
import dev.parley.history.Draft;
import dev.parley.history.MessageStore;
import dev.parley.history.PoolUse;
import dev.parley.history.Recovery;
import dev.parley.message.RoomMessage;
import dev.parley.history.StorageSettings;
import dev.parley.history.StoreUnavailableException;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.EntityTransaction;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A {@link MessageStore} in a relational database through Jakarta Persistence: PostgreSQL, or an embedded
 * H2 file. Each {@link #append} batch is one JDBC transaction (group commit, {@link HistoryWriter}): room
 * seqs come from the writer's memory of each room ({@link RoomSeqs}, recovered from the table on first use),
 * direct message ids from a counter row locked in that transaction, and refs are checked and recorded in it, so a
 * message is either stored with its ref or not at all. Reads go through Jakarta Persistence.
 *
 * <p>The store starts even when the database is down: it connects, migrates the schema and reads the epoch
 * on first success, and until then (and whenever the database fails) operations throw
 * {@link StoreUnavailableException}. The pool reconnects by itself when the database returns.
 */
public final class JpaMessageStore implements MessageStore {

    private static final Logger LOG = Logger.getLogger(JpaMessageStore.class.getName());
    private static final long RETRY_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final long PURGE_NANOS = TimeUnit.MINUTES.toNanos(10);
    private static final int VALIDATION_SECONDS = 2;

    /** The database once reached: its entity managers and its epoch. */
    private record Opened(EntityManagerFactory emf, String epoch) {
    }

    private final StorageSettings settings;
    private final HikariDataSource pool;
    private final long windowMillis;
    private final ReentrantLock opening = new ReentrantLock();
    private final HistoryWriter writer;
    private volatile Opened opened;
    private long nextAttempt = System.nanoTime();
    private long nextPurge = System.nanoTime() + PURGE_NANOS;
    private RuntimeException lastFailure;

    /**
     * Builds the pool and tries the database once; a database that is down is only logged.
     *
     * @param threads makes the pool's housekeeping threads (a container's managed factory), or null
     */
    public JpaMessageStore(StorageSettings settings, Duration idempotencyWindow, ThreadFactory threads) {
        this.settings = settings;
        this.windowMillis = idempotencyWindow.toMillis();
        this.pool = ConnectionPool.open(settings, threads);
        this.writer = new HistoryWriter(pool, windowMillis, JpaMessageStore::describe);
        try {
            opened();
        } catch (StoreUnavailableException e) {
            LOG.log(Level.WARNING, "history database not reachable yet (" + describe(e.getCause())
                    + "); sends are refused as unavailable until it is", e.getCause());
        }
    }

    @Override
    public PoolUse poolUse() {
        HikariPoolMXBean figures = pool.getHikariPoolMXBean();
        if (figures == null) {
            return new PoolUse(0, 0, 0, pool.getMaximumPoolSize()); // not started yet
        }
        return new PoolUse(figures.getActiveConnections(), figures.getIdleConnections(),
                figures.getThreadsAwaitingConnection(), pool.getMaximumPoolSize());
    }

    @Override
    public boolean reachable() {
        try {
            opened();
            try (Connection c = pool.getConnection()) {
                return c.isValid(VALIDATION_SECONDS);
            }
        } catch (SQLException | RuntimeException e) { // StoreUnavailableException among them
            return false;
        }
    }

    @Override
    public List<Appended> append(List<Draft> drafts) {
        purgeExpiredRefs(opened());
        return writer.append(drafts);
    }

    @Override
    public void disown(String room) {
        writer.disown(room);
    }

    @Override
    public List<DirectMessage> releaseHeld(String user, int limit) {
        return inTransaction(opened(), em -> {
            List<DirectMessageRow> rows = em.createQuery(
                            "SELECT d FROM DirectMessageRow d WHERE d.recipient = :user AND d.held = TRUE ORDER BY d.id",
                            DirectMessageRow.class)
                    .setParameter("user", user)
                    .setMaxResults(limit)
                    .getResultList();
            // Claim row by row with a conditional update (portable, unlike FOR UPDATE with a row limit): a row
            // another server released meanwhile is skipped, so each message is handed out once.
            List<DirectMessage> claimed = new ArrayList<>(rows.size());
            for (DirectMessageRow row : rows) {
                int updated = em.createQuery("UPDATE DirectMessageRow d SET d.held = FALSE WHERE d.id = :id AND d.held = TRUE")
                        .setParameter("id", row.toMessage().id())
                        .executeUpdate();
                if (updated == 1) {
                    claimed.add(row.toMessage());
                }
            }
            return claimed;
        });
    }

    @Override
    public List<RoomMessage> page(String room, Long before, int limit) {
        return read(opened(), em -> {
            List<RoomMessage> out = new ArrayList<>(em.createQuery(
                            "SELECT m FROM RoomMessageRow m WHERE m.room = :room AND m.seq < :before ORDER BY m.seq DESC",
                            RoomMessageRow.class)
                    .setParameter("room", room)
                    .setParameter("before", before == null ? Long.MAX_VALUE : before)
                    .setMaxResults(limit)
                    .getResultList().stream().map(RoomMessageRow::toMessage).toList());
            Collections.reverse(out);
            return out;
        });
    }

    @Override
    public Recovery since(String room, long since, int limit) {
        return read(opened(), em -> {
            // The head is the newest stored seq; the writer keeps its next seq in memory, no counter row.
            Long newest = em.createQuery("SELECT MAX(m.seq) FROM RoomMessageRow m WHERE m.room = :room", Long.class)
                    .setParameter("room", room)
                    .getSingleResult();
            long head = newest == null ? 0 : newest;
            List<RoomMessageRow> rows = em.createQuery(
                            "SELECT m FROM RoomMessageRow m WHERE m.room = :room AND m.seq > :since ORDER BY m.seq DESC",
                            RoomMessageRow.class)
                    .setParameter("room", room)
                    .setParameter("since", since)
                    .setMaxResults(limit + 1)
                    .getResultList();
            boolean truncated = rows.size() > limit;
            List<RoomMessage> out = new ArrayList<>(rows.subList(0, Math.min(limit, rows.size())).stream()
                    .map(RoomMessageRow::toMessage).toList());
            Collections.reverse(out);
            return new Recovery(out, truncated, head);
        });
    }

    @Override
    public List<Marked> mark(List<Mark> marks) {
        return inTransaction(opened(), em -> {
            List<Marked> out = new ArrayList<>(marks.size());
            for (Mark m : marks) {
                out.add(apply(em, m));
            }
            return out;
        });
    }

    private static Marked apply(EntityManager em, Mark m) {
        if (m instanceof Mark.Forget f) {
            ConversationRow row = em.find(ConversationRow.class, key(f.user(), ConversationId.room(f.room())));
            if (row == null) {
                return new Marked(Marked.Outcome.UNCHANGED, 0, 0);
            }
            em.remove(row);
            return new Marked(Marked.Outcome.CHANGED, 0, 0);
        }
        if (m instanceof Mark.Enter e) {
            ConversationId id = ConversationId.room(e.room());
            long newest = roomHeads(em, List.of(e.room())).getOrDefault(e.room(), 0L);
            ConversationRow row = em.find(ConversationRow.class, key(e.user(), id));
            if (row != null) {
                return new Marked(Marked.Outcome.UNCHANGED, row.readSeq(), newest);
            }
            em.persist(new ConversationRow(e.user(), id.key(), newest));
            return new Marked(Marked.Outcome.CHANGED, newest, newest);
        }
        Mark.Read r = (Mark.Read) m;
        ConversationId id = r.conversation();
        long newest = id.isRoom() ? roomHeads(em, List.of(id.room())).getOrDefault(id.room(), 0L)
                : pairHead(em, ConversationId.pair(r.user(), id.with()));
        ConversationRow row = em.find(ConversationRow.class, key(r.user(), id));
        long read = row == null ? 0 : row.readSeq();
        if (r.seq() > newest) {
            return new Marked(Marked.Outcome.BEYOND, read, newest);
        }
        if (r.seq() <= read) {
            return new Marked(Marked.Outcome.UNCHANGED, read, newest);
        }
        if (row == null) {
            em.persist(new ConversationRow(r.user(), id.key(), r.seq()));
        } else {
            row.readUpTo(r.seq());
        }
        return new Marked(Marked.Outcome.CHANGED, r.seq(), newest);
    }

    private static ConversationRow.Key key(String user, ConversationId id) {
        return new ConversationRow.Key(user, id.key());
    }

    /**
     * The newest stored seq of each room (rooms without messages left out): the writer numbers rooms from its
     * memory, so the table is where every reader finds a room's head.
     */
    private static Map<String, Long> roomHeads(EntityManager em, List<String> rooms) {
        Map<String, Long> heads = new HashMap<>();
        if (!rooms.isEmpty()) {
            em.createQuery("SELECT m.room, MAX(m.seq) FROM RoomMessageRow m WHERE m.room IN :rooms GROUP BY m.room",
                            Object[].class)
                    .setParameter("rooms", rooms)
                    .getResultList()
                    .forEach(row -> heads.put((String) row[0], (Long) row[1]));
        }
        return heads;
    }

    /** The last seq of a pair of users' conversation, from its counter row. */
    private static long pairHead(EntityManager em, String pair) {
        CounterRow row = em.find(CounterRow.class, pair);
        return row == null ? 0 : row.head();
    }

    @Override
    public List<DirectMessage> directPage(String user, String with, Long before, int limit) {
        return read(opened(), em -> {
            List<DirectMessage> out = new ArrayList<>(em.createQuery(
                            "SELECT d FROM DirectMessageRow d WHERE d.pairKey = :pair AND d.seq < :before ORDER BY d.seq DESC",
                            DirectMessageRow.class)
                    .setParameter("pair", ConversationId.pair(user, with))
                    .setParameter("before", before == null ? Long.MAX_VALUE : before)
                    .setMaxResults(limit)
                    .getResultList().stream().map(DirectMessageRow::toMessage).toList());
            Collections.reverse(out);
            return out;
        });
    }

    @Override
    public DirectRecovery directSince(String user, String with, long since, int limit) {
        String pair = ConversationId.pair(user, with);
        return read(opened(), em -> {
            long head = pairHead(em, pair);
            List<DirectMessageRow> rows = em.createQuery(
                            "SELECT d FROM DirectMessageRow d WHERE d.pairKey = :pair AND d.seq > :since ORDER BY d.seq DESC",
                            DirectMessageRow.class)
                    .setParameter("pair", pair)
                    .setParameter("since", since)
                    .setMaxResults(limit + 1)
                    .getResultList();
            boolean truncated = rows.size() > limit;
            List<DirectMessage> out = new ArrayList<>(rows.subList(0, Math.min(limit, rows.size())).stream()
                    .map(DirectMessageRow::toMessage).toList());
            Collections.reverse(out);
            return new DirectRecovery(out, truncated, head);
        });
    }

    @Override
    public List<Conversation> conversations(String user) {
        return read(opened(), em -> {
            List<ConversationRow> rows = em.createQuery(
                            "SELECT c FROM ConversationRow c WHERE c.username = :user ORDER BY c.conversation",
                            ConversationRow.class)
                    .setParameter("user", user)
                    .getResultList();
            if (rows.isEmpty()) {
                return List.of();
            }
            List<String> rooms = new ArrayList<>();
            Map<String, ConversationId> pairs = new HashMap<>();
            for (ConversationRow row : rows) {
                ConversationId id = ConversationId.ofKey(row.conversation());
                if (id.isRoom()) {
                    rooms.add(id.room());
                } else {
                    pairs.put(ConversationId.pair(user, id.with()), id);
                }
            }
            Map<String, Long> roomHeads = roomHeads(em, rooms);
            Map<ConversationId, Long> pairHeads = new HashMap<>();
            if (!pairs.isEmpty()) {
                em.createQuery("SELECT c FROM CounterRow c WHERE c.name IN :names", CounterRow.class)
                        .setParameter("names", List.copyOf(pairs.keySet()))
                        .getResultList()
                        .forEach(c -> pairHeads.put(pairs.get(c.name()), c.head()));
            }
            List<Conversation> out = new ArrayList<>(rows.size());
            for (boolean roomsFirst : new boolean[]{true, false}) {
                for (ConversationRow row : rows) {
                    ConversationId id = ConversationId.ofKey(row.conversation());
                    if (id.isRoom() == roomsFirst) {
                        long head = id.isRoom() ? roomHeads.getOrDefault(id.room(), 0L) : pairHeads.getOrDefault(id, 0L);
                        out.add(new Conversation(id, head, row.readSeq()));
                    }
                }
            }
            return out;
        });
    }

    @Override
    public String epoch() {
        Opened o = opened;
        if (o != null) {
            return o.epoch();
        }
        try {
            return opened().epoch();
        } catch (StoreUnavailableException e) {
            return null;
        }
    }

    @Override
    public void close() {
        Opened o = opened;
        if (o != null) {
            o.emf().close();
        }
        pool.close();
        deregisterDrivers();
        LOG.info("history store closed");
    }

    /** Drivers loaded from the WAR registered themselves with DriverManager: let go of them, so an undeployed WAR can be collected. */
    private static void deregisterDrivers() {
        ClassLoader ours = JpaMessageStore.class.getClassLoader();
        for (Driver d : Collections.list(DriverManager.getDrivers())) {
            if (d.getClass().getClassLoader() == ours) {
                try {
                    DriverManager.deregisterDriver(d);
                } catch (SQLException e) {
                    LOG.log(Level.FINE, "could not deregister " + d, e);
                }
            }
        }
    }

    /** The database once reached; tries to reach it at most every two seconds, never two threads at once. */
    private Opened opened() {
        Opened o = opened;
        if (o != null) {
            return o;
        }
        if (!opening.tryLock()) {
            throw new StoreUnavailableException("database not reached yet", lastFailure);
        }
        try {
            if (opened != null) {
                return opened;
            }
            if (System.nanoTime() - nextAttempt < 0) {
                throw new StoreUnavailableException("database unavailable", lastFailure);
            }
            EntityManagerFactory emf = null;
            try {
                SchemaMigration.migrate(pool);
                emf = HistoryUnit.open(pool);
                String epoch = epoch(emf);
                opened = new Opened(emf, epoch);
                lastFailure = null;
                LOG.info("history stored in " + (settings.embedded() ? "the embedded database " : "")
                        + settings.safeUrl() + " (" + product() + "), epoch " + epoch);
                return opened;
            } catch (RuntimeException e) {
                if (emf != null) {
                    emf.close();
                }
                lastFailure = e;
                nextAttempt = System.nanoTime() + RETRY_NANOS;
                throw new StoreUnavailableException("database unavailable", e);
            }
        } finally {
            opening.unlock();
        }
    }

    /** The database and driver names and versions, for the log. */
    private String product() {
        try (Connection c = pool.getConnection()) {
            DatabaseMetaData md = c.getMetaData();
            return md.getDatabaseProductName() + " " + md.getDatabaseProductVersion() + ", driver "
                    + md.getDriverName() + " " + md.getDriverVersion();
        } catch (SQLException e) {
            return "unknown: " + e.getMessage();
        }
    }

    /** The database's epoch, made on first use; a concurrent maker on another server wins the insert. */
    private static String epoch(EntityManagerFactory emf) {
        for (int attempt = 0; ; attempt++) {
            EntityManager em = emf.createEntityManager();
            EntityTransaction tx = em.getTransaction();
            try {
                tx.begin();
                StoreRow row = em.find(StoreRow.class, StoreRow.ID);
                if (row == null) {
                    row = new StoreRow(UUID.randomUUID().toString(), System.currentTimeMillis());
                    em.persist(row);
                }
                tx.commit();
                return row.epoch();
            } catch (RuntimeException e) {
                if (tx.isActive()) {
                    tx.rollback();
                }
                if (attempt > 0) {
                    throw e;
                }
            } finally {
                em.close();
            }
        }
    }

    /** Deletes refs past the idempotency window, every ten minutes, in a transaction of its own. */
    private void purgeExpiredRefs(Opened o) {
        if (System.nanoTime() - nextPurge < 0) {
            return;
        }
        nextPurge = System.nanoTime() + PURGE_NANOS;
        long cutoff = System.currentTimeMillis() - windowMillis;
        try {
            int purged = inTransaction(o, em -> em.createQuery("DELETE FROM RefRow r WHERE r.createdAt < :cutoff")
                    .setParameter("cutoff", cutoff).executeUpdate());
            LOG.fine(() -> "purged " + purged + " expired refs");
        } catch (StoreUnavailableException e) {
            LOG.log(Level.FINE, "ref purge skipped", e);
        }
    }

    private <T> T inTransaction(Opened o, Function<EntityManager, T> work) {
        EntityManager em = null;
        EntityTransaction tx = null;
        try {
            em = o.emf().createEntityManager();
            tx = em.getTransaction();
            tx.begin();
            T result = work.apply(em);
            tx.commit();
            return result;
        } catch (RuntimeException e) {
            try {
                if (tx != null && tx.isActive()) {
                    tx.rollback();
                }
            } catch (RuntimeException rollback) {
                e.addSuppressed(rollback);
            }
            throw new StoreUnavailableException("database unavailable: " + describe(e), e);
        } finally {
            if (em != null) {
                em.close();
            }
        }
    }

    /**
     * Reads in a transaction too: outside one, EclipseLink retries a read that lost its connection several
     * times with pauses of seconds, which would hold a joining client for that long while the database is down.
     */
    private <T> T read(Opened o, Function<EntityManager, T> work) {
        return inTransaction(o, work);
    }

    /** The innermost cause's message: what the database or the pool said. */
    private static String describe(Throwable e) {
        Throwable t = e;
        while (t != null && t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t == null ? "unknown" : t.getClass().getSimpleName() + ": " + t.getMessage();
    }
}
