package dev.parley.session;

import java.time.Instant;
import java.util.List;

/**
 * Who a connection is: the user name, the private-room patterns its token grants, and when its token
 * expires. Immutable; replaced as a whole when the client refreshes its token.
 *
 * @param user         the user name, or null in open mode when the client asked for none (a guest name is made)
 * @param roomPatterns patterns of the private rooms the user may join (see security.AccessPolicy); never null
 * @param expires      when the token expires, or null when nothing expires (open mode)
 */
public record Identity(String user, List<String> roomPatterns, Instant expires) {

    public Identity {
        roomPatterns = List.copyOf(roomPatterns);
    }

    /** An open-mode identity: a name (or null for a guest), no private rooms, no expiry. */
    public static Identity unverified(String user) {
        return new Identity(user, List.of(), null);
    }

    /** The same grants under another user name (the guest name chosen at open). */
    public Identity named(String name) {
        return new Identity(name, roomPatterns, expires);
    }
}
