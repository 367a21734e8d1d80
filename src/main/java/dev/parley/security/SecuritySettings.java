package dev.parley.security;

import dev.parley.session.Rates;

import java.time.Duration;
import java.util.List;

/**
 * Parley's security and abuse-resistance settings, read once at start by {@code wiring.SecuritySettingsProducer}
 * (property names and defaults are listed there and in the security documentation). Immutable.
 * A limit of 0 turns that limit off.
 *
 * @param auth                     {@code open} (names from the query) or {@code token} (signed JWT)
 * @param jwt                      how tokens are verified; unused in open mode
 * @param origins                  allowed Origin values: exact origins, {@code self}, {@code localhost} or {@code *}
 * @param messagesPerSecond        steady rate of chat frames per connection (0: no limit)
 * @param burst                    chat frames a connection may send at once before the rate applies
 * @param signalsPerSecond         steady rate of typing and ping frames, counted apart from chat (0: no limit)
 * @param signalBurst              typing and ping frames a connection may send at once
 * @param closeAfterRefused        refused frames (within about ten seconds) after which the connection is closed with 4429
 * @param connectionsPerUser       open connections one user may have (0: no limit)
 * @param connectionsPerAddress    open connections one remote address may have (0: no limit)
 * @param roomsPerConnection       rooms one connection may be in at once (0: no limit)
 * @param membersPerRoom           distinct users one room may hold (0: no limit)
 * @param idleTimeout              a connection that sends nothing and answers no ping for this long is closed with 4408
 * @param directs                  who may send a direct message to whom
 * @param directWindow             how long having been in a room together lets two users write to each other (shared-room rule)
 */
public record SecuritySettings(AuthMode auth, Jwt jwt, List<String> origins,
                               double messagesPerSecond, int burst, double signalsPerSecond, int signalBurst,
                               int closeAfterRefused, int connectionsPerUser, int connectionsPerAddress,
                               int roomsPerConnection, int membersPerRoom,
                               Duration idleTimeout, DirectRule directs, Duration directWindow) {

    public SecuritySettings {
        origins = List.copyOf(origins);
    }

    /** The inbound rate limits every connection gets. */
    public Rates rates() {
        return new Rates(messagesPerSecond, burst, signalsPerSecond, signalBurst, closeAfterRefused);
    }

    /** How clients prove who they are. */
    public enum AuthMode {
        /** Anyone connects under the name given in the query ({@code ?name=}); for development and first runs. */
        OPEN,
        /** Every connection presents a signed JWT; its subject is the user name. */
        TOKEN
    }

    /** Who may send a direct message to whom. */
    public enum DirectRule {
        /** Only to a user who is, right now, in a room the sending connection is in (they see each other's presence). */
        SHARED_ROOM,
        /** To any connected user. */
        ANYONE
    }

    /**
     * How JWTs are verified. Exactly one key source is set in token mode.
     *
     * @param hmacSecret   the HS256 shared secret (at least 32 bytes), or null
     * @param publicKeyPem a PEM public key (RSA for RS256, EC P-256 for ES256), or null
     * @param jwksJson     a JSON Web Key Set (RS256 / ES256 keys), or null
     * @param issuer       the required {@code iss}, or null for any
     * @param audience     the required {@code aud}, or null for any
     * @param userClaim    the claim holding the user name ({@code sub} by default)
     * @param roomsClaim   the claim holding the private-room patterns ({@code rooms} by default)
     * @param clockSkew    tolerance when checking {@code exp} and {@code nbf}
     * @param remoteJwks   a JSON Web Key Set fetched from an identity provider's URL, cached and refreshed, or null
     */
    public record Jwt(String hmacSecret, String publicKeyPem, String jwksJson, String issuer, String audience,
                      String userClaim, String roomsClaim, Duration clockSkew, RemoteJwks remoteJwks) {

        /** Settings without a remote key set. */
        public Jwt(String hmacSecret, String publicKeyPem, String jwksJson, String issuer, String audience,
                   String userClaim, String roomsClaim, Duration clockSkew) {
            this(hmacSecret, publicKeyPem, jwksJson, issuer, audience, userClaim, roomsClaim, clockSkew, null);
        }

        @Override
        public String toString() {
            // Never print the secret or keys.
            return "Jwt[key=" + (hmacSecret != null ? "HS256 secret" : publicKeyPem != null ? "PEM public key"
                    : jwksJson != null ? "JWKS" : remoteJwks != null ? "JWKS at " + remoteJwks.url() : "none") + ", issuer=" + issuer + ", audience=" + audience
                    + ", userClaim=" + userClaim + ", roomsClaim=" + roomsClaim + ", clockSkew=" + clockSkew + "]";
        }
    }

    /**
     * A JSON Web Key Set served by an identity provider (Keycloak's {@code .../protocol/openid-connect/certs},
     * Auth0's {@code /.well-known/jwks.json}), fetched when first needed, cached, and fetched again when a token
     * names a key id the cached set lacks (a key rotation), at most twice per {@code minRefreshInterval}.
     *
     * @param url                where the set is served ({@code https:} in production)
     * @param cacheTtl           how long a fetched set is used before it is fetched again
     * @param minRefreshInterval the rate limit on fetches: at most two per interval, so unknown key ids cannot
     *                           make Parley hammer the provider
     */
    public record RemoteJwks(java.net.URL url, Duration cacheTtl, Duration minRefreshInterval) {
    }

    /** The defaults: open mode, own origin and localhost, 100 messages/s with bursts of 1,000, 60 s idle timeout. */
    public static SecuritySettings defaults() {
        return new SecuritySettings(AuthMode.OPEN,
                new Jwt(null, null, null, null, null, "sub", "rooms", Duration.ZERO),
                List.of(OriginPolicy.SELF, OriginPolicy.LOCALHOST),
                100, 1000, 50, 200, 100, 20, 200, 100, 10_000,
                Duration.ofSeconds(60), DirectRule.SHARED_ROOM,
                Duration.ofHours(24));
    }
}
