package dev.parley.it;

import dev.parley.testing.Needs;
import dev.parley.testing.Prerequisite;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The README's run command, tried as a new user would: in a fresh copy of the project (only the files Git
 * tracks), run exactly the command the README gives, then chat through the server with the JDK's own
 * WebSocket client, which knows nothing of Parley. A Parley setting given to Maven with {@code -D} reaches the server.
 */
@Needs(Prerequisite.GIT)
@Timeout(600)
class RunCommandIT {

    private Process server;

    @AfterEach
    void stopTheServer() throws InterruptedException {
        if (server != null) {
            List<ProcessHandle> tree = new ArrayList<>(server.descendants().toList());
            tree.forEach(ProcessHandle::destroy);
            server.destroy();
            if (!server.waitFor(60, TimeUnit.SECONDS)) {
                tree.forEach(ProcessHandle::destroyForcibly);
                server.destroyForcibly();
            }
        }
    }

    /** The first command in the README's "Run" section. */
    private static String readmeRunCommand() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        Matcher m = Pattern.compile("## Run\\s+```[a-z]*\\n([^\\n]+)\\n```").matcher(readme);
        assertTrue(m.find(), "README has a Run section with a command");
        return m.group(1).trim();
    }

    /** Copies what a clean checkout holds: the files Git tracks (and new ones it would track). */
    private static Path cleanCheckout() throws IOException, InterruptedException {
        Path target = Path.of("target", "run-command-checkout").toAbsolutePath();
        if (Files.exists(target)) {
            try (Stream<Path> old = Files.walk(target)) {
                old.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        Process ls = new ProcessBuilder("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard").start();
        String listing = new String(ls.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, ls.waitFor(), "git ls-files");
        for (String file : listing.split("\0")) {
            Path from = Path.of(file);
            if (!file.isEmpty() && Files.isRegularFile(from)) {
                Path to = target.resolve(file);
                Files.createDirectories(to.getParent());
                Files.copy(from, to);
            }
        }
        return target;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void theReadmeRunCommandServesThePageAndAPlainWebSocketClientCanChat() throws Exception {
        String command = readmeRunCommand();
        assertTrue(command.startsWith("mvn"), command);
        Path checkout = cleanCheckout();
        int port = freePort();
        Path log = checkout.resolve("run.log");
        // A Parley setting given to Maven reaches the server (the README's Configuration section).
        server = new ProcessBuilder("bash", "-c", command + " -B -Dparley.http.port=" + port + " -Dparley.text.max-chars=1234")
                .directory(checkout.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        awaitReady(log, Duration.ofMinutes(8));

        HttpResponse<String> page = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("<html"), "the web page is served at /");

        HttpResponse<String> protocol = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/protocol.json")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(protocol.body().contains("\"textMaxChars\":1234"),
                () -> "-Dparley.text.max-chars=1234 on the Maven command line did not reach the server: " + protocol.body());

        URI chat = URI.create("ws://127.0.0.1:" + port + "/chat");
        Frames alice = new Frames();
        Frames bob = new Frames();
        WebSocket aliceSocket = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(chat, alice).get(20, TimeUnit.SECONDS);
        WebSocket bobSocket = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(URI.create(chat + "?name=bob"), bob)
                .get(20, TimeUnit.SECONDS);
        bob.await("\"type\":\"joined\"");
        aliceSocket.sendText("Hello Server!", true).get(10, TimeUnit.SECONDS);
        String seen = bob.await("Hello Server!");
        assertTrue(seen.contains("\"type\":\"message\"") && seen.contains("\"from\":\"guest-"), seen);
        assertTrue(alice.await("\"type\":\"ack\"").contains("\"room\":\"lobby\""));
        aliceSocket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(10, TimeUnit.SECONDS);
        bobSocket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(10, TimeUnit.SECONDS);
    }

    private void awaitReady(Path log, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            String out = Files.exists(log) ? Files.readString(log, StandardCharsets.ISO_8859_1) : "";
            if (out.contains(" ready in ")) {
                return;
            }
            if (out.contains("Failed to start") || out.contains("BUILD FAILURE") || !server.isAlive()) {
                fail("the run command failed:\n" + tail(out));
            }
            server.waitFor(500, TimeUnit.MILLISECONDS); // polls the log; returns early if the command dies
        }
        fail("not ready within " + timeout + ":\n" + tail(Files.readString(log, StandardCharsets.ISO_8859_1)));
    }

    private static String tail(String s) {
        return s.length() > 4000 ? s.substring(s.length() - 4000) : s;
    }

    /** Collects text frames from the JDK client. */
    private static final class Frames implements WebSocket.Listener {
        private final LinkedBlockingQueue<String> frames = new LinkedBlockingQueue<>();
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                frames.add(partial.toString());
                partial.setLength(0);
            }
            ws.request(1);
            return null;
        }

        String await(String fragment) throws InterruptedException {
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (true) {
                String f = frames.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                assertNotNull(f, "no frame containing " + fragment);
                if (f.contains(fragment)) {
                    return f;
                }
            }
        }
    }
}
