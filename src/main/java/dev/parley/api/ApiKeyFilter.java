package dev.parley.api;

import dev.parley.config.ApiKey;
import dev.parley.config.ApiSettings;
import dev.parley.session.TokenBucket;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Guards every API call, before anything else runs: with no key configured the API does not exist (404, the
 * same as any unknown path); a request without {@code Authorization: Bearer <key>} naming one of the configured
 * keys gets 401 (keys compared in constant time); a key calling faster than its rate gets 429 with
 * {@code Retry-After}. The accepted key goes to the request's {@link ApiCaller}. Thread-safe.
 */
@Provider
@PreMatching
@Priority(Priorities.AUTHENTICATION)
@ApplicationScoped
public class ApiKeyFilter implements ContainerRequestFilter {

    private static final String BEARER = "bearer ";

    @Inject
    ApiSettings settings;
    @Inject
    ApiCaller caller;

    private final Map<Integer, TokenBucket> buckets = new ConcurrentHashMap<>();

    @Override
    public void filter(ContainerRequestContext request) {
        if (!settings.enabled()) {
            throw Problems.fail(404, null, "no such resource");
        }
        int key = keyOf(request.getHeaderString(HttpHeaders.AUTHORIZATION));
        if (key < 0) {
            Response problem = Problems.response(401, "unauthorized", "missing or unknown API key; send Authorization: Bearer <key>");
            request.abortWith(Response.fromResponse(problem)
                    .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"parley\"").build());
            return;
        }
        TokenBucket bucket = buckets.computeIfAbsent(key,
                k -> new TokenBucket(settings.requestsPerSecond(), settings.burst(), System::nanoTime));
        if (!bucket.tryTake()) {
            request.abortWith(Response.fromResponse(Problems.response(429, "rate_limited",
                    "too many API calls with this key; slow down")).header(HttpHeaders.RETRY_AFTER, "1").build());
            return;
        }
        caller.authenticated(settings.keys().get(key));
    }

    /** The index of the configured key the header presents, or -1. Every key is compared, each in constant time. */
    private int keyOf(String authorization) {
        if (authorization == null || authorization.length() <= BEARER.length()
                || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return -1;
        }
        byte[] presented = authorization.substring(BEARER.length()).trim().getBytes(StandardCharsets.UTF_8);
        List<ApiKey> keys = settings.keys();
        int found = -1;
        for (int i = 0; i < keys.size(); i++) {
            if (MessageDigest.isEqual(presented, keys.get(i).secret().getBytes(StandardCharsets.UTF_8))) {
                found = i;
            }
        }
        return found;
    }
}
