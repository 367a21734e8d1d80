package dev.parley.history.jpa;

import java.sql.SQLException;
import java.util.Set;

/** Small JDBC helpers the history's writer shares: IN lists, and telling a conflict from a failure. */
final class Sql {

    /**
     * SQL states of a transaction that lost to another writer and may simply be tried again: a unique key taken
     * (23505, PostgreSQL and H2), a deadlock (40P01 PostgreSQL, 40001 H2) or a serialization failure (40001).
     */
    private static final Set<String> CONFLICTS = Set.of("23505", "40P01", "40001");

    private Sql() {
    }

    /** "?, ?, ?" with {@code n} placeholders ({@code n} at least 1). */
    static String placeholders(int n) {
        return "?" + ", ?".repeat(n - 1);
    }

    /**
     * True when {@code e}, or an exception it carries (a batch's next exceptions, causes), says the transaction
     * conflicted with another writer's.
     */
    static boolean conflict(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException s) {
                for (SQLException n = s; n != null; n = n.getNextException()) {
                    if (n.getSQLState() != null && CONFLICTS.contains(n.getSQLState())) {
                        return true;
                    }
                }
            }
        }
        return false;
    }
}
