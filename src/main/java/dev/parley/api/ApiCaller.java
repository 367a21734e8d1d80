package dev.parley.api;

import dev.parley.config.ApiKey;
import dev.parley.config.ApiSettings;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.Names;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;

/**
 * Who is calling the API in this request: the key {@link ApiKeyFilter} accepted, and from it whom a message may
 * come from. One per request, used on the request's thread.
 */
@RequestScoped
public class ApiCaller {

    @Inject
    ApiSettings settings;

    private ApiKey key;

    /** Set by {@link ApiKeyFilter} once the request's key is known. */
    void authenticated(ApiKey key) {
        this.key = key;
    }

    /**
     * The sender of a message this caller publishes: the API identity when {@code from} is null, else {@code from}
     * if it is a user name (400 otherwise) that is the API identity or one the key may send as (403 otherwise).
     * Never null.
     */
    String sender(String from) {
        if (from == null) {
            return settings.identity();
        }
        if (!Names.isUser(from)) {
            throw Problems.badRequest("\"from\" must be a user name: 1-" + Names.MAX_USER + " characters of A-Za-z0-9_.-");
        }
        if (!from.equals(settings.identity()) && (key == null || !key.maySendAs(from))) {
            throw Problems.fail(403, ErrorCode.FORBIDDEN.wire(), "this API key may not send as " + from
                    + "; grant it in parley.api.keys (KEY:" + from + ")");
        }
        return from;
    }
}
