package dev.parley.it;

import dev.parley.it.support.TestClient;
import dev.parley.testing.Needs;
import dev.parley.testing.Prerequisite;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The container image: built from the project's Dockerfile with the WAR of this build, run with its data on a
 * volume and a setting from the environment, healthy by its own HEALTHCHECK, and serving a chat. Needs a Docker
 * daemon; skipped with the reason where there is none (also under {@code -Dparley.require=all}, unless
 * {@code docker} is named).
 */
@Needs(Prerequisite.DOCKER)
@Timeout(900)
class DockerImageIT {

    private final String tag = "parley-it:" + ProcessHandle.current().pid();
    private final String container = "parley-it-" + ProcessHandle.current().pid();
    private final String volume = "parley-it-data-" + ProcessHandle.current().pid();

    @AfterEach
    void removeWhatTheTestMade() throws Exception {
        docker(120, "rm", "-f", container);
        docker(120, "volume", "rm", "-f", volume);
        docker(120, "rmi", "-f", tag);
    }

    @Test
    void theImageBuildsBecomesHealthyAndServesAChat() throws Exception {
        Result build = docker(600, "build", "-t", tag, ".");
        assertEquals(0, build.code(), () -> "docker build failed:\n" + build.output());

        Result run = docker(120, "run", "-d", "--name", container, "-p", "127.0.0.1::8080",
                "-v", volume + ":/opt/payara/data", "-e", "PARLEY_TEXT_MAX_CHARS=1234", tag);
        assertEquals(0, run.code(), run::output);
        awaitHealthy();
        Result port = docker(30, "port", container, "8080/tcp");
        assertEquals(0, port.code(), port::output);
        String hostPort = port.output().lines().filter(l -> l.startsWith("127.0.0.1:")).findFirst()
                .orElseThrow(() -> new AssertionError("no loopback port: " + port.output())).substring("127.0.0.1:".length()).trim();

        java.net.http.HttpResponse<String> protocol = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + hostPort + "/protocol.json")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertTrue(protocol.body().contains("\"textMaxChars\":1234"), () -> "PARLEY_TEXT_MAX_CHARS did not reach the server: " + protocol.body());

        try (TestClient alice = TestClient.welcomed(URI.create("ws://127.0.0.1:" + hostPort + "/chat?name=d-alice"))) {
            alice.expectJoined("lobby");
            alice.send("{\"type\":\"message\",\"room\":\"lobby\",\"text\":\"from the container\",\"ref\":\"d1\"}");
            JsonObject message = alice.expect("message");
            assertEquals("from the container", message.getString("text"));
            assertEquals("d1", alice.expect("ack").getString("ref"));
        }
        Result files = docker(30, "exec", container, "ls", "/opt/payara/data");
        assertTrue(files.output().contains(".mv.db"), () -> "the embedded database is on the volume: " + files.output());
    }

    private void awaitHealthy() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
        String status = "";
        while (System.nanoTime() < deadline) {
            status = docker(30, "inspect", "--format", "{{.State.Health.Status}}", container).output().trim();
            if (status.equals("healthy")) {
                return;
            }
            if (status.equals("unhealthy") || !docker(30, "inspect", "--format", "{{.State.Running}}", container).output().trim().equals("true")) {
                break;
            }
            // docker inspect is the only signal; each look takes a process start, so no tighter loop is needed
            TimeUnit.SECONDS.sleep(2);
        }
        fail("the container is " + status + ":\n" + docker(30, "logs", "--tail", "60", container).output());
    }

    private record Result(int code, String output) {
    }

    private static Result docker(int seconds, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("docker"));
        command.addAll(List.of(args));
        Path log = Files.createTempFile("docker", ".log");
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                return new Result(-1, String.join(" ", command) + " did not finish within " + seconds + " s");
            }
            return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
