package dev.parley.it;

import dev.parley.it.support.PayaraProcess;
import dev.parley.it.support.TestClient;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The self-contained runnable jar ({@code mvn package -Puberjar} runs the same Payara Micro command): built from
 * the WAR, started with nothing but {@code java -jar}, it serves a chat at the root.
 */
@Timeout(400)
class UberJarIT {

    @Test
    void theUberJarRunsAndServesAChat() throws IOException, InterruptedException {
        Path dir = Path.of("target", "it-uber").toAbsolutePath();
        Files.createDirectories(dir);
        Path jar = dir.resolve("parley-bundle.jar");
        Files.deleteIfExists(jar);
        Path log = dir.resolve("build.log");
        // Payara Micro keeps no context root in an uber jar; a WAR named ROOT is served at "/".
        Path root = dir.resolve("ROOT.war");
        Files.copy(Path.of(System.getProperty("parley.war", "target/parley.war")), root, StandardCopyOption.REPLACE_EXISTING);
        Process build = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", Path.of(System.getProperty("payara.microJar", "target/payara-micro.jar")).toAbsolutePath().toString(),
                "--deploy", root.toString(), "--outputuberjar", jar.toString()))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertTrue(build.waitFor(300, TimeUnit.SECONDS), "building the uber jar took over 300 s");
        assertEquals(0, build.exitValue(), () -> "building the uber jar failed: " + tail(log));
        assertTrue(Files.size(jar) > 50_000_000, "the uber jar carries Payara Micro and the WAR");

        // A database of its own each run: one left by an earlier run (mvn verify without clean) would hold ref j1
        // already, and the replayed message would get only its original ack.
        try (PayaraProcess server = PayaraProcess.builder("uberjar").uberJar(jar)
                .property("parley.data.dir", Files.createTempDirectory(dir, "data-").toString()).build().start();
             TestClient alice = TestClient.welcomed(server.chat("name=u-alice"))) {
            alice.expectJoined("lobby");
            alice.send("{\"type\":\"message\",\"room\":\"lobby\",\"text\":\"from the jar\",\"ref\":\"j1\"}");
            JsonObject message = alice.expect("message");
            assertEquals("from the jar", message.getString("text"));
            assertEquals("j1", alice.expect("ack").getString("ref"));
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return e.toString();
        }
    }
}
