package dev.parley.history.jpa;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import dev.parley.history.Appended;
import dev.parley.message.DirectMessage;
import dev.parley.history.Conversation;
import dev.parley.history.DirectRecovery;
import dev.parley.history.Draft;
import dev.parley.history.Mark;
import dev.parley.history.Marked;
import dev.parley.history.MessageStore;
import dev.parley.history.PoolUse;
import dev.parley.history.Recovery;
import dev.parley.message.RoomMessage;
import dev.parley.history.StorageSettings;
import dev.parley.history.StoreUnavailableException;
import dev.parley.message.ConversationId;
import dev.parley.message.StoredMessage;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.EntityTransaction;
import jakarta.persistence.LockModeType;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A {@link MessageStore} in a relational database through Jakarta Persistence: PostgreSQL, or an embedded
 * H2 file. Each {@link #append} batch is one transaction (group commit): room seqs and direct message ids
 * come from counter rows locked in that transaction, refs are checked and recorded in it, so a message is
 * either stored with its ref or not at all.
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
        Opened o = opened();
        purgeExpiredRefs(o);
        boolean[] newCounter = {false};
        try {
            return inTransaction(o, em -> {
                Batch batch = new Batch(em);
                List<Appended> out = batch.append(drafts);
                newCounter[0] = batch.createdCounter;
                return out;
            });
        } catch (StoreUnavailableException e) {
            if (!newCounter[0]) {
                throw e;
            }
            // Another server may have created the same counter (a new room) at the same time and won the insert.
            LOG.log(Level.FINE, "retrying a batch that created a counter", e);
            return inTransaction(o, em -> new Batch(em).append(drafts));
        }
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
            CounterRow counter = em.find(CounterRow.class, CounterRow.room(room));
            long head = counter == null ? 0 : counter.head();
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
            long newest = head(em, CounterRow.room(e.room()));
            ConversationRow row = em.find(ConversationRow.class, key(e.user(), id));
            if (row != null) {
                return new Marked(Marked.Outcome.UNCHANGED, row.readSeq(), newest);
            }
            em.persist(new ConversationRow(e.user(), id.key(), newest));
            return new Marked(Marked.Outcome.CHANGED, newest, newest);
        }
        Mark.Read r = (Mark.Read) m;
        ConversationId id = r.conversation();
        long newest = head(em, counterOf(r.user(), id));
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

    /** The counter of a user's conversation: the room's, or the pair's. */
    private static String counterOf(String user, ConversationId id) {
        return id.isRoom() ? CounterRow.room(id.room()) : ConversationId.pair(user, id.with());
    }

    private static long head(EntityManager em, String counter) {
        CounterRow row = em.find(CounterRow.class, counter);
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
            long head = head(em, pair);
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
            Map<String, ConversationId> counters = new HashMap<>();
            for (ConversationRow row : rows) {
                ConversationId id = ConversationId.ofKey(row.conversation());
                counters.put(counterOf(user, id), id);
            }
            Map<ConversationId, Long> heads = new HashMap<>();
            em.createQuery("SELECT c FROM CounterRow c WHERE c.name IN :names", CounterRow.class)
                    .setParameter("names", List.copyOf(counters.keySet()))
                    .getResultList()
                    .forEach(c -> heads.put(counters.get(c.name()), c.head()));
            List<Conversation> out = new ArrayList<>(rows.size());
            for (boolean roomsFirst : new boolean[]{true, false}) {
                for (ConversationRow row : rows) {
                    ConversationId id = ConversationId.ofKey(row.conversation());
                    if (id.isRoom() == roomsFirst) {
                        out.add(new Conversation(id, heads.getOrDefault(id, 0L), row.readSeq()));
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

    /** One append transaction. */
    private final class Batch {
        private final EntityManager em;
        private final Map<String, CounterRow> counters = new HashMap<>();
        private final Map<String, RefRow> refs = new HashMap<>();
        private final Map<String, StoredMessage> storedNow = new HashMap<>();
        /** The newest seq each sender stored per conversation in this batch: their read seq moves there. */
        private final Map<ConversationRow.Key, Long> ownReads = new HashMap<>();
        private boolean createdCounter;

        Batch(EntityManager em) {
            this.em = em;
        }

        List<Appended> append(List<Draft> drafts) {
            lockCounters(drafts);
            loadRefs(drafts);
            List<Appended> out = new ArrayList<>(drafts.size());
            for (Draft d : drafts) {
                String key = RefRow.keyOf(d);
                RefRow earlier = key == null ? null : refs.get(key);
                if (earlier != null && earlier.createdAt() > d.ts().toEpochMilli() - windowMillis) {
                    out.add(new Appended(original(earlier), true));
                    continue;
                }
                Appended stored = store(d);
                if (key != null) {
                    RefRow ref = earlier != null ? earlier : new RefRow(key);
                    if (stored.message() instanceof RoomMessage m) {
                        ref.pointTo(m.room(), m.seq(), d.ts().toEpochMilli());
                    } else {
                        ref.pointTo(((DirectMessage) stored.message()).id(), d.ts().toEpochMilli());
                    }
                    if (earlier == null) {
                        em.persist(ref);
                        refs.put(key, ref);
                    }
                    storedNow.put(key, stored.message());
                }
                out.add(stored);
            }
            moveOwnReads();
            return out;
        }

        /** Moves each sender's read seq to their newest message of the batch, for conversations they have (one query). */
        private void moveOwnReads() {
            if (ownReads.isEmpty()) {
                return;
            }
            Set<String> users = new HashSet<>();
            Set<String> conversations = new HashSet<>();
            ownReads.keySet().forEach(k -> {
                users.add(k.username());
                conversations.add(k.conversation());
            });
            em.createQuery("SELECT c FROM ConversationRow c WHERE c.username IN :users AND c.conversation IN :conversations",
                            ConversationRow.class)
                    .setParameter("users", List.copyOf(users))
                    .setParameter("conversations", List.copyOf(conversations))
                    .getResultList()
                    .forEach(row -> {
                        Long seq = ownReads.get(new ConversationRow.Key(row.username(), row.conversation()));
                        if (seq != null) {
                            row.readUpTo(seq);
                        }
                    });
        }

        private Appended store(Draft d) {
            if (d instanceof Draft.ToRoom r) {
                RoomMessage m = new RoomMessage(r.room(), counters.get(CounterRow.room(r.room())).next(), r.from(),
                        r.text(), r.ts(), r.ref(), r.data());
                em.persist(new RoomMessageRow(m));
                ownReads.merge(new ConversationRow.Key(r.from(), ConversationId.room(r.room()).key()), m.seq(), Math::max);
                return new Appended(m, false);
            }
            Draft.ToUser u = (Draft.ToUser) d;
            CounterRow pair = counters.get(ConversationId.pair(u.from(), u.to()));
            DirectMessage m = new DirectMessage(counters.get(CounterRow.DIRECT).next(), pair.next(), u.from(), u.to(),
                    u.text(), u.ts(), u.ref(), u.data());
            em.persist(new DirectMessageRow(m, u.held()));
            if (m.seq() == 1) {
                // The pair's first message: a conversation of both users from now on (of one, writing to themselves).
                em.persist(new ConversationRow(u.to(), ConversationId.with(u.from()).key(), 0));
                if (!u.to().equals(u.from())) {
                    em.persist(new ConversationRow(u.from(), ConversationId.with(u.to()).key(), 0));
                }
            }
            ownReads.merge(new ConversationRow.Key(u.from(), ConversationId.with(u.to()).key()), m.seq(), Math::max);
            return new Appended(m, false, u.held());
        }

        /** Locks every counter the batch may use, in name order, so two writers never wait on each other in a cycle. */
        private void lockCounters(List<Draft> drafts) {
            TreeSet<String> names = new TreeSet<>();
            for (Draft d : drafts) {
                if (d instanceof Draft.ToRoom r) {
                    names.add(CounterRow.room(r.room()));
                } else {
                    Draft.ToUser u = (Draft.ToUser) d;
                    names.add(CounterRow.DIRECT);
                    names.add(ConversationId.pair(u.from(), u.to()));
                }
            }
            // One round trip for all of them: SELECT ... WHERE name IN (...) ORDER BY name FOR UPDATE.
            em.createQuery("SELECT c FROM CounterRow c WHERE c.name IN :names ORDER BY c.name", CounterRow.class)
                    .setParameter("names", List.copyOf(names))
                    .setLockMode(LockModeType.PESSIMISTIC_WRITE)
                    .getResultList()
                    .forEach(row -> counters.put(row.name(), row));
            for (String name : names) {
                if (!counters.containsKey(name)) {
                    CounterRow row = new CounterRow(name);
                    em.persist(row);
                    counters.put(name, row);
                    createdCounter = true;
                }
            }
        }

        private void loadRefs(List<Draft> drafts) {
            List<String> keys = drafts.stream().map(RefRow::keyOf).filter(k -> k != null).distinct().toList();
            if (keys.isEmpty()) {
                return;
            }
            em.createQuery("SELECT r FROM RefRow r WHERE r.key IN :keys", RefRow.class)
                    .setParameter("keys", keys)
                    .getResultList()
                    .forEach(r -> refs.put(r.key(), r));
        }

        private StoredMessage original(RefRow ref) {
            StoredMessage now = storedNow.get(ref.key());
            if (now != null) {
                return now;
            }
            if (ref.namesRoomMessage()) {
                RoomMessageRow row = em.find(RoomMessageRow.class, new RoomMessageRow.Key(ref.room(), ref.seq()));
                return row.toMessage();
            }
            return em.find(DirectMessageRow.class, ref.directId()).toMessage();
        }
    }
}
