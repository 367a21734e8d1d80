package dev.parley.protocol;

import java.util.regex.Pattern;

/** The syntax of user and room names, shared by the decoder, the handshake and the services. */
public final class Names {

    /** The longest user name accepted. */
    public static final int MAX_USER = 32;
    /** The longest room name accepted. */
    public static final int MAX_ROOM = 64;
    /** The longest client-chosen {@code ref} accepted. */
    public static final int MAX_REF = 64;

    /**
     * The syntax of a user name as a regular expression that means the same in Java, in JavaScript (with or
     * without the u or v flag) and in an HTML {@code pattern} attribute, hence the escaped '-'.
     */
    public static final String USER_PATTERN = "[A-Za-z0-9_.\\-]{1," + MAX_USER + "}";
    /** The syntax of a room name, as a regular expression portable like {@link #USER_PATTERN}. */
    public static final String ROOM_PATTERN = "[A-Za-z0-9][A-Za-z0-9_.:\\-]{0," + (MAX_ROOM - 1) + "}";

    private static final Pattern USER = Pattern.compile(USER_PATTERN);
    private static final Pattern ROOM = Pattern.compile(ROOM_PATTERN);

    private Names() {
    }

    /** True for 1-32 characters of {@code A-Za-z0-9_.-}. */
    public static boolean isUser(String name) {
        return name != null && name.length() <= MAX_USER && USER.matcher(name).matches();
    }

    /** True for 1-64 characters of {@code A-Za-z0-9_.:-} starting with a letter or digit. */
    public static boolean isRoom(String name) {
        return name != null && name.length() <= MAX_ROOM && ROOM.matcher(name).matches();
    }

    /** True for 1-64 characters with no unpaired surrogate. */
    public static boolean isRef(String ref) {
        return ref != null && !ref.isEmpty() && ref.length() <= MAX_REF && Text.isWellFormed(ref);
    }
}
