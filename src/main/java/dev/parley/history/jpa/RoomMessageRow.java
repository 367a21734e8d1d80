package dev.parley.history.jpa;

import dev.parley.message.RoomMessage;
import dev.parley.message.Payload;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;

import java.io.Serializable;
import java.time.Instant;
import java.util.Objects;

/** One row of {@code parley_message}: a room message, keyed by room and seq. */
@Entity
@Table(name = "parley_message")
@IdClass(RoomMessageRow.Key.class)
public class RoomMessageRow {

    /** The primary key: room and seq. */
    public static class Key implements Serializable {
        private static final long serialVersionUID = 1L;
        private String room;
        private long seq;

        /** For JPA. */
        public Key() {
        }

        /** The key of one message. */
        public Key(String room, long seq) {
            this.room = room;
            this.seq = seq;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && seq == k.seq && Objects.equals(room, k.room);
        }

        @Override
        public int hashCode() {
            return Objects.hash(room, seq);
        }
    }

    @Id
    @Column(name = "room", length = 64)
    private String room;

    @Id
    @Column(name = "seq")
    private long seq;

    @Column(name = "sender", length = 32, nullable = false)
    private String sender;

    @Column(name = "body", nullable = false)
    private String body;

    @Column(name = "sent_at", nullable = false)
    private long sentAt;

    @Column(name = "client_ref", length = 64)
    private String clientRef;

    /** The application's JSON object, encoded, or null (added in schema version 2). */
    @Column(name = "app_data")
    private String appData;

    /** For JPA. */
    protected RoomMessageRow() {
    }

    RoomMessageRow(RoomMessage m) {
        this.room = m.room();
        this.seq = m.seq();
        this.sender = m.from();
        this.body = m.text();
        this.sentAt = m.ts().toEpochMilli();
        this.clientRef = m.ref();
        this.appData = Payload.encodedOrNull(m.data());
    }

    RoomMessage toMessage() {
        return new RoomMessage(room, seq, sender, body, Instant.ofEpochMilli(sentAt), clientRef, Payload.parse(appData));
    }
}
