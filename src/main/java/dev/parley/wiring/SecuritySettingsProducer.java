package dev.parley.security;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.Config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * Reads {@link SecuritySettings} from MicroProfile Config (system properties, {@code PARLEY_...} environment
 * variables, {@code META-INF/microprofile-config.properties}). A value that makes no sense stops the deployment
 * with a message naming the property, rather than running with a weaker setting than the operator asked for.
 */
@ApplicationScoped
public class SecuritySettingsProducer {

    private static final Logger LOG = Logger.getLogger(SecuritySettingsProducer.class.getName());

    @Inject
    Config config;

    @Produces
    @Singleton
    SecuritySettings securitySettings() {
        SecuritySettings d = SecuritySettings.defaults();
        SecuritySettings s = new SecuritySettings(
                authMode(),
                jwt(d.jwt()),
                origins(d.origins()),
                atLeastZero("parley.rate.messages-per-second", d.messagesPerSecond()),
                (int) atLeastZero("parley.rate.burst", d.burst()),
                atLeastZero("parley.rate.signals-per-second", d.signalsPerSecond()),
                (int) atLeastZero("parley.rate.signal-burst", d.signalBurst()),
                (int) atLeastZero("parley.rate.close-after-refused", d.closeAfterRefused()),
                (int) atLeastZero("parley.limits.connections-per-user", d.connectionsPerUser()),
                (int) atLeastZero("parley.limits.connections-per-address", d.connectionsPerAddress()),
                (int) atLeastZero("parley.limits.rooms-per-connection", d.roomsPerConnection()),
                (int) atLeastZero("parley.limits.members-per-room", d.membersPerRoom()),
                millis("parley.idle.timeout-ms", d.idleTimeout()),
                directRule(d.directs()),
                Duration.ofMinutes((long) atLeastZero("parley.direct.remember-minutes", d.directWindow().toMinutes())));
        LOG.config(() -> "security settings: " + s);
        return s;
    }

    private SecuritySettings.AuthMode authMode() {
        String mode = string("parley.auth.mode").orElse("open").toLowerCase(Locale.ROOT);
        return switch (mode) {
            case "open" -> SecuritySettings.AuthMode.OPEN;
            case "token" -> SecuritySettings.AuthMode.TOKEN;
            default -> throw new IllegalStateException("parley.auth.mode must be open or token, was " + mode);
        };
    }

    private SecuritySettings.Jwt jwt(SecuritySettings.Jwt d) {
        String pem = string("parley.auth.public-key").orElse(null);
        Optional<String> pemFile = string("parley.auth.public-key-file");
        if (pem == null && pemFile.isPresent()) {
            pem = read("parley.auth.public-key-file", pemFile.get());
        }
        String jwks = string("parley.auth.jwks").orElse(null);
        Optional<String> jwksFile = string("parley.auth.jwks-file");
        if (jwks == null && jwksFile.isPresent()) {
            jwks = read("parley.auth.jwks-file", jwksFile.get());
        }
        long skew = config.getOptionalValue("parley.auth.clock-skew-seconds", Long.class).orElse(d.clockSkew().toSeconds());
        if (skew < 0) {
            throw new IllegalStateException("parley.auth.clock-skew-seconds must not be negative, was " + skew);
        }
        return new SecuritySettings.Jwt(
                string("parley.auth.hs256-secret").orElse(null), pem, jwks,
                string("parley.auth.issuer").orElse(null),
                string("parley.auth.audience").orElse(null),
                string("parley.auth.user-claim").orElse(d.userClaim()),
                string("parley.auth.rooms-claim").orElse(d.roomsClaim()),
                Duration.ofSeconds(skew));
    }

    private List<String> origins(List<String> fallback) {
        return string("parley.origins")
                .map(v -> Arrays.stream(v.split(",")).map(String::trim).filter(o -> !o.isEmpty()).toList())
                .orElse(fallback);
    }

    private SecuritySettings.DirectRule directRule(SecuritySettings.DirectRule fallback) {
        String rule = string("parley.direct.rule").orElse(null);
        if (rule == null) {
            return fallback;
        }
        return switch (rule.toLowerCase(Locale.ROOT)) {
            case "shared-room" -> SecuritySettings.DirectRule.SHARED_ROOM;
            case "anyone" -> SecuritySettings.DirectRule.ANYONE;
            default -> throw new IllegalStateException("parley.direct.rule must be shared-room or anyone, was " + rule);
        };
    }

    private Optional<String> string(String name) {
        return config.getOptionalValue(name, String.class).map(String::trim).filter(v -> !v.isEmpty());
    }

    private static String read(String property, String file) {
        try {
            return Files.readString(Path.of(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(property + ": cannot read " + file, e);
        }
    }

    private double atLeastZero(String name, double fallback) {
        double value = config.getOptionalValue(name, Double.class).orElse(fallback);
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalStateException(name + " must be 0 (off) or positive, was " + value);
        }
        return value;
    }

    private Duration millis(String name, Duration fallback) {
        long value = config.getOptionalValue(name, Long.class).orElse(fallback.toMillis());
        if (value <= 0) {
            throw new IllegalStateException(name + " must be positive, was " + value);
        }
        return Duration.ofMillis(value);
    }
}
