package dev.parley.wiring;

import dev.parley.config.EventSettings;
import dev.parley.config.Settings;
import dev.parley.protocol.Names;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.spi.ConfigSource;

import java.time.Duration;
import java.util.Locale;
import java.util.logging.Logger;

/**
 * Reads {@link Settings} from MicroProfile Config, so system properties ({@code -Dparley.x=..}),
 * environment variables ({@code PARLEY_X}) and {@code META-INF/microprofile-config.properties} all work.
 */
@ApplicationScoped
public class SettingsProducer {

    private static final Logger LOG = Logger.getLogger(SettingsProducer.class.getName());

    @Inject
    Config config;

    private SettingsReader read() {
        return new SettingsReader(config);
    }

    @Produces
    @Singleton
    Settings settings() {
        Settings d = Settings.defaults();
        int outboxMaxBytes = read().positive("parley.outbox.max-bytes", (int) d.outboxMaxBytes());
        Settings s = new Settings(
                defaultRoom(d.defaultRoom()),
                read().positive("parley.text.max-chars", d.maxTextChars()),
                read().positive("parley.frame.max-bytes", d.maxFrameBytes()),
                outboxMaxBytes,
                Duration.ofMillis(read().positive("parley.outbox.close-grace-ms", (int) d.closeGrace().toMillis())),
                Duration.ofMillis(read().positive("parley.typing.interval-ms", (int) d.typingInterval().toMillis())),
                read().positive("parley.history.join-limit", d.joinHistory()),
                read().positive("parley.history.recovery-limit", d.recoveryLimit()),
                Duration.ofMinutes(read().positive("parley.idempotency.window-minutes", (int) d.idempotencyWindow().toMinutes())),
                read().positive("parley.store.queue-capacity", d.sequencerCapacity()),
                read().positive("parley.store.batch-size", d.sequencerBatch()),
                read().positive("parley.store.memory.retained", d.memoryRetained()),
                Duration.ofMillis(read().positive("parley.outbox.max-lag-ms", (int) d.outboxMaxLag().toMillis())),
                read().positive("parley.outbox.hard-max-bytes", (int) d.outboxHardMaxBytes()),
                read().positive("parley.intake.window-bytes", Math.max(1, outboxMaxBytes / 2)),
                read().positive("parley.intake.waiters", Settings.DEFAULT_INTAKE_WAITERS));
        LOG.config(() -> "settings: " + s);
        return s;
    }

    @Produces
    @Singleton
    EventSettings eventSettings() {
        EventSettings d = EventSettings.defaults();
        EventSettings s = new EventSettings(
                read().positive("parley.limits.data-bytes", d.maxDataBytes()),
                read().positive("parley.limits.state-bytes", d.maxStateBytes()),
                read().atLeastZero("parley.rate.app-signals-per-second", d.signalsPerSecond()),
                (int) read().atLeastZero("parley.rate.app-signal-burst", d.signalBurst()));
        LOG.config(() -> "event settings: " + s);
        return s;
    }

    /**
     * Empty (or "none") disables the default room. MicroProfile Config reports an empty value as absent, so the
     * raw value is taken from the config sources themselves, highest ordinal first.
     */
    private String defaultRoom(String fallback) {
        String raw = null;
        for (ConfigSource source : config.getConfigSources()) {
            raw = source.getValue("parley.default-room");
            if (raw != null) {
                break;
            }
        }
        if (raw == null) {
            return fallback;
        }
        String room = raw.trim();
        if (room.isEmpty() || room.toLowerCase(Locale.ROOT).equals("none")) {
            return null;
        }
        if (!Names.isRoom(room)) {
            throw new IllegalStateException("parley.default-room is not a valid room name: " + room);
        }
        return room;
    }

}
