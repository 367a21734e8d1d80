package dev.parley.message;

/**
 * One conversation as one user sees it: a room ({@code room} set) or the direct conversation with another user
 * ({@code with} set); exactly one of the two is non-null. Names are checked by the protocol, not here.
 */
public record ConversationId(String room, String with) {
    public ConversationId {
        if ((room == null) == (with == null)) {
            throw new IllegalArgumentException("a conversation is a room or a user, not both or neither");
        }
    }

    /** A room. */
    public static ConversationId room(String room) {
        return new ConversationId(room, null);
    }

    /** The direct conversation with {@code user}. */
    public static ConversationId with(String user) {
        return new ConversationId(null, user);
    }

    /** True for a room. */
    public boolean isRoom() {
        return room != null;
    }

    /** The key a user's conversation is stored under: {@code room/<name>} or {@code direct/<user>} (names hold no '/'). */
    public String key() {
        return isRoom() ? "room/" + room : "direct/" + with;
    }

    /** The conversation a {@link #key()} names. */
    public static ConversationId ofKey(String key) {
        if (key.startsWith("room/")) {
            return room(key.substring("room/".length()));
        }
        if (key.startsWith("direct/")) {
            return with(key.substring("direct/".length()));
        }
        throw new IllegalArgumentException("not a conversation key: " + key);
    }

    /**
     * The name of the sequence of the direct conversation between two users, the same whichever of them asks:
     * {@code pair/<first>/<second>} with the names in {@link String#compareTo} order.
     */
    public static String pair(String a, String b) {
        return a.compareTo(b) <= 0 ? "pair/" + a + "/" + b : "pair/" + b + "/" + a;
    }

    /** For messages: "room r1" or "the conversation with bob". */
    public String describe() {
        return isRoom() ? "room " + room : "the conversation with " + with;
    }
}
