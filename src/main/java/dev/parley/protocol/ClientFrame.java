package dev.parley.protocol;

import dev.parley.message.ConversationId;
import dev.parley.message.Payload;

/**
 * A frame a client sends, decoded and checked for shape by {@link FrameCodec}: names have their
 * syntax, numbers their ranges. Semantic limits (text length, membership, rates) are the services' job.
 * Every frame may carry a client-chosen {@code ref} (1-64 chars, or null), echoed on the reply.
 */
public sealed interface ClientFrame {

    /** The client's correlation id, or null. */
    String ref();

    /** Join a room; {@code since} (null when absent) asks for the messages after that seq. */
    record Join(String room, Long since, String epoch, String ref) implements ClientFrame {
    }

    /** Leave a room. */
    record Leave(String room, String ref) implements ClientFrame {
    }

    /**
     * Post a message to a room. {@code room} is null for a plain (non-JSON) text frame, which goes
     * to the default room. {@code data} is the application's JSON object, or null; {@code text} is null only
     * when {@code data} is given.
     */
    record Post(String room, String text, String ref, Payload data) implements ClientFrame {

        /** A text message without data. */
        public Post(String room, String text, String ref) {
            this(room, text, ref, null);
        }
    }

    /** Tell the room's other members that this user is typing. */
    record Typing(String room, String ref) implements ClientFrame {
    }

    /** Send a direct message to a user; {@code text} and {@code data} as in {@link Post}. */
    record Direct(String to, String text, String ref, Payload data) implements ClientFrame {

        /** A text message without data. */
        public Direct(String to, String text, String ref) {
            this(to, text, ref, null);
        }
    }

    /**
     * Pass an application JSON object to the room's other members at once: not stored, no seq, no ack, and
     * dropped rather than queued for a member that cannot keep up (cursors, pointer positions, game moves).
     */
    record Signal(String room, Payload data, String ref) implements ClientFrame {
    }

    /** Set this user's small state in a room (a colour, a cursor, a status), shown to members in presence. */
    record State(String room, Payload data, String ref) implements ClientFrame {
    }

    /**
     * Ask for messages of a room: at most {@code limit} with seq below {@code before} (null: newest), or, with
     * {@code since}, those after it (recovery; {@code before} and {@code since} never both).
     */
    record HistoryQuery(String room, Long before, Long since, Integer limit, String ref) implements ClientFrame {

        /** A page back (no since). */
        public HistoryQuery(String room, Long before, Integer limit, String ref) {
            this(room, before, null, limit, ref);
        }
    }

    /** As {@link HistoryQuery}, for the direct conversation with user {@code with}. */
    record DirectHistoryQuery(String with, Long before, Long since, Integer limit, String ref) implements ClientFrame {
    }

    /** Ask for this user's conversations (rooms and direct partners) with their newest and read seqs. */
    record ListConversations(String ref) implements ClientFrame {
    }

    /** This user has read {@code conversation} up to {@code seq} (at least 1). */
    record Read(ConversationId conversation, long seq, String ref) implements ClientFrame {
    }

    /**
     * Ask for a page of a room's members: the users sorted after {@code after} (null: from the first), at most
     * {@code limit} (null: the server's page size). Members only.
     */
    record Members(String room, String after, Integer limit, String ref) implements ClientFrame {
    }

    /** List the rooms that have members. */
    record ListRooms(String ref) implements ClientFrame {
    }

    /** Application-level ping, answered with pong. */
    record Ping(String ref) implements ClientFrame {
    }

    /**
     * A fresh token for the same user, sent before the current one expires (token mode), so the connection
     * stays open without reconnecting. The token is never echoed or logged.
     */
    record Auth(String token, String ref) implements ClientFrame {
        @Override
        public String toString() {
            return "Auth[token=(hidden), ref=" + ref + "]";
        }
    }
}
