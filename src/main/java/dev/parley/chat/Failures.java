package dev.parley.chat;

import dev.parley.history.StoreUnavailableException;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.ServerFrame;

/** Turns a failure to store or read a message into the error frame the sender gets. */
final class Failures {

    private Failures() {
    }

    static ServerFrame.Error toError(RuntimeException failure, String ref) {
        if (failure instanceof StoreUnavailableException) {
            return new ServerFrame.Error(ErrorCode.UNAVAILABLE,
                    "message not stored (" + failure.getMessage() + "); retry later with the same ref", ref);
        }
        return new ServerFrame.Error(ErrorCode.INTERNAL, "internal error; the message was not stored", ref);
    }
}
