package dev.parley.it;

import dev.parley.it.support.Deployments;
import dev.parley.it.support.Servers;
import dev.parley.it.support.TestClient;
import jakarta.json.JsonObject;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.OperateOnDeployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * Stopping the server tells every connected client with close 1001, so clients know to reconnect, after the
 * messages it had received are stored and acknowledged (the drain).
 * The deployment is started and stopped by the test (Payara Micro under Arquillian stops with SIGTERM,
 * as an operator's service manager would).
 */
@ExtendWith(ArquillianExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(120)
class ShutdownIT {

    private static final String NAME = "stoppable";
    private static final int BURST = 200;

    @Deployment(name = NAME, managed = false, testable = false)
    static WebArchive deployment() {
        // One message per transaction, so a burst is still being stored when the stop begins.
        return Deployments.parley("parley.store.batch-size=1\n");
    }

    @ArquillianResource
    Deployer deployer;

    @Test
    @Order(1)
    void startTheServer() {
        deployer.deploy(NAME);
    }

    @Test
    @Order(2)
    void everyConnectedClientGets1001WhenTheServerStops(@ArquillianResource @OperateOnDeployment(NAME) URL base) {
        List<TestClient> clients = new ArrayList<>();
        try {
            for (String name : List.of("s-alice", "s-bob", "s-alice")) {
                TestClient c = TestClient.connect(Deployments.chat(base, "name=" + name), "chat");
                c.expect("welcome");
                c.expect("joined");
                clients.add(c);
            }
            // A burst the server has received (the pong follows it) but not yet stored when the stop begins.
            TestClient sender = clients.get(0);
            for (int i = 0; i < BURST; i++) {
                sender.send("{\"type\":\"message\",\"room\":\"lobby\",\"text\":\"last words " + i + "\",\"ref\":\"b-" + i + "\"}");
            }
            sender.send("{\"type\":\"ping\",\"ref\":\"received\"}");
            List<JsonObject> beforeStop = new ArrayList<>();
            sender.await(f -> "pong".equals(f.getString("type", null)), TestClient.WAIT, beforeStop);
            deployer.undeploy(NAME);
            List<TestClient.Closed> closes = new ArrayList<>();
            for (TestClient c : clients) {
                TestClient.Closed closed = c.awaitClose(Duration.ofSeconds(60));
                assertEquals(1001, closed.code(), closed::toString);
                closes.add(closed);
            }
            assumeFalse(Servers.current() == Servers.WILDFLY, "WildFly (Undertow) closes every socket itself with 1001"
                    + " before the application is stopped, so nothing in flight can be answered");
            Set<String> acked = new TreeSet<>();
            beforeStop.stream().filter(f -> "ack".equals(f.getString("type", null))).forEach(f -> acked.add(f.getString("ref")));
            for (TestClient.Event e = sender.nextEvent(TestClient.WAIT); !(e instanceof TestClient.Closed); e = sender.nextEvent(TestClient.WAIT)) {
                if (e instanceof TestClient.Text t && "ack".equals(t.json().getString("type", null))) {
                    acked.add(t.json().getString("ref"));
                }
            }
            assertEquals(BURST, acked.size(), () -> "every message received before the stop is stored and acked before 1001; acked: " + acked);
            assumeFalse(Servers.current() == Servers.WILDFLY, "WildFly (Undertow) closes every socket itself with 1001"
                    + " and no reason before the application is stopped, so Parley's reason cannot reach the client");
            for (TestClient.Closed closed : closes) {
                assertEquals("server shutting down", closed.reason());
            }
        } finally {
            clients.forEach(TestClient::abort);
        }
    }
}
