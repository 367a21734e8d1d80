package dev.parley.api;

/** Texts shared by the OpenAPI annotations of the resources. */
final class ApiDoc {

    static final String PROBLEM = Problems.MEDIA_TYPE;
    static final String BAD_REQUEST = "Malformed body or parameter (problem, code invalid)";
    static final String UNAUTHORIZED = "Missing or unknown API key (problem, code unauthorized)";
    static final String RATE_LIMITED = "This key calls faster than parley.api.rate allows (problem, code rate_limited; Retry-After)";
    static final String UNAVAILABLE = "The database is unreachable or the store's queue is full (problem, code unavailable; Retry-After); retry with the same Idempotency-Key";
    static final String BEHIND = "The database is unreachable, the store's queue is full, or the readers are behind: the call waited "
            + "up to parley.outbox.max-lag-ms for them to take what was published before (parley.intake.window-bytes) and they "
            + "had not, so nothing was stored (problem, code unavailable; Retry-After); retry with the same Idempotency-Key";
    static final String TOO_LARGE = "Body over the frame limit (64 KiB by default), text over parley.text.max-chars or data over "
            + "parley.limits.data-bytes (problem, code too_long)";
    static final String FORBIDDEN = "\"from\" names a user this API key may not send as (problem, code forbidden); nothing is stored";
    static final String MESSAGE_BODY = "text and/or data (a JSON object; with it text may be left out), and optionally from: a user "
            + "name the key is granted in parley.api.keys (KEY:alice|bob, or KEY:* for anyone), default the API identity";
    static final String IDEMPOTENCY_KEY = "Identifies this message for retries (1-64 characters): a replay within the idempotency window "
            + "returns the original with 200 and Idempotent-Replayed: true, and sends nothing again";

    private ApiDoc() {
    }
}
