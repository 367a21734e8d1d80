package dev.parley.it;

import dev.parley.it.support.Deployments;
import dev.parley.it.support.TestClient;
import jakarta.json.JsonObject;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URL;

import static org.junit.jupiter.api.Assertions.assertEquals;

@ExtendWith(ArquillianExtension.class)
@Timeout(60)
class ConversationIT {

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.parley();
    }

    @ArquillianResource
    URL base;

    @Test
    void aNewConnectionIsWelcomedAndJoinsTheLobby() {
        try (TestClient alice = TestClient.connect(Deployments.chat(base, "name=alice"), "chat")) {
            assertEquals("chat", alice.subprotocol());
            JsonObject welcome = alice.expect("welcome");
            assertEquals("alice", welcome.getString("user"));
            JsonObject joined = alice.expect("joined");
            assertEquals("lobby", joined.getString("room"));
            alice.send("{\"type\":\"message\",\"room\":\"lobby\",\"text\":\"hi\",\"ref\":\"c-1\"}");
            JsonObject msg = alice.expect("message");
            assertEquals("hi", msg.getString("text"));
            JsonObject ack = alice.expect("ack");
            assertEquals(msg.getJsonNumber("seq").longValue(), ack.getJsonNumber("seq").longValue());
        }
    }
}
