package dev.parley.it.support;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;

import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A real HTTP client for Parley's {@code /api} on loopback, with an API key (or none, for the refusals). */
public final class ApiClient {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    private final URL base;
    private final String authorization;

    private ApiClient(URL base, String authorization) {
        this.base = base;
        this.authorization = authorization;
    }

    /** Calls with {@code Authorization: Bearer <key>}. */
    public static ApiClient withKey(URL base, String key) {
        return new ApiClient(base, "Bearer " + key);
    }

    /** Calls with exactly this Authorization header, or none when null. */
    public static ApiClient withAuthorization(URL base, String authorization) {
        return new ApiClient(base, authorization);
    }

    /** {@code GET /api/<path>}. */
    public HttpResponse<String> get(String path) {
        return send(request(path).GET());
    }

    /** {@code POST /api/<path>} with a JSON body, and header pairs (name, value, ...) such as Idempotency-Key. */
    public HttpResponse<String> post(String path, String json, String... headers) {
        return postAs(path, "application/json", json, headers);
    }

    /** {@code POST /api/<path>} with a body of the given content type. */
    public HttpResponse<String> postAs(String path, String contentType, String body, String... headers) {
        HttpRequest.Builder b = request(path).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return send(b);
    }

    /** The URI of {@code /api/<path>} on loopback. */
    public URI uri(String path) {
        return Deployments.http(base, "api/" + path);
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(TIMEOUT);
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return b;
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** A response body as a JSON object. */
    public static JsonObject json(HttpResponse<String> response) {
        try (JsonReader r = Json.createReader(new StringReader(response.body()))) {
            return r.readObject();
        }
    }
}
