package dev.parley.wiring;

import org.eclipse.microprofile.config.Config;

import java.time.Duration;
import java.util.Optional;

/**
 * Reads single values from MicroProfile Config for the settings producers, each check in one place: a value
 * that makes no sense stops the deployment with a message naming the property.
 */
final class SettingsReader {

    private final Config config;

    SettingsReader(Config config) {
        this.config = config;
    }

    /** A trimmed, non-empty text value, or empty when absent or blank. */
    Optional<String> string(String name) {
        return config.getOptionalValue(name, String.class).map(String::trim).filter(v -> !v.isEmpty());
    }

    /** A positive integer, or {@code fallback} when absent. */
    int positive(String name, int fallback) {
        int value = config.getOptionalValue(name, Integer.class).orElse(fallback);
        if (value <= 0) {
            throw new IllegalStateException(name + " must be positive, was " + value);
        }
        return value;
    }

    /** A finite number that is 0 (off) or positive, or {@code fallback} when absent. */
    double atLeastZero(String name, double fallback) {
        double value = config.getOptionalValue(name, Double.class).orElse(fallback);
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalStateException(name + " must be 0 (off) or positive, was " + value);
        }
        return value;
    }

    /** A positive number of milliseconds, or {@code fallback} when absent. */
    Duration millis(String name, Duration fallback) {
        long value = config.getOptionalValue(name, Long.class).orElse(fallback.toMillis());
        if (value <= 0) {
            throw new IllegalStateException(name + " must be positive, was " + value);
        }
        return Duration.ofMillis(value);
    }
}
