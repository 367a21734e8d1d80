package dev.parley.security;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts open connections per user and per remote address and refuses those over the configured limits.
 * Each successful {@link #tryOpen} must be matched by exactly one {@link #closed}. Thread-safe, lock-free.
 */
@ApplicationScoped
public class ConnectionLimiter {

    /** The address used when the container does not tell it; never limited. */
    public static final String UNKNOWN_ADDRESS = "unknown";

    private final SecuritySettings settings;
    private final Map<String, Integer> perUser = new ConcurrentHashMap<>();
    private final Map<String, Integer> perAddress = new ConcurrentHashMap<>();

    @Inject
    public ConnectionLimiter(SecuritySettings settings) {
        this.settings = settings;
    }

    /** For CDI's proxy only. */
    protected ConnectionLimiter() {
        this.settings = null;
    }

    /**
     * Counts a new connection, or refuses it. Returns null when admitted, else the reason for the close frame.
     */
    public String tryOpen(String user, String address) {
        if (!acquire(perUser, user, settings.connectionsPerUser())) {
            return "too many connections for this user";
        }
        if (!UNKNOWN_ADDRESS.equals(address) && !acquire(perAddress, address, settings.connectionsPerAddress())) {
            release(perUser, user);
            return "too many connections from this address";
        }
        return null;
    }

    /** Releases what {@link #tryOpen} counted. */
    public void closed(String user, String address) {
        release(perUser, user);
        if (!UNKNOWN_ADDRESS.equals(address)) {
            release(perAddress, address);
        }
    }

    private static boolean acquire(Map<String, Integer> counts, String key, int max) {
        boolean[] ok = {false};
        counts.compute(key, (k, n) -> {
            int current = n == null ? 0 : n;
            if (max > 0 && current >= max) {
                return n;
            }
            ok[0] = true;
            return current + 1;
        });
        return ok[0];
    }

    private static void release(Map<String, Integer> counts, String key) {
        counts.computeIfPresent(key, (k, n) -> n <= 1 ? null : n - 1);
    }
}
