package dev.parley.wiring;

import dev.parley.security.SecuritySettings;
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

    private SettingsReader read() {
        return new SettingsReader(config);
    }

    @Produces
    @Singleton
    SecuritySettings securitySettings() {
        SecuritySettings d = SecuritySettings.defaults();
        SecuritySettings s = new SecuritySettings(
                authMode(),
                jwt(d.jwt()),
                origins(d.origins()),
                read().atLeastZero("parley.rate.messages-per-second", d.messagesPerSecond()),
                (int) read().atLeastZero("parley.rate.burst", d.burst()),
                read().atLeastZero("parley.rate.signals-per-second", d.signalsPerSecond()),
                (int) read().atLeastZero("parley.rate.signal-burst", d.signalBurst()),
                (int) read().atLeastZero("parley.rate.close-after-refused", d.closeAfterRefused()),
                (int) read().atLeastZero("parley.limits.connections-per-user", d.connectionsPerUser()),
                (int) read().atLeastZero("parley.limits.connections-per-address", d.connectionsPerAddress()),
                (int) read().atLeastZero("parley.limits.rooms-per-connection", d.roomsPerConnection()),
                (int) read().atLeastZero("parley.limits.members-per-room", d.membersPerRoom()),
                read().millis("parley.idle.timeout-ms", d.idleTimeout()),
                directRule(d.directs()),
                Duration.ofMinutes((long) read().atLeastZero("parley.direct.remember-minutes", d.directWindow().toMinutes())));
        LOG.config(() -> "security settings: " + s);
        return s;
    }

    private SecuritySettings.AuthMode authMode() {
        String mode = read().string("parley.auth.mode").orElse("open").toLowerCase(Locale.ROOT);
        return switch (mode) {
            case "open" -> SecuritySettings.AuthMode.OPEN;
            case "token" -> SecuritySettings.AuthMode.TOKEN;
            default -> throw new IllegalStateException("parley.auth.mode must be open or token, was " + mode);
        };
    }

    private SecuritySettings.Jwt jwt(SecuritySettings.Jwt d) {
        String pem = read().string("parley.auth.public-key").orElse(null);
        Optional<String> pemFile = read().string("parley.auth.public-key-file");
        if (pem == null && pemFile.isPresent()) {
            pem = read("parley.auth.public-key-file", pemFile.get());
        }
        String jwks = read().string("parley.auth.jwks").orElse(null);
        Optional<String> jwksFile = read().string("parley.auth.jwks-file");
        if (jwks == null && jwksFile.isPresent()) {
            jwks = read("parley.auth.jwks-file", jwksFile.get());
        }
        long skew = config.getOptionalValue("parley.auth.clock-skew-seconds", Long.class).orElse(d.clockSkew().toSeconds());
        if (skew < 0) {
            throw new IllegalStateException("parley.auth.clock-skew-seconds must not be negative, was " + skew);
        }
        return new SecuritySettings.Jwt(
                read().string("parley.auth.hs256-secret").orElse(null), pem, jwks,
                read().string("parley.auth.issuer").orElse(null),
                read().string("parley.auth.audience").orElse(null),
                read().string("parley.auth.user-claim").orElse(d.userClaim()),
                read().string("parley.auth.rooms-claim").orElse(d.roomsClaim()),
                Duration.ofSeconds(skew), remoteJwks());
    }

    /** {@code parley.auth.jwks-url} with its cache settings, or null when no URL is set. */
    private SecuritySettings.RemoteJwks remoteJwks() {
        Optional<String> url = read().string("parley.auth.jwks-url");
        if (url.isEmpty()) {
            return null;
        }
        long ttl = config.getOptionalValue("parley.auth.jwks-cache-seconds", Long.class).orElse(300L);
        long interval = config.getOptionalValue("parley.auth.jwks-min-refresh-seconds", Long.class).orElse(30L);
        if (ttl < 1 || interval < 0) {
            throw new IllegalStateException("parley.auth.jwks-cache-seconds must be positive and "
                    + "parley.auth.jwks-min-refresh-seconds not negative, were " + ttl + " and " + interval);
        }
        try {
            java.net.URI uri = java.net.URI.create(url.get().trim());
            if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme())) {
                throw new IllegalArgumentException("not an http(s) URL");
            }
            return new SecuritySettings.RemoteJwks(uri.toURL(), Duration.ofSeconds(ttl), Duration.ofSeconds(interval));
        } catch (IllegalArgumentException | java.net.MalformedURLException e) {
            throw new IllegalStateException("parley.auth.jwks-url is not an http(s) URL: " + url.get(), e);
        }
    }

    private List<String> origins(List<String> fallback) {
        return read().string("parley.origins")
                .map(v -> Arrays.stream(v.split(",")).map(String::trim).filter(o -> !o.isEmpty()).toList())
                .orElse(fallback);
    }

    private SecuritySettings.DirectRule directRule(SecuritySettings.DirectRule fallback) {
        String rule = read().string("parley.direct.rule").orElse(null);
        if (rule == null) {
            return fallback;
        }
        return switch (rule.toLowerCase(Locale.ROOT)) {
            case "shared-room" -> SecuritySettings.DirectRule.SHARED_ROOM;
            case "anyone" -> SecuritySettings.DirectRule.ANYONE;
            default -> throw new IllegalStateException("parley.direct.rule must be shared-room or anyone, was " + rule);
        };
    }


    private static String read(String property, String file) {
        try {
            return Files.readString(Path.of(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(property + ": cannot read " + file, e);
        }
    }


}
