package dev.parley.protocol;

import dev.parley.message.ConversationId;
import dev.parley.message.DirectMessage;
import dev.parley.message.Payload;
import dev.parley.message.RoomMessage;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A frame the server sends. Encoded by {@link FrameCodec}; fields that are null are left out
 * of the JSON, so {@code ref} appears only when the client gave one.
 */
public sealed interface ServerFrame {

    /**
     * First frame of every connection. {@code features}: the optional features the client asked for at connect
     * and the server turned on (sent only when there are some).
     */
    record Welcome(String user, String session, int protocol, List<String> rooms, List<String> features)
            implements ServerFrame {
        public Welcome {
            rooms = List.copyOf(rooms);
            features = List.copyOf(features);
        }

        /** A welcome with no optional features. */
        public Welcome(String user, String session, int protocol, List<String> rooms) {
            this(user, session, protocol, rooms, List.of());
        }
    }

    /**
     * Answer to join: the members (distinct user names, sorted), the state members have set (by user, sorted;
     * only users who set one) and the history the client should show.
     * {@code epoch} identifies the room's history; {@code truncated} says older missed messages exist.
     */
    record Joined(String room, List<String> members, Map<String, Payload> state, List<RoomMessage> history,
                  String epoch, boolean truncated, String ref, Integer count) implements ServerFrame {
        public Joined {
            members = List.copyOf(members);
            state = java.util.Collections.unmodifiableMap(new TreeMap<>(state));
            history = List.copyOf(history);
        }

        /**
         * An answer without {@code count}: {@code members} lists everyone. With a count (the room's users), the list
         * may be its first page only (a large room), and the rest is paged with a {@code members} request.
         */
        public Joined(String room, List<String> members, Map<String, Payload> state, List<RoomMessage> history,
                      String epoch, boolean truncated, String ref) {
            this(room, members, state, history, epoch, truncated, ref, null);
        }

        /** An answer without member state. */
        public Joined(String room, List<String> members, List<RoomMessage> history, String epoch, boolean truncated,
                      String ref) {
            this(room, members, Map.of(), history, epoch, truncated, ref);
        }
    }

    /**
     * A room's presence changes gathered over a short interval, for clients that asked for the
     * {@code presence-diff} feature. In a small room: {@code joins} (users now in the room) and {@code leaves}
     * (users now gone), each user at most once with where they ended up, and {@code state} (states set, by user);
     * or, right after the room was large, {@code members} (everyone, replacing what the client had) with every
     * state. In a large room: only {@code count}, which every diff carries. Lists are empty, never null.
     */
    record PresenceDiff(String room, List<String> joins, List<String> leaves, List<String> members,
                        Map<String, Payload> state, int count) implements ServerFrame {
        public PresenceDiff {
            joins = List.copyOf(joins);
            leaves = List.copyOf(leaves);
            members = members == null ? null : List.copyOf(members);
            state = java.util.Collections.unmodifiableMap(new TreeMap<>(state));
        }
    }

    /**
     * Answer to a {@code members} request: the room's users after {@code after}, sorted, at most the limit, with the
     * states of those listed; {@code next} is the cursor of the following page (the last user listed), null at the
     * end; {@code count} the room's users.
     */
    record Members(String room, List<String> members, Map<String, Payload> state, int count, String next, String ref)
            implements ServerFrame {
        public Members {
            members = List.copyOf(members);
            state = java.util.Collections.unmodifiableMap(new TreeMap<>(state));
        }
    }

    /** Answer to leave. */
    record Left(String room, String ref) implements ServerFrame {
    }

    /**
     * A user's first connection joined a room ({@code join}), the last one left it ({@code leave}), or the user
     * set their state in it ({@code update}, with the state as {@code data}; null for the other events).
     */
    record Presence(String room, String user, String event, Payload data) implements ServerFrame {
        public static final String JOIN = "join";
        public static final String LEAVE = "leave";
        public static final String UPDATE = "update";

        /** A join or leave. */
        public Presence(String room, String user, String event) {
            this(room, user, event, null);
        }
    }

    /** Another member's signal: the application's JSON object, passed on as it came, never stored. */
    record Signal(String room, String from, Payload data) implements ServerFrame {
    }

    /** A room message, sent to every member of the room. */
    record Message(RoomMessage message) implements ServerFrame {
    }

    /** The sender's confirmation that a message is stored: room and seq for a room message, {@code to} for a direct one. */
    record Ack(String ref, String room, Long seq, String to) implements ServerFrame {
    }

    /** Another member is typing. */
    record TypingNotice(String room, String from) implements ServerFrame {
    }

    /** A direct message, sent to every connection of the sender and of the recipient. */
    record Direct(DirectMessage message) implements ServerFrame {
    }

    /** Answer to a history query: messages oldest first; {@code truncated} when a {@code since} missed more than fit. */
    record History(String room, List<RoomMessage> messages, boolean truncated, String ref) implements ServerFrame {
        public History {
            messages = List.copyOf(messages);
        }

        /** A page (never truncated). */
        public History(String room, List<RoomMessage> messages, String ref) {
            this(room, messages, false, ref);
        }
    }

    /** Answer to a history query of the direct conversation with {@code with}: as {@link History}. */
    record DirectHistory(String with, List<DirectMessage> messages, boolean truncated, String ref) implements ServerFrame {
        public DirectHistory {
            messages = List.copyOf(messages);
        }
    }

    /**
     * One of the user's conversations: its newest seq, the user's read seq, and for a direct conversation whether
     * the other user has an open connection now (null for a room).
     */
    record ConversationInfo(ConversationId id, long seq, long read, Boolean online) {
    }

    /** The user's rooms and direct conversations, sent on connect and on request; {@code epoch} as in joined. */
    record Conversations(String epoch, List<ConversationInfo> rooms, List<ConversationInfo> direct, String ref)
            implements ServerFrame {
        public Conversations {
            rooms = List.copyOf(rooms);
            direct = List.copyOf(direct);
        }
    }

    /** The user's read seq of a conversation, to every connection of the user (ref on the reader's own copy). */
    record ReadState(ConversationId conversation, long seq, String ref) implements ServerFrame {
    }

    /** One room in a room list. */
    record RoomInfo(String name, int members) {
    }

    /** Answer to a room list query. */
    record Rooms(List<RoomInfo> rooms, String ref) implements ServerFrame {
        public Rooms {
            rooms = List.copyOf(rooms);
        }
    }

    /** Answer to ping. */
    record Pong(String ref) implements ServerFrame {
    }

    /** Answer to an accepted {@code auth} frame: the connection now runs on the fresh token, until {@code expires}. */
    record Authenticated(String user, java.time.Instant expires, String ref) implements ServerFrame {
    }

    /** A frame was refused; the connection stays open. */
    record Error(ErrorCode code, String message, String ref) implements ServerFrame {
    }
}
