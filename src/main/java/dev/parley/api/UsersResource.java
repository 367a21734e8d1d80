package dev.parley.api;

import dev.parley.chat.DirectService;
import dev.parley.chat.IntakePacing;
import dev.parley.config.Settings;
import dev.parley.history.Appended;
import dev.parley.message.DirectMessage;
import dev.parley.protocol.CloseCodes;
import dev.parley.session.ConnectionRegistry;
import dev.parley.session.IntakeWindow;
import dev.parley.session.Peer;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.logging.Logger;

/**
 * {@code /api/users/{user}}: a direct message from the API identity or a sender the key may name (held for the user's next connection when
 * they have none open), and disconnecting every connection of a user with a close code and reason.
 */
@Path("users/{user}")
@Tag(name = "users", description = "Direct messages and disconnecting users")
@RequestScoped
@Produces(MediaType.APPLICATION_JSON)
public class UsersResource {

    private static final Logger LOG = Logger.getLogger(UsersResource.class.getName());
    /** The longest close reason RFC 6455 allows, in UTF-8 bytes. */
    static final int MAX_REASON_BYTES = 123;

    @Inject
    DirectService directs;
    @Inject
    ConnectionRegistry connections;
    @Inject
    Settings settings;
    @Inject
    ApiCaller caller;
    @Inject
    IntakePacing pacing;

    /**
     * Sends {@code {"text": "...", "data": {...}, "from": "..."}} (text and/or data; from optional, 403 unless the
     * key may set it) to the user: 201 with the stored message and {@code delivered} (false when held for their
     * next connection); a replayed {@code Idempotency-Key} answers 200 with the original, 409 if the text or data
     * differs.
     */
    @POST
    @Path("messages")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Send a direct message to a user",
            description = "Stored and sent to every open connection of the user (and of the sender), from the API identity or "
                    + "the from the key may set, with data when given; held for the user's next connection when none is open "
                    + "(then delivered is false).")
    @org.eclipse.microprofile.openapi.annotations.parameters.RequestBody(required = true, description = ApiDoc.MESSAGE_BODY,
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(example = "{\"text\":\"Your export is ready\",\"data\":{\"export\":\"e-17\"}}")))
    @APIResponse(responseCode = "201", description = "Stored, and sent or held")
    @APIResponse(responseCode = "200", description = "A replayed Idempotency-Key: the original message, nothing sent again",
            headers = @Header(name = "Idempotent-Replayed", description = "true"))
    @APIResponse(responseCode = "400", description = ApiDoc.BAD_REQUEST, content = @Content(mediaType = ApiDoc.PROBLEM))
    @APIResponse(responseCode = "403", description = ApiDoc.FORBIDDEN, content = @Content(mediaType = ApiDoc.PROBLEM))
    @APIResponse(responseCode = "409", description = "The Idempotency-Key was used by this sender for another text or data to this user (problem, code conflict)",
            content = @Content(mediaType = ApiDoc.PROBLEM))
    @APIResponse(responseCode = "413", description = ApiDoc.TOO_LARGE, content = @Content(mediaType = ApiDoc.PROBLEM))
    @APIResponse(responseCode = "503", description = ApiDoc.BEHIND, content = @Content(mediaType = ApiDoc.PROBLEM))
    @APIResponse(responseCode = "401", description = ApiDoc.UNAUTHORIZED, content = @Content(mediaType = ApiDoc.PROBLEM))
    @APIResponse(responseCode = "429", description = ApiDoc.RATE_LIMITED, content = @Content(mediaType = ApiDoc.PROBLEM))

    public Response direct(@PathParam("user") String user,
                           @Parameter(description = ApiDoc.IDEMPOTENCY_KEY) @HeaderParam("Idempotency-Key") String key,
                           InputStream body) {
        RequestBody.user(user);
        RequestBody.idempotencyKey(key);
        ApiMessage message = ApiMessage.read(body, settings.maxFrameBytes(), caller);
        // Waits (bounded) while earlier publishes to the same user are not yet written out to its readers; 503 if they stay behind.
        IntakeWindow.Receipt receipt = Submission.admit(() -> pacing.admitToUser(user, message.text(), message.data()));
        Appended stored = Submission.await(directs.publish(user, message.from(), message.text(), message.data(), key, receipt));
        DirectMessage m = (DirectMessage) stored.message();
        if (stored.duplicate() && !message.sameAs(m.text(), m.data())) {
            throw Problems.fail(409, "conflict", "this Idempotency-Key was used for another message to this user");
        }
        return Response.status(stored.duplicate() ? 200 : 201)
                .header("Idempotent-Replayed", stored.duplicate() ? "true" : null)
                .entity(ApiJson.direct(m).add("delivered", !stored.held()).build().toString()).build();
    }

    /**
     * Closes every open connection of the user with {@code code} (default {@link CloseCodes#DISCONNECTED}; 1000,
     * 1001 or 4000-4999) and {@code reason} (at most 123 bytes); 404 when the user has none open.
     */
    @POST
    @Path("disconnect")
    @Operation(summary = "Close every connection of a user",
            description = "Optional body {\"code\":4000,\"reason\":\"...\"}: code 1000, 1001 or 4000-4999 (default 4000, after "
                    + "which clients do not reconnect by themselves), reason at most 123 bytes. Answers {\"user\":..,\"closed\":n,\"code\":..}.")
    @org.eclipse.microprofile.openapi.annotations.parameters.RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(example = "{\"code\":4000,\"reason\":\"account suspended\"}")))
    @APIResponse(responseCode = "200", description = "The connections are closing")
    @APIResponse(responseCode = "400", description = ApiDoc.BAD_REQUEST, content = @Content(mediaType = ApiDoc.PROBLEM))
    @APIResponse(responseCode = "404", description = "The user has no open connection (problem, code not_found)",
            content = @Content(mediaType = ApiDoc.PROBLEM))
    @APIResponse(responseCode = "401", description = ApiDoc.UNAUTHORIZED, content = @Content(mediaType = ApiDoc.PROBLEM))
    @APIResponse(responseCode = "429", description = ApiDoc.RATE_LIMITED, content = @Content(mediaType = ApiDoc.PROBLEM))

    public Response disconnect(@PathParam("user") String user, InputStream body) {
        RequestBody.user(user);
        RequestBody request = RequestBody.read(body, settings.maxFrameBytes(), true);
        int code = request.integer("code", CloseCodes.DISCONNECTED);
        if (code != CloseCodes.NORMAL && code != CloseCodes.GOING_AWAY && (code < 4000 || code > 4999)) {
            throw Problems.badRequest("code must be 1000, 1001 or 4000-4999");
        }
        String reason = request.optionalString("reason");
        if (reason == null) {
            reason = "disconnected by the server";
        }
        if (reason.getBytes(StandardCharsets.UTF_8).length > MAX_REASON_BYTES) {
            throw Problems.badRequest("reason must be at most " + MAX_REASON_BYTES + " bytes of UTF-8");
        }
        List<Peer> peers = connections.peersOf(user);
        if (peers.isEmpty()) {
            throw Problems.fail(404, "not_found", "user " + user + " has no open connection");
        }
        int closeCode = code;
        String closeReason = reason;
        peers.forEach(p -> p.close(closeCode, closeReason));
        LOG.info(() -> "API disconnected " + user + " (" + peers.size() + " connections) with " + closeCode);
        return Response.ok(Json.createObjectBuilder().add("user", user).add("closed", peers.size())
                .add("code", closeCode).build().toString()).build();
    }
}
