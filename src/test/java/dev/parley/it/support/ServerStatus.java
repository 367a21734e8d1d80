package dev.parley.it.support;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;

import java.io.IOException;
import java.io.StringReader;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Reads the server's loopback-only {@code GET /status} figures, and waits for them to reach a state. */
public final class ServerStatus {

    private final HttpClient http = HttpClient.newHttpClient();
    private final URL base;

    public ServerStatus(URL base) {
        this.base = base;
    }

    /** The current figures; fails unless the server answers 200. */
    public JsonObject read() {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(Deployments.http(base, "status"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r::body);
            try (JsonReader reader = Json.createReader(new StringReader(r.body()))) {
                return reader.readObject();
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /**
     * Reads the figures until {@code condition} holds and returns them; fails with the last figures seen when
     * it does not hold within {@code timeout}. Reads at most every 50 ms.
     */
    public JsonObject await(Predicate<JsonObject> condition, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JsonObject s = read();
            if (condition.test(s)) {
                return s;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + " not within " + timeout + "; last status: " + s);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
    }
}
