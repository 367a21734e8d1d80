package dev.parley.wiring;

import dev.parley.config.ApiSettings;
import dev.parley.protocol.Names;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.Config;

import java.util.Arrays;
import java.util.List;
import java.util.logging.Logger;

/**
 * Reads {@link ApiSettings} from MicroProfile Config: {@code parley.api.keys} (env {@code PARLEY_API_KEYS}, keys
 * separated by commas), {@code parley.api.identity}, {@code parley.api.rate.requests-per-second} and
 * {@code parley.api.rate.burst}, and {@code parley.health.stall-ms}. A key shorter than 16 characters stops the deployment: it would be guessable.
 */
@ApplicationScoped
public class ApiSettingsProducer {

    private static final Logger LOG = Logger.getLogger(ApiSettingsProducer.class.getName());
    static final int MIN_KEY_CHARS = 16;

    @Inject
    Config config;

    /**
     * Reads the settings at start, on a thread of the application. Payara: read lazily from a health check (on a
     * thread of the server's, not the application's), the injected Config missed the WAR's own properties.
     */
    void readAtStart(@Observes @Initialized(ApplicationScoped.class) Object started, ApiSettings settings) {
        LOG.fine(() -> "API " + (settings.enabled() ? "on" : "off"));
    }

    @Produces
    @Singleton
    ApiSettings apiSettings() {
        SettingsReader read = new SettingsReader(config);
        ApiSettings d = ApiSettings.defaults();
        List<String> keys = read.string("parley.api.keys")
                .map(v -> Arrays.stream(v.split(",")).map(String::trim).filter(k -> !k.isEmpty()).toList())
                .orElse(List.of());
        for (String key : keys) {
            if (key.length() < MIN_KEY_CHARS) {
                throw new IllegalStateException("parley.api.keys: every key needs at least " + MIN_KEY_CHARS
                        + " characters; one has " + key.length());
            }
        }
        String identity = read.string("parley.api.identity").orElse(d.identity());
        if (!Names.isUser(identity)) {
            throw new IllegalStateException("parley.api.identity is not a valid user name: " + identity);
        }
        ApiSettings s = new ApiSettings(keys, identity,
                read.atLeastZero("parley.api.rate.requests-per-second", d.requestsPerSecond()),
                (int) read.atLeastZero("parley.api.rate.burst", d.burst()),
                read.millis("parley.health.stall-ms", d.stallLimit()));
        LOG.config(() -> "API settings: " + s);
        if (!s.enabled()) {
            LOG.info("HTTP API off (no parley.api.keys): /api answers 404");
        }
        return s;
    }
}
