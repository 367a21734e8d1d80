package dev.parley.wiring;

import dev.parley.config.ApiKey;
import dev.parley.config.ApiSettings;
import dev.parley.protocol.Names;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.Config;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.logging.Logger;

/**
 * Reads {@link ApiSettings} from MicroProfile Config: {@code parley.api.keys} (env {@code PARLEY_API_KEYS}, keys
 * separated by commas), {@code parley.api.identity}, {@code parley.api.rate.requests-per-second} and
 * {@code parley.api.rate.burst}, and {@code parley.health.stall-ms}. A key shorter than 16 characters stops the deployment: it would be guessable.
 * A key may end in {@code :} and the senders it may name in {@code from}, separated by {@code |}, or {@code *} for
 * anyone ({@code KEY:alice|bob}, {@code KEY:*}); a key itself therefore holds no {@code :}. A sender that is not
 * a user name stops the deployment too. No message names a key, only its position in the list.
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
        List<ApiKey> keys = read.string("parley.api.keys").map(ApiSettingsProducer::keys).orElse(List.of());
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

    /** Parses {@code parley.api.keys}: entries separated by commas, each {@code KEY} or {@code KEY:sender|sender}. */
    static List<ApiKey> keys(String value) {
        List<ApiKey> keys = new ArrayList<>();
        for (String entry : value.split(",")) {
            entry = entry.trim();
            if (entry.isEmpty()) {
                continue;
            }
            String where = "parley.api.keys: key " + (keys.size() + 1);
            int colon = entry.indexOf(':');
            String secret = colon < 0 ? entry : entry.substring(0, colon).trim();
            if (secret.length() < MIN_KEY_CHARS) {
                throw new IllegalStateException(where + " needs at least " + MIN_KEY_CHARS + " characters; it has " + secret.length());
            }
            Set<String> senders = new LinkedHashSet<>();
            if (colon >= 0) {
                String[] names = entry.substring(colon + 1).split("\\|", -1);
                for (int i = 0; i < names.length; i++) {
                    String sender = names[i].trim();
                    if (!sender.equals(ApiKey.ANY_SENDER) && !Names.isUser(sender)) {
                        // The text is not shown: a key holding a ':' by mistake would leak its end into the log.
                        throw new IllegalStateException(where + ": sender " + (i + 1) + " after ':' is not a user name "
                                + "(senders are user names separated by '|', or '*'; a key holds no ':')");
                    }
                    senders.add(sender);
                }
            }
            keys.add(new ApiKey(secret, senders));
        }
        return List.copyOf(keys);
    }
}
