package dev.parley.wiring;

import dev.parley.history.StorageSettings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.Config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.logging.Logger;

/**
 * Reads {@link StorageSettings} from MicroProfile Config: {@code parley.store}, {@code parley.data.dir},
 * {@code parley.db.url}, {@code parley.db.user}, {@code parley.db.password}, {@code parley.db.pool-size},
 * {@code parley.db.connect-timeout-ms}. Environment variables work too ({@code PARLEY_DB_URL} and so on).
 */
@ApplicationScoped
public class StorageSettingsProducer {

    private static final Logger LOG = Logger.getLogger(StorageSettingsProducer.class.getName());

    @Inject
    Config config;

    private SettingsReader read() {
        return new SettingsReader(config);
    }

    @Produces
    @Singleton
    StorageSettings storageSettings() {
        StorageSettings s = new StorageSettings(
                kind(config.getOptionalValue("parley.store", String.class).orElse("jpa")),
                Path.of(config.getOptionalValue("parley.data.dir", String.class).orElse("data")),
                read().string("parley.db.url").orElse(null),
                read().string("parley.db.user").orElse(null),
                read().string("parley.db.password").orElse(null),
                read().positive("parley.db.pool-size", 8),
                Duration.ofMillis(Math.max(250, read().positive("parley.db.connect-timeout-ms", 3000))));
        LOG.config(() -> "storage: " + s);
        return s;
    }

    private static StorageSettings.Kind kind(String value) {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "jpa", "jdbc", "database" -> StorageSettings.Kind.DATABASE;
            case "memory" -> StorageSettings.Kind.MEMORY;
            default -> throw new IllegalStateException("parley.store must be jpa (or jdbc) or memory, was " + value);
        };
    }


}
