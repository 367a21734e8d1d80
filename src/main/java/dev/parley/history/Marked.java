package dev.parley.history;

/**
 * What the store did with one {@link Mark}: {@code read} is the user's read seq of the conversation afterwards and
 * {@code newest} the conversation's newest seq (both 0 for {@link Mark.Forget}).
 */
public record Marked(Outcome outcome, long read, long newest) {

    /** Whether the mark changed what is stored. */
    public enum Outcome {
        /** Stored: the conversation was remembered, forgotten, or its read seq moved forward. */
        CHANGED,
        /** Nothing to change: already remembered, not remembered, or a read seq at or below the stored one. */
        UNCHANGED,
        /** Refused: a read seq beyond the conversation's newest seq. */
        BEYOND
    }
}
