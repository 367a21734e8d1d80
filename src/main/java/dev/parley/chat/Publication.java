package dev.parley.chat;

import dev.parley.history.Appended;
import dev.parley.history.Sequencer;
import dev.parley.protocol.ServerFrame;

import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The future a backend's published message (room or direct) completes: with the stored message, with the
 * store's failure, or at once with a {@link Refused} when the message breaks a rule. Turns a service's submission
 * (which answers the broken rule, or null and later tells its callback) into that future.
 */
final class Publication {

    private Publication() {
    }

    /** Submits through {@code submit}, handing it the callback that completes the future. Never null. */
    static CompletableFuture<Appended> of(Function<Sequencer.Callback, ServerFrame.Error> submit) {
        CompletableFuture<Appended> done = new CompletableFuture<>();
        ServerFrame.Error broken = submit.apply((appended, failure) -> {
            if (failure != null) {
                done.completeExceptionally(failure);
            } else {
                done.complete(appended);
            }
        });
        if (broken != null) {
            done.completeExceptionally(new Refused(broken));
        }
        return done;
    }
}
