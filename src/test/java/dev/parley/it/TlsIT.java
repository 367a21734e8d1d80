package dev.parley.it;

import dev.parley.it.support.PayaraProcess;
import dev.parley.it.support.TestCa;
import dev.parley.it.support.TestClient;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import javax.net.ssl.SSLHandshakeException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code wss://} served by Payara Micro itself, started as the README's TLS section says: {@code --sslport}, the
 * operator's key store in {@code javax.net.ssl.keyStore}, the key's alias in {@code --sslcert}; here with a CA made
 * by the test and both listeners bound to 127.0.0.1. Also the TLS-terminating proxy case: the Origin check takes
 * the scheme from {@code X-Forwarded-Proto} when told to trust it.
 */
@Timeout(300)
class TlsIT {

    private static TestCa ca;
    private static PayaraProcess server;
    private static int tlsPort;

    @BeforeAll
    static void startPayaraMicroWithTheOperatorsKeyStore() throws IOException {
        Path dir = Path.of("target", "it-tls").toAbsolutePath();
        ca = TestCa.create(dir, "test-secret-" + ProcessHandle.current().pid());
        Path loopback = dir.resolve("loopback.asadmin");
        Files.writeString(loopback, """
                set configs.config.server-config.network-config.network-listeners.network-listener.http-listener.address=127.0.0.1
                set configs.config.server-config.network-config.network-listeners.network-listener.https-listener.address=127.0.0.1
                """);
        tlsPort = PayaraProcess.freePort();
        server = PayaraProcess.builder("tls")
                .property("parley.store", "memory")
                .property("parley.origins", "self")
                .property("parley.origin.trust-forwarded-proto", "true")
                .jvmOption("-Djavax.net.ssl.keyStore=" + ca.serverKeyStore())
                .jvmOption("-Djavax.net.ssl.keyStorePassword=" + ca.password())
                .jvmOption("-Djavax.net.ssl.keyStoreType=PKCS12")
                .arg("--sslport").arg(String.valueOf(tlsPort))
                .arg("--sslcert").arg(TestCa.SERVER_ALIAS)
                .arg("--prebootcommandfile").arg(loopback.toString())
                .build().start();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static URI wss(String query) {
        return URI.create("wss://127.0.0.1:" + tlsPort + "/chat?" + query);
    }

    private static HttpClient trustingTheTestCa() {
        return HttpClient.newBuilder().sslContext(ca.trustingOnlyThisCa()).connectTimeout(Duration.ofSeconds(10)).build();
    }

    @Test
    void twoClientsTrustingOnlyTheTestCaChatOverWss() {
        HttpClient http = trustingTheTestCa();
        try (TestClient alice = TestClient.connectThrough(http, null, wss("name=t-alice"), "chat").takeWelcome();
             TestClient bob = TestClient.connectThrough(http, null, wss("name=t-bob"), "chat").takeWelcome()) {
            alice.expectJoined("lobby");
            bob.expectJoined("lobby");
            alice.ignore(f -> "presence".equals(f.getString("type", null)));
            alice.send("{\"type\":\"message\",\"room\":\"lobby\",\"text\":\"over TLS\",\"ref\":\"tls-1\"}");
            JsonObject seen = bob.expect("message");
            assertEquals("over TLS", seen.getString("text"));
            assertEquals("t-alice", seen.getString("from"));
            assertEquals("over TLS", alice.expect("message").getString("text"));
            assertEquals("tls-1", alice.expect("ack").getString("ref"));
        }
    }

    @Test
    void aClientThatDoesNotTrustTheCaHasItsHandshakeRefused() {
        // The JDK's default trust store: public CAs only, as a browser that was never given the test CA.
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        ExecutionException failed = assertThrows(ExecutionException.class, () -> http.newWebSocketBuilder()
                .subprotocols("chat")
                .buildAsync(wss("name=t-eve"), new WebSocket.Listener() { })
                .get(20, TimeUnit.SECONDS));
        assertInstanceOf(SSLHandshakeException.class, failed.getCause(), () -> "expected a TLS refusal: " + failed);
    }

    @Test
    void theHttpEndpointsAreServedOverTlsToo() throws IOException, InterruptedException {
        HttpResponse<String> ready = trustingTheTestCa().send(HttpRequest.newBuilder(
                URI.create("https://127.0.0.1:" + tlsPort + "/health/ready")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, ready.statusCode(), ready.body());
        assertTrue(ready.body().contains("UP"), ready.body());
    }

    @Test
    void aPageServedOverHttpsIsItsOwnOriginOnTheTlsPort() {
        String page = "https://127.0.0.1:" + tlsPort;
        try (TestClient c = TestClient.connectThrough(trustingTheTestCa(), page, wss("name=t-page"), "chat").takeWelcome()) {
            c.expectJoined("lobby");
        }
        assertEquals(403, refusedStatus(trustingTheTestCa(), "http://127.0.0.1:" + tlsPort, wss("name=t-http-page"), null));
    }

    @Test
    void behindATlsTerminatingProxyTheForwardedSchemeDecidesTheOrigin() throws Exception {
        // The proxy ends TLS and forwards plain HTTP with X-Forwarded-Proto: https and the public Host kept.
        URI plain = server.chat("name=t-proxied");
        String publicOrigin = "https://127.0.0.1:" + server.port();
        WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                .subprotocols("chat")
                .header("Origin", publicOrigin)
                .header("X-Forwarded-Proto", "https")
                .buildAsync(plain, new WebSocket.Listener() { })
                .get(20, TimeUnit.SECONDS);
        ws.abort();
        // Without the header the same page's origin is not the server's (the request itself was plain HTTP).
        assertEquals(403, refusedStatus(HttpClient.newHttpClient(), publicOrigin, plain, null));
        // And a forwarded "http" for an https page is refused as well.
        assertEquals(403, refusedStatus(HttpClient.newHttpClient(), publicOrigin, plain, "http"));
    }

    /** The HTTP status of a refused upgrade; fails if the connection opens. */
    private static int refusedStatus(HttpClient http, String origin, URI uri, String forwardedProto) {
        WebSocket.Builder b = http.newWebSocketBuilder().subprotocols("chat").header("Origin", origin);
        if (forwardedProto != null) {
            b.header("X-Forwarded-Proto", forwardedProto);
        }
        try {
            b.buildAsync(uri, new WebSocket.Listener() { }).get(20, TimeUnit.SECONDS).abort();
            throw new AssertionError("the handshake from " + origin + " was accepted");
        } catch (ExecutionException e) {
            WebSocketHandshakeException refused = assertInstanceOf(WebSocketHandshakeException.class, e.getCause(), e::toString);
            return refused.getResponse().statusCode();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
