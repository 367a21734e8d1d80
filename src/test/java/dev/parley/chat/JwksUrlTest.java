package dev.parley.chat;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import dev.parley.config.Settings;
import dev.parley.protocol.CloseCodes;
import dev.parley.security.SecuritySettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Token mode with {@code parley.auth.jwks-url}: the server fetches the identity provider's key set from a URL (here
 * a local HTTP server playing Keycloak), keeps it cached, picks up a rotated key (a new {@code kid}) without a
 * restart, and refuses a token signed with a key the provider does not publish with 4401.
 */
@Timeout(60)
class JwksUrlTest {

    private final AtomicReference<String> published = new AtomicReference<>();
    private final AtomicInteger fetches = new AtomicInteger();
    private HttpServer provider;
    private InMemoryServer server;

    @BeforeEach
    void startTheProviderAndParley() throws IOException {
        provider = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        provider.createContext("/realms/parley/protocol/openid-connect/certs", exchange -> {
            fetches.incrementAndGet();
            byte[] body = published.get().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        provider.start();
        URL url = new URL("http://127.0.0.1:" + provider.getAddress().getPort() + "/realms/parley/protocol/openid-connect/certs");
        SecuritySettings d = SecuritySettings.defaults();
        SecuritySettings security = new SecuritySettings(SecuritySettings.AuthMode.TOKEN,
                new SecuritySettings.Jwt(null, null, null, "https://idp.example/realms/parley", null, "sub", "rooms", Duration.ZERO,
                        new SecuritySettings.RemoteJwks(url, Duration.ofMinutes(5), Duration.ofSeconds(30))),
                d.origins(), d.messagesPerSecond(), d.burst(), d.signalsPerSecond(), d.signalBurst(), d.closeAfterRefused(),
                d.connectionsPerUser(), d.connectionsPerAddress(), d.roomsPerConnection(), d.membersPerRoom(), d.idleTimeout(),
                d.directs(), d.directWindow());
        server = new InMemoryServer(Settings.defaults(), security);
    }

    @AfterEach
    void stop() {
        server.close();
        provider.stop(0);
    }

    @Test
    void keysComeFromTheUrlAreCachedAndARotatedKeyIsPickedUp() throws Exception {
        RSAKey first = new RSAKeyGenerator(2048).keyID("key-2026-11").generate();
        publish(first);

        InMemoryServer.Connection alice = connect(token(first, "alice"));
        assertNotNull(alice.peer(), () -> "refused: " + alice.transport().closeCode());
        assertNotNull(connect(token(first, "bob")).peer());
        assertEquals(1, fetches.get(), "the key set is fetched once and then served from the cache");

        // The provider rotates: a new key with a new kid, the old one withdrawn.
        RSAKey second = new RSAKeyGenerator(2048).keyID("key-2026-12").generate();
        publish(second);
        InMemoryServer.Connection carol = connect(token(second, "carol"));
        assertNotNull(carol.peer(), () -> "a token with the rotated key was refused: " + carol.transport().closeCode());
        assertEquals(2, fetches.get(), "an unknown kid makes the server fetch the set again, once");
    }

    @Test
    void aTokenSignedWithAKeyTheProviderDoesNotPublishIsRefusedWith4401() throws Exception {
        RSAKey published = new RSAKeyGenerator(2048).keyID("key-a").generate();
        publish(published);
        assertNotNull(connect(token(published, "alice")).peer());

        RSAKey forged = new RSAKeyGenerator(2048).keyID("key-evil").generate();
        InMemoryServer.Connection mallory = connect(token(forged, "mallory"));
        assertNull(mallory.peer());
        assertEquals(CloseCodes.UNAUTHORIZED, mallory.transport().closeCode());

        // A key that claims a published kid but is not that key: the signature check refuses it.
        RSAKey impostor = new RSAKeyGenerator(2048).keyID("key-a").generate();
        InMemoryServer.Connection eve = connect(token(impostor, "eve"));
        assertNull(eve.peer());
        assertEquals(CloseCodes.UNAUTHORIZED, eve.transport().closeCode());
        // The unknown kid cost one more fetch; the rate limit keeps further ones from reaching the provider.
        for (int i = 0; i < 5; i++) {
            assertNull(connect(token(new RSAKeyGenerator(2048).keyID("key-x" + i).generate(), "mallory")).peer());
        }
        assertEquals(2, fetches.get(), "at most two fetches per rate-limit interval");
    }

    private void publish(RSAKey key) {
        published.set(new JWKSet(key.toPublicJWK()).toString());
    }

    private InMemoryServer.Connection connect(String token) {
        return server.connect(Map.of(), List.of("chat", "bearer." + token));
    }

    private static String token(RSAKey key, String user) throws JOSEException {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(),
                new JWTClaimsSet.Builder().subject(user).issuer("https://idp.example/realms/parley")
                        .expirationTime(Date.from(Instant.now().plusSeconds(600))).build());
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }
}
