package dev.parley.api;

import jakarta.json.Json;
import jakarta.json.JsonObjectBuilder;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;

/**
 * Errors of the HTTP API as RFC 9457 problem details ({@code application/problem+json}): {@code type},
 * {@code title}, {@code status}, {@code detail}, and Parley's own {@code code}, the same error code a
 * WebSocket client gets for the same mistake ({@code invalid}, {@code too_long}, {@code unavailable}...).
 */
public final class Problems {

    /** The media type of every error body. */
    public static final String MEDIA_TYPE = "application/problem+json";

    private Problems() {
    }

    /** A problem response; {@code code} may be null. Never null. */
    public static Response response(int status, String code, String detail) {
        Response.Status known = Response.Status.fromStatusCode(status);
        JsonObjectBuilder body = Json.createObjectBuilder()
                .add("type", "about:blank")
                .add("title", known != null ? known.getReasonPhrase() : "HTTP " + status)
                .add("status", status)
                .add("detail", detail);
        if (code != null) {
            body.add("code", code);
        }
        return Response.status(status).type(MEDIA_TYPE).header("Cache-Control", "no-store")
                .entity(body.build().toString()).build();
    }

    /** An exception that answers with this problem (thrown from a resource or filter); never null. */
    public static WebApplicationException fail(int status, String code, String detail) {
        return new WebApplicationException(detail, response(status, code, detail));
    }

    /** 400: the request is malformed (bad JSON, a missing or wrong field, a bad parameter). */
    public static WebApplicationException badRequest(String detail) {
        return fail(400, "invalid", detail);
    }
}
