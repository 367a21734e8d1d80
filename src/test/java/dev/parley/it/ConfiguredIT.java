package dev.parley.it;

import dev.parley.it.support.Deployments;
import dev.parley.it.support.TestClient;
import dev.parley.protocol.CloseCodes;
import dev.parley.protocol.Names;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.URL;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Settings change what clients see: here no default room, a shorter text limit, only the server's own origin. */
@ExtendWith(ArquillianExtension.class)
@Timeout(60)
class ConfiguredIT {

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.parley("parley.default-room=\nparley.text.max-chars=10\nparley.origins=self\n"
                + "parley.limits.data-bytes=20\nparley.limits.state-bytes=12\nparley.rate.app-signals-per-second=0.01\n"
                + "parley.rate.app-signal-burst=3\n");
    }

    @ArquillianResource
    URL base;

    @Test
    void anEmptyDefaultRoomMeansConnectionsStartInNoRoom() {
        try (TestClient alice = TestClient.connect(Deployments.chat(base, "name=c-alice"), "chat")) {
            JsonObject welcome = alice.expect("welcome");
            assertEquals(0, welcome.getJsonArray("rooms").size());
            alice.send("{\"type\":\"ping\"}");
            alice.expect("pong"); // no joined came first
            alice.send("plain text has nowhere to go");
            assertEquals("not_member", alice.expect("error").getString("code"));
            alice.send("{\"type\":\"rooms\"}");
            assertEquals(0, alice.expect("rooms").getJsonArray("rooms").size());
        }
    }

    @Test
    void selfAllowsThePagesOfThisServersSchemeOnly() {
        URI uri = Deployments.chat(base, "name=c-origin");
        String host = "127.0.0.1:" + uri.getPort();
        try (TestClient self = TestClient.connectFrom("http://" + host, uri, "chat")) {
            self.expect("welcome");
        }
        assertEquals(403, TestClient.refusedHandshakeStatus("https://" + host, uri, "chat"));
        assertEquals(403, TestClient.refusedHandshakeStatus("http://localhost:" + uri.getPort(), uri, "chat"));
    }

    @Test
    void protocolJsonServesTheConfiguredLimitsTheNameSyntaxAndEveryCloseCode() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(Deployments.http(base, "protocol.json")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        JsonObject protocol;
        try (JsonReader r = Json.createReader(new StringReader(response.body()))) {
            protocol = r.readObject();
        }
        assertEquals(10, protocol.getJsonObject("limits").getInt("textMaxChars"));
        assertEquals(65536, protocol.getJsonObject("limits").getInt("frameMaxBytes"));
        assertEquals(20, protocol.getJsonObject("limits").getInt("dataMaxBytes"));
        assertEquals(12, protocol.getJsonObject("limits").getInt("stateMaxBytes"));
        assertEquals(Names.USER_PATTERN, protocol.getJsonObject("names").getString("user"));
        assertEquals(CloseCodes.all().stream().map(c -> c.code() + "=" + c.advice().wire()).toList(),
                protocol.getJsonArray("closeCodes").getValuesAs(JsonObject.class).stream()
                        .map(c -> c.getInt("code") + "=" + c.getString("reconnect")).toList());
    }

    @Test
    void withoutConfiguredKeysTheHttpApiDoesNotExist() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        for (String path : new String[]{"api/rooms", "api/rooms/lobby/members", "api/nothing"}) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(Deployments.http(base, path))
                            .header("Authorization", "Bearer any-key-0123456789abcdef").timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(404, r.statusCode(), r::body);
        }
        HttpResponse<String> post = http.send(HttpRequest.newBuilder(Deployments.http(base, "api/rooms/lobby/messages"))
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"hi\"}"))
                        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(404, post.statusCode(), post::body);
    }

    @Test
    void theTextLimitIsConfigurable() {
        try (TestClient alice = TestClient.connect(Deployments.chat(base, "name=c-bob"), "chat")) {
            alice.expect("welcome");
            alice.send("{\"type\":\"join\",\"room\":\"c-room\"}");
            alice.expect("joined");
            alice.send("{\"type\":\"message\",\"room\":\"c-room\",\"text\":\"0123456789\"}");
            assertEquals("0123456789", alice.expect("message").getString("text"));
            alice.expect("ack");
            alice.send("{\"type\":\"message\",\"room\":\"c-room\",\"text\":\"0123456789X\",\"ref\":\"x\"}");
            JsonObject error = alice.expect("error");
            assertEquals("too_long", error.getString("code"));
            assertEquals("x", error.getString("ref"));
        }
    }

    @Test
    void theDataAndStateLimitsAndTheSignalRateAreConfigurable() {
        try (TestClient alice = TestClient.connect(Deployments.chat(base, "name=c-carol"), "chat")) {
            alice.expect("welcome");
            alice.send("{\"type\":\"join\",\"room\":\"c-data\"}");
            alice.expect("joined");
            alice.send("{\"type\":\"message\",\"room\":\"c-data\",\"data\":{\"s\":\"0123456789ab\"}}"); // 20 bytes
            assertEquals("0123456789ab", alice.expect("message").getJsonObject("data").getString("s"));
            alice.expect("ack");
            alice.send("{\"type\":\"message\",\"room\":\"c-data\",\"data\":{\"s\":\"0123456789abc\"},\"ref\":\"d\"}");
            alice.expectError("too_long", "d");
            alice.send("{\"type\":\"state\",\"room\":\"c-data\",\"data\":{\"s\":\"12345\"},\"ref\":\"s\"}"); // 13 bytes
            alice.expectError("too_long", "s");
            // A burst of 3 (the state frame above took one), then refusals.
            for (int i = 0; i < 4; i++) {
                alice.send("{\"type\":\"signal\",\"room\":\"c-data\",\"data\":{},\"ref\":\"g" + i + "\"}");
            }
            alice.expectError("rate_limited", "g2");
            alice.expectError("rate_limited", "g3");
            alice.send("{\"type\":\"message\",\"room\":\"c-data\",\"text\":\"chat\",\"ref\":\"c\"}");
            assertEquals("chat", alice.expect("message").getString("text"), "chat has a bucket of its own");
        }
    }
}
