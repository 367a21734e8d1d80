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

    /** First frame of every connection. */
    record Welcome(String user, String session, int protocol, List<String> rooms) implements ServerFrame {
        public Welcome {
            rooms = List.copyOf(rooms);
        }
    }

    /**
     * Answer to join: the members (distinct user names, sorted), the state members have set (by user, sorted;
     * only users who set one) and the history the client should show.
     * {@code epoch} identifies the room's history; {@code truncated} says older missed messages exist.
     */
    record Joined(String room, List<String> members, Map<String, Payload> state, List<RoomMessage> history,
                  String epoch, boolean truncated, String ref) implements ServerFrame {
        public Joined {
            members = List.copyOf(members);
            state = java.util.Collections.unmodifiableMap(new TreeMap<>(state));
            history = List.copyOf(history);
        }

        /** An answer without member state. */
        public Joined(String room, List<String> members, List<RoomMessage> history, String epoch, boolean truncated,
                      String ref) {
            this(room, members, Map.of(), history, epoch, truncated, ref);
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
