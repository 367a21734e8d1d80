package dev.parley.config;

import java.util.Objects;
import java.util.Set;

/**
 * One API key and the senders it may name in a message's {@code from} besides the API identity, which every key
 * may use. Immutable; {@link #toString} never shows the secret.
 *
 * @param secret  what a request presents as {@code Authorization: Bearer <secret>}
 * @param senders the user names the key may send as; {@link #ANY_SENDER} lets it send as anyone
 */
public record ApiKey(String secret, Set<String> senders) {

    /** In {@link #senders}: the key may send as any user. */
    public static final String ANY_SENDER = "*";

    public ApiKey {
        Objects.requireNonNull(secret, "secret");
        senders = Set.copyOf(senders);
    }

    /** A key that sends only as the API identity. */
    public static ApiKey of(String secret) {
        return new ApiKey(secret, Set.of());
    }

    /** Whether the key may send as {@code user} (other than the API identity, which every key may use). */
    public boolean maySendAs(String user) {
        return senders.contains(ANY_SENDER) || senders.contains(user);
    }

    /** Never shows the secret. */
    @Override
    public String toString() {
        return "ApiKey[senders=" + senders + "]";
    }
}
