package dev.parley.history;

/**
 * What the store did with one draft: stored it, or found it already stored under the same
 * sender and ref ({@code duplicate}, in which case {@code message} is the original).
 */
public record Appended(StoredMessage message, boolean duplicate) {
}
