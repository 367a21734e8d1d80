package dev.parley.history;

/** The store could not complete an operation (database down, connection lost); nothing was changed. */
public class StoreUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
