package dev.parley.it.support;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;

import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Reads MicroProfile Health at the server's root ({@code /health/ready}, {@code /health/live}): 200 with
 * {@code "status":"UP"}, 503 with {@code "DOWN"}; and waits for one of them.
 */
public final class Health {

    /** One answer: the HTTP status and the JSON body. */
    public record Answer(int status, JsonObject body) {

        /** The overall status, {@code UP} or {@code DOWN}. */
        public String state() {
            return body.getString("status");
        }

        /** The status of the named check, or null when the answer has none of that name. */
        public String check(String name) {
            return body.getJsonArray("checks").getValuesAs(JsonObject.class).stream()
                    .filter(c -> name.equals(c.getString("name"))).map(c -> c.getString("status")).findFirst().orElse(null);
        }
    }

    private final HttpClient http = HttpClient.newHttpClient();
    private final String root;

    /** For a server listening on {@code 127.0.0.1:port}. */
    public Health(int port) {
        this.root = "http://127.0.0.1:" + port + "/health/";
    }

    /** {@code /health/<which>} now: {@code ready} or {@code live}. */
    public Answer read(String which) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(root + which)).timeout(Duration.ofSeconds(20)).build(),
                    HttpResponse.BodyHandlers.ofString());
            try (JsonReader reader = Json.createReader(new StringReader(r.body()))) {
                return new Answer(r.statusCode(), reader.readObject());
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Reads {@code /health/<which>} until its overall state is {@code state}; fails with the last answer after {@code timeout}. */
    public Answer await(String which, String state, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Answer a = read(which);
            if (state.equals(a.state())) {
                return a;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("/health/" + which + " not " + state + " within " + timeout + "; last: " + a);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        }
    }
}
