package dev.parley.cluster;

/**
 * What a room's topic carries to the nodes with members in the room, as short text: a stored message with its seq and
 * its frame encoded once by the owner, a presence change, a typing notice, a member's new state (its compact JSON), a
 * signal (its frame encoded once by the sender's node, with that node and the sender's connection, so a receiver
 * keeps newest-wins per sender and the sender's node does not deliver it twice). Immutable records.
 */
sealed interface RoomEvent {

    record Message(long seq, String frame) implements RoomEvent {
    }

    record Presence(String user, String change) implements RoomEvent {
    }

    record Typing(String user) implements RoomEvent {
    }

    record State(String user, String state) implements RoomEvent {
    }

    record Signal(String node, String connection, String user, String frame) implements RoomEvent {
    }

    static String message(long seq, String frame) {
        return "m\n" + seq + "\n" + frame;
    }

    static String presence(String user, String change) {
        return "p\n" + change + "\n" + user;
    }

    static String typing(String user) {
        return "t\n" + user;
    }

    static String state(String user, String state) {
        return "s\n" + user + "\n" + state;
    }

    static String signal(String node, String connection, String user, String frame) {
        return "g\n" + node + "\n" + connection + "\n" + user + "\n" + frame;
    }

    /** Reads what the methods above wrote. */
    static RoomEvent decode(String text) {
        int first = text.indexOf('\n');
        String kind = text.substring(0, first);
        String rest = text.substring(first + 1);
        switch (kind) {
            case "m" -> {
                int second = rest.indexOf('\n');
                return new Message(Long.parseLong(rest.substring(0, second)), rest.substring(second + 1));
            }
            case "p" -> {
                int second = rest.indexOf('\n');
                return new Presence(rest.substring(second + 1), rest.substring(0, second));
            }
            case "t" -> {
                return new Typing(rest);
            }
            case "s" -> {
                int second = rest.indexOf('\n');
                return new State(rest.substring(0, second), rest.substring(second + 1));
            }
            case "g" -> {
                String[] head = rest.split("\n", 4);
                return new Signal(head[0], head[1], head[2], head[3]);
            }
            default -> throw new IllegalArgumentException("unknown room event " + kind);
        }
    }
}
