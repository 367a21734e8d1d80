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
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

@ExtendWith(ArquillianExtension.class)
@Timeout(60)
class BadInputIT {

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.parley();
    }

    @ArquillianResource
    URL base;

    @Test
    void probe() {
        try (TestClient a = TestClient.connect(Deployments.chat(base, "name=a"), "chat")) {
            a.expect("welcome"); a.expect("joined");
            for (String f : new String[]{"{", "[1]", "\"x\"", "42", "{\"type\":\"nope\"}", "{}", "{\"type\":\"join\"}", "{\"type\":\"join\",\"room\":5}",
                    "{\"type\":\"message\",\"room\":\"lobby\",\"text\":\"\\ud800\",\"ref\":\"r\"}", "{\"type\":\"ping\"} {\"x\":1}", "{\"type\":\"ping\",\"type\":\"ping\"}",
                    "{\"type\":\"history\",\"room\":\"lobby\",\"limit\":1e999999}", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}) {
                a.send(f);
                System.out.println("PROBE " + f);
            }
            while (true) { try { System.out.println("PROBE -> " + a.nextEvent(java.time.Duration.ofSeconds(2))); } catch (AssertionError e) { break; } }
        }
        try (TestClient a = TestClient.connect(Deployments.chat(base, "name=b"), "chat")) {
            a.expect("welcome"); a.expect("joined");
            a.send("x".repeat(1024 * 1024));
            System.out.println("PROBE big -> " + a.awaitClose(Duration.ofSeconds(10)));
        }
        try (TestClient a = TestClient.connect(Deployments.chat(base, "name=c"), "chat")) {
            a.expect("welcome"); a.expect("joined");
            a.send("x".repeat(70 * 1024));
            System.out.println("PROBE 70k -> " + a.awaitClose(Duration.ofSeconds(10)));
        }
        try (TestClient a = TestClient.connect(Deployments.chat(base, "name=d"), "chat")) {
            a.expect("welcome"); a.expect("joined");
            a.sendBinary(new byte[]{1, 2});
            System.out.println("PROBE bin -> " + a.awaitClose(Duration.ofSeconds(10)));
        }
        try (TestClient a = TestClient.connect(Deployments.chat(base, "name=" + "x".repeat(10000)), "chat")) {
            System.out.println("PROBE longname -> " + a.awaitClose(Duration.ofSeconds(10)));
        }
        try (TestClient a = TestClient.connect(Deployments.chat(base, null))) {
            System.out.println("PROBE noproto -> " + a.subprotocol() + " " + a.next());
        }
    }
}
