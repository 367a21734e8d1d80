package dev.parley.security;

import dev.parley.session.ConnectionRegistry;
import dev.parley.session.Identity;
import dev.parley.session.Peer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.Set;
import java.util.regex.Pattern;

/**
 * Who may see what. Rooms whose names start with {@code private.} may be joined only by users whose token
 * grants them through a pattern of its rooms claim ({@code team-*} grants {@code private.team-red}; the
 * {@code private.} prefix in a pattern is optional; {@code *} matches any run of characters). Open mode
 * verifies nobody, so there nobody may join a private room. Direct messages follow the configured
 * {@link SecuritySettings.DirectRule}. Thread-safe.
 */
@ApplicationScoped
public class AccessPolicy {

    /** The prefix that makes a room private. */
    public static final String PRIVATE_PREFIX = "private.";

    private static final Pattern PATTERN = Pattern.compile("[A-Za-z0-9_.:*-]{1,64}");

    private final SecuritySettings settings;
    private final ConnectionRegistry connections;
    private final RoomTrail trail;

    @Inject
    public AccessPolicy(SecuritySettings settings, ConnectionRegistry connections, RoomTrail trail) {
        this.settings = settings;
        this.connections = connections;
        this.trail = trail;
    }

    /** For CDI's proxy only. */
    protected AccessPolicy() {
        this(null, null, null);
    }

    /** True for a room only users with a grant may join. */
    public static boolean isPrivate(String room) {
        return room.startsWith(PRIVATE_PREFIX);
    }

    /** True for a well-formed rooms-claim pattern. */
    public static boolean isPattern(String pattern) {
        return pattern != null && PATTERN.matcher(pattern).matches();
    }

    /** Whether the identity may join (and so read, post in, see presence and typing of) the room. */
    public static boolean mayEnter(Identity identity, String room) {
        if (!isPrivate(room)) {
            return true;
        }
        String bare = room.substring(PRIVATE_PREFIX.length());
        for (String p : identity.roomPatterns()) {
            if (glob(p, room) || (!p.startsWith(PRIVATE_PREFIX) && glob(p, bare))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether the connection may send a direct message to {@code to}. Under {@code shared-room} the two users
     * must see each other: the recipient is, right now, in a room this connection is in, or the two users have
     * been in one room within the remembered window (so a message to someone who just went offline waits for
     * them). The answer for anyone else is the same whether they exist, are online or not.
     */
    public boolean mayWrite(Peer sender, String to) {
        if (settings.directs() == SecuritySettings.DirectRule.ANYONE || trail.shared(sender.user(), to)) {
            return true;
        }
        Set<String> mine = sender.rooms();
        for (Peer p : connections.peersOf(to)) {
            for (String room : p.rooms()) {
                if (mine.contains(room)) {
                    return true;
                }
            }
        }
        return trail.inAnyElsewhere(to, mine);
    }

    /** Glob match where {@code *} is any run of characters (iterative, no backtracking blow-up). */
    static boolean glob(String pattern, String text) {
        int p = 0;
        int t = 0;
        int star = -1;
        int mark = 0;
        while (t < text.length()) {
            if (p < pattern.length() && pattern.charAt(p) == text.charAt(t) && pattern.charAt(p) != '*') {
                p++;
                t++;
            } else if (p < pattern.length() && pattern.charAt(p) == '*') {
                star = p++;
                mark = t;
            } else if (star >= 0) {
                p = star + 1;
                t = ++mark;
            } else {
                return false;
            }
        }
        while (p < pattern.length() && pattern.charAt(p) == '*') {
            p++;
        }
        return p == pattern.length();
    }
}
