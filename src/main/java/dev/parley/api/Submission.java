package dev.parley.api;

import dev.parley.chat.ReadersBehind;
import dev.parley.chat.Refused;
import dev.parley.history.Appended;
import dev.parley.history.StoreUnavailableException;
import dev.parley.protocol.ErrorCode;
import dev.parley.session.IntakeWindow;
import jakarta.ws.rs.WebApplicationException;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Waits, on the request's thread, for a message the API handed to a service to be admitted and stored, and turns what
 * went wrong into the problem the caller gets: a broken rule 400 (413 for a text over the limit), the store down, the
 * queue full or the readers behind 503 with {@code Retry-After}.
 */
final class Submission {

    /** The longest wait for the store; a commit normally takes milliseconds. */
    private static final long WAIT_SECONDS = 15;

    private Submission() {
    }

    /**
     * Admits a message by its target's intake window (see {@link dev.parley.chat.IntakePacing}): returns the receipt
     * {@code admission} opened, or answers 503 with the {@code Retry-After} it asks for when the readers stay behind.
     */
    static IntakeWindow.Receipt admit(Supplier<IntakeWindow.Receipt> admission) {
        try {
            return admission.get();
        } catch (ReadersBehind e) {
            WebApplicationException problem = Problems.fail(503, ErrorCode.UNAVAILABLE.wire(),
                    e.getMessage() + "; retry after Retry-After with the same Idempotency-Key");
            throw new WebApplicationException(e.getMessage(), jakarta.ws.rs.core.Response.fromResponse(problem.getResponse())
                    .header("Retry-After", String.valueOf(e.retryAfterSeconds())).build());
        }
    }

    static Appended await(CompletableFuture<Appended> stored) {
        try {
            return stored.get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw problem(e.getCause());
        } catch (TimeoutException e) {
            throw unavailable("the store did not answer in time; retry later with the same Idempotency-Key");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable("interrupted; retry later with the same Idempotency-Key");
        }
    }

    private static RuntimeException problem(Throwable failure) {
        if (failure instanceof Refused r) {
            return Problems.fail(r.code() == ErrorCode.TOO_LONG ? 413 : 400, r.code().wire(), r.getMessage());
        }
        if (failure instanceof StoreUnavailableException) {
            return unavailable("message not stored (" + failure.getMessage() + "); retry later with the same Idempotency-Key");
        }
        return failure instanceof RuntimeException re ? re : new IllegalStateException(failure);
    }

    private static WebApplicationException unavailable(String detail) {
        WebApplicationException e = Problems.fail(503, ErrorCode.UNAVAILABLE.wire(), detail);
        return new WebApplicationException(detail, jakarta.ws.rs.core.Response.fromResponse(e.getResponse())
                .header("Retry-After", "5").build());
    }
}
