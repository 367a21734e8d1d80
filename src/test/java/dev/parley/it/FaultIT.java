package dev.parley.it;

import dev.parley.it.faults.FaultyConnectionService;
import dev.parley.it.faults.FaultyRoomService;
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
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Unexpected server failures, injected through test-only CDI alternatives: a failure while handling one
 * frame is an {@code internal} error and the connection lives on; a failure while admitting a connection
 * closes it with 1011. Either way everyone else is unaffected.
 */
@ExtendWith(ArquillianExtension.class)
@Timeout(60)
class FaultIT {

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.parley().addClasses(FaultyConnectionService.class, FaultyRoomService.class);
    }

    @ArquillianResource
    URL base;

    private TestClient connect(String name) {
        TestClient c = TestClient.named(base, name);
        c.expect("joined");
        return c.ignore(f -> "presence".equals(f.getString("type", null)));
    }

    @Test
    void aFailureWhileHandlingAFrameIsAnInternalErrorAndTheConnectionGoesOn() {
        try (TestClient alice = connect("f-alice"); TestClient bob = connect("f-bob")) {
            alice.send("{\"type\":\"message\",\"room\":\"lobby\",\"text\":\"boom\",\"ref\":\"b1\"}");
            JsonObject error = alice.expect("error");
            assertEquals("internal", error.getString("code"));
            assertEquals("b1", error.getString("ref"));

            alice.send("{\"type\":\"message\",\"room\":\"lobby\",\"text\":\"fine\",\"ref\":\"b2\"}");
            assertEquals("fine", alice.expect("message").getString("text"));
            assertEquals("b2", alice.expect("ack").getString("ref"));
            assertEquals("fine", bob.expect("message").getString("text"), "bob never saw the failed one");
        }
    }

    @Test
    void aFailureWhileAdmittingAConnectionClosesItWith1011() {
        try (TestClient bob = connect("f-bob2"); TestClient crash = TestClient.connect(Deployments.chat(base, "name=crash"), "chat")) {
            TestClient.Closed closed = crash.awaitClose(Duration.ofSeconds(10));
            assertEquals(1011, closed.code());
            assertEquals("internal error", closed.reason());
            bob.send("{\"type\":\"ping\"}");
            bob.expect("pong");
        }
    }
}
