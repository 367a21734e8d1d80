package dev.parley.history;

/**
 * How a store's database connections are used at one moment, for metrics: in use, idle, threads waiting for one,
 * and the most the pool may open. All zero for a store without a database.
 */
public record PoolUse(int active, int idle, int waiting, int max) {

    /** A store without a connection pool. */
    public static final PoolUse NONE = new PoolUse(0, 0, 0, 0);
}
