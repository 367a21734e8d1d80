package dev.parley.config;

import java.time.Duration;
import java.util.List;

/**
 * The HTTP API's settings (see {@code ApiSettingsProducer} for the property names). Immutable.
 *
 * @param keys              the API keys a request may present as {@code Authorization: Bearer <key>}, each with the
 *                          senders it may name; several, so a key can be rotated; empty turns the API off (every
 *                          call answers 404)
 * @param identity          the user name messages published through the API come from unless they name another
 * @param requestsPerSecond the sustained rate of calls per key (0: no limit); over it a call answers 429
 * @param burst             calls per key allowed at once above the rate
 * @param stallLimit        how long the sequencer may hold one batch, or the socket writers leave a probe waiting,
 *                          before liveness reports the server stuck
 */
public record ApiSettings(List<ApiKey> keys, String identity, double requestsPerSecond, int burst, Duration stallLimit) {

    public ApiSettings {
        keys = List.copyOf(keys);
    }

    /** The defaults: no keys (API off), identity {@code api}, 100 calls a second with bursts of 200, 30 s stall limit. */
    public static ApiSettings defaults() {
        return new ApiSettings(List.of(), "api", 100, 200, Duration.ofSeconds(30));
    }

    /** Whether the API answers at all: only with at least one key configured. */
    public boolean enabled() {
        return !keys.isEmpty();
    }

    /** Never shows the keys. */
    @Override
    public String toString() {
        return "ApiSettings[keys=" + keys.size() + ", identity=" + identity + ", requestsPerSecond=" + requestsPerSecond
                + ", burst=" + burst + ", stallLimit=" + stallLimit + "]";
    }
}
