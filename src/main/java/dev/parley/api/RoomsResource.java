package dev.parley.api;

import dev.parley.chat.IntakePacing;
import dev.parley.chat.RoomService;
import dev.parley.config.Settings;
import dev.parley.history.Appended;
import dev.parley.history.MessageStore;
import dev.parley.history.StoreUnavailableException;
import dev.parley.message.RoomMessage;
import dev.parley.protocol.FrameCodec;
import dev.parley.protocol.ServerFrame;
import dev.parley.room.RoomRegistry;
import dev.parley.session.IntakeWindow;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
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
import java.util.List;

/**
 * {@code /api/rooms}: the rooms with members, a room's members and history, and publishing into a room. A room is
 * known while it has members or stored messages; reading an unknown one is 404, publishing creates it as a
 * join would. Published messages take the same path as a member's (stored, sequenced, broadcast once).
 */
@Path("rooms")
@Tag(name = "rooms", description = "Rooms, members, history, publishing")
@RequestScoped
@Produces(MediaType.APPLICATION_JSON)
public class RoomsResource {

    @Inject
    RoomRegistry rooms;
    @Inject
    RoomService service;
    @Inject
    MessageStore store;
    @Inject
    Settings settings;
    @Inject
    ApiCaller caller;
    @Inject
    IntakePacing pacing;

    /** Every room with members, with the number of distinct users in each (in a cluster: on every node). */
    @GET
    @Operation(summary = "The rooms with members", description = "{\"rooms\":[{\"name\":\"lobby\",\"members\":3}]}, by name")
    @APIResponse(responseCode = "200", description = "The rooms")
    @APIResponse(responseCode = "401", description = ApiDoc.UNAUTHORIZED, content = @Content(mediaType = ApiDoc.PROBLEM))
    @APIResponse(responseCode = "429", description = ApiDoc.RATE_LIMITED, content = @Content(mediaType = ApiDoc.PROBLEM))
    public String list() {
        JsonArrayBuilder out = Json.createArrayBuilder();
        for (ServerFrame.RoomInfo r : service.roomList()) {
            out.add(Json.createObjectBuilder().add("name", r.name()).add("members", r.members()));
        }
        return Json.createObjectBuilder().add("rooms", out).build().toString();
    }

    /** The distinct users in a room, sorted (in a cluster: on every node, each once). */
    @GET
    @Path("{room}/members")
    @Operation(summary = "A room's members", description = "{\"room\":\"lobby\",\"members\":[\"alice\",\"bob\"]}: distinct users, sorted")
    @APIResponse(responseCode = "200", description = "The members")
    @APIResponse(responseCode = "400", description = ApiDoc.BAD_REQUEST, content = @Content(mediaType = ApiDoc.PROBLEM))
    @APIResponse(responseCode = "404", description = "Nobody is in the room and it has no messages (problem, code not_found)",
            content = @Content(mediaType = ApiDoc.PROBLEM))
    @APIResponse(responseCode = "401", description = ApiDoc.UNAUTHORIZED, content = @Content(mediaType = ApiDoc.PROBLEM))
    @APIResponse(responseCode = "429", description = ApiDoc.RATE_LIMITED, content = @Content(mediaType = ApiDoc.PROBLEM))

    public String members(@PathParam("room") String room) {
        RequestBody.room(room);
        List<String> members = service.members(room);
        if (members.isEmpty() && !hasHistory(room)) {
            throw unknown(room);
        }
        return Json.createObjectBuilder().add("room", room).add("members", Json.createArrayBuilder(members))
                .build().toString();
    }

    /**
     * A page of a room's history, oldest first: the newest {@code limit} messages below {@code before}, or with
     * {@code after} the oldest {@code limit} above it (both may be given).
     */
    @GET
    @Path("{room}/messages")
    @Operation(summary = "A page of a room's history, oldest first",
            description = "{\"room\":\"lobby\",\"messages\":[{\"room\":\"lobby\",\"seq\":17,\"from\":\"alice\",\"text\":\"hi\",\"ts\":\"...\"}]}")
    @APIResponse(responseCode = "200", description = "The messages")
    @APIResponse(responseCode = "400", description = ApiDoc.BAD_REQUEST, content = @Content(mediaType = ApiDoc.PROBLEM))
    @APIResponse(responseCode = "404", description = "Nobody is in the room and it has no messages (problem, code not_found)",
            content = @Content(mediaType = ApiDoc.PROBLEM))
    @APIResponse(responseCode = "503", description = ApiDoc.UNAVAILABLE, content = @Content(mediaType = ApiDoc.PROBLEM))
    @APIResponse(responseCode = "401", description = ApiDoc.UNAUTHORIZED, content = @Content(mediaType = ApiDoc.PROBLEM))
    @APIResponse(responseCode = "429", description = ApiDoc.RATE_LIMITED, content = @Content(mediaType = ApiDoc.PROBLEM))

    public String history(@PathParam("room") String room,
                          @Parameter(description = "Only messages with a lower seq (the newest of them)") @QueryParam("before") String before,
                          @Parameter(description = "Only messages with a higher seq (the oldest of them)") @QueryParam("after") String after,
                          @Parameter(description = "At most this many, 1-100 (default 50)") @QueryParam("limit") String limit) {
        RequestBody.room(room);
        Long below = seq("before", before);
        Long above = seq("after", after);
        int max = limit == null ? settings.joinHistory() : (int) number("limit", limit, 1, FrameCodec.MAX_HISTORY_LIMIT);
        List<RoomMessage> page;
        try {
            if (above == null) {
                page = store.page(room, below, max);
            } else {
                // Seqs of a room are consecutive, so the oldest messages above "after" are the newest below
                // after + limit + 1; the filter keeps the page right even where a seq were missing.
                long upTo = Math.min(below == null ? Long.MAX_VALUE : below, above + max + 1);
                page = store.page(room, upTo, max).stream().filter(m -> m.seq() > above).toList();
            }
        } catch (StoreUnavailableException e) {
            throw Problems.fail(503, "unavailable", "history unavailable (" + e.getMessage() + "); retry later");
        }
        if (page.isEmpty() && rooms.members(room).isEmpty() && !hasHistory(room)) {
            throw unknown(room);
        }
        return Json.createObjectBuilder().add("room", room).add("messages", ApiJson.messages(page)).build().toString();
    }

    /**
     * Publishes {@code {"text": "...", "data": {...}, "from": "..."}} (text and/or data; from optional) into the
     * room from the API identity or the {@code from} the key may set (403 otherwise): 201 with the stored message
     * (its {@code seq}); with an {@code Idempotency-Key} this sender already used in this room, 200 with the original
     * (nothing is sent again), or 409 if the text or data differs.
     */
    @POST
    @Path("{room}/messages")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Publish a message into the room",
            description = "Stored, sequenced and broadcast to the room's members exactly like a member's message (with data "
                    + "like a message with application data), from the API identity (parley.api.identity, default api) or "
                    + "the from the key may set. The answer is the stored message with its seq (and data when given).")
    @org.eclipse.microprofile.openapi.annotations.parameters.RequestBody(required = true, description = ApiDoc.MESSAGE_BODY,
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(example = "{\"text\":\"Deploy finished\",\"data\":{\"build\":4711,\"ok\":true},\"from\":\"ci-bot\"}")))
    @APIResponse(responseCode = "201", description = "Stored and sent to the members")
    @APIResponse(responseCode = "200", description = "A replayed Idempotency-Key: the original message, nothing sent again",
            headers = @Header(name = "Idempotent-Replayed", description = "true"))
    @APIResponse(responseCode = "400", description = ApiDoc.BAD_REQUEST, content = @Content(mediaType = ApiDoc.PROBLEM))
    @APIResponse(responseCode = "403", description = ApiDoc.FORBIDDEN, content = @Content(mediaType = ApiDoc.PROBLEM))
    @APIResponse(responseCode = "409", description = "The Idempotency-Key was used by this sender for another text or data in this room (problem, code conflict)",
            content = @Content(mediaType = ApiDoc.PROBLEM))
    @APIResponse(responseCode = "413", description = ApiDoc.TOO_LARGE, content = @Content(mediaType = ApiDoc.PROBLEM))
    @APIResponse(responseCode = "503", description = ApiDoc.BEHIND, content = @Content(mediaType = ApiDoc.PROBLEM))
    @APIResponse(responseCode = "401", description = ApiDoc.UNAUTHORIZED, content = @Content(mediaType = ApiDoc.PROBLEM))
    @APIResponse(responseCode = "429", description = ApiDoc.RATE_LIMITED, content = @Content(mediaType = ApiDoc.PROBLEM))

    public Response publish(@PathParam("room") String room,
                            @Parameter(description = ApiDoc.IDEMPOTENCY_KEY) @HeaderParam("Idempotency-Key") String key,
                            InputStream body) {
        RequestBody.room(room);
        RequestBody.idempotencyKey(key);
        ApiMessage message = ApiMessage.read(body, settings.maxFrameBytes(), caller);
        // Waits (bounded) while earlier publishes to the same room are not yet written out to its readers; 503 if they stay behind.
        IntakeWindow.Receipt receipt = Submission.admit(() -> pacing.admitToRoom(room, message.text(), message.data()));
        Appended stored = Submission.await(service.publish(room, message.from(), message.text(), message.data(), key, receipt));
        RoomMessage m = (RoomMessage) stored.message();
        if (stored.duplicate() && !message.sameAs(m.text(), m.data())) {
            throw Problems.fail(409, "conflict", "this Idempotency-Key was used for another message in this room");
        }
        return Response.status(stored.duplicate() ? 200 : 201)
                .header("Idempotent-Replayed", stored.duplicate() ? "true" : null)
                .entity(ApiJson.message(m).build().toString()).build();
    }

    private boolean hasHistory(String room) {
        try {
            return !store.page(room, null, 1).isEmpty();
        } catch (StoreUnavailableException e) {
            throw Problems.fail(503, "unavailable", "history unavailable (" + e.getMessage() + "); retry later");
        }
    }

    private static RuntimeException unknown(String room) {
        return Problems.fail(404, "not_found", "no room " + room + ": nobody is in it and it has no messages");
    }

    private static Long seq(String name, String value) {
        return value == null ? null : number(name, value, 0, Long.MAX_VALUE / 2);
    }

    static long number(String name, String value, long min, long max) {
        long n;
        try {
            n = Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw Problems.badRequest(name + " must be an integer");
        }
        if (n < min || n > max) {
            throw Problems.badRequest(name + " must be between " + min + " and " + max);
        }
        return n;
    }
}
