package dev.parley.chat;

/**
 * A backend's publish refused before anything was stored, because the readers it is for are still behind: its
 * target's intake window stayed over its limit for as long as the publish may wait (see {@link IntakePacing}).
 * The caller retries after {@link #retryAfterSeconds()}, with the same idempotency key.
 */
public final class ReadersBehind extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final long retryAfterSeconds;

    public ReadersBehind(String message, long retryAfterSeconds) {
        super(message, null, false, false);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** How long the caller should wait before retrying, in whole seconds (at least 1). */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
