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

    private static final Pattern USER = Pattern.compile("[A-Za-z0-9_.-]{1," + MAX_USER + "}");
    private static final Pattern ROOM = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:-]{0," + (MAX_ROOM - 1) + "}");

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
