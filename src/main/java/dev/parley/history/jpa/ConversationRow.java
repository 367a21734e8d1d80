package dev.parley.history.jpa;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;

import java.io.Serializable;
import java.util.Objects;

/**
 * One row of {@code parley_conversation}: one of a user's conversations ({@code room/<name>} or
 * {@code direct/<user>}, see {@link dev.parley.message.ConversationId#key()}) and the seq up to which the user
 * has read it. The read seq only ever moves forward.
 */
@Entity
@Table(name = "parley_conversation")
@IdClass(ConversationRow.Key.class)
public class ConversationRow {

    /** The primary key: user and conversation. */
    public static class Key implements Serializable {
        private static final long serialVersionUID = 1L;
        private String username;
        private String conversation;

        /** For JPA. */
        public Key() {
        }

        /** The key of one user's conversation. */
        public Key(String username, String conversation) {
            this.username = username;
            this.conversation = conversation;
        }

        String username() {
            return username;
        }

        String conversation() {
            return conversation;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Objects.equals(username, k.username) && Objects.equals(conversation, k.conversation);
        }

        @Override
        public int hashCode() {
            return Objects.hash(username, conversation);
        }
    }

    @Id
    @Column(name = "username", length = 32)
    private String username;

    @Id
    @Column(name = "conversation", length = 80)
    private String conversation;

    @Column(name = "read_seq", nullable = false)
    private long readSeq;

    /** For JPA. */
    protected ConversationRow() {
    }

    ConversationRow(String username, String conversation, long readSeq) {
        this.username = username;
        this.conversation = conversation;
        this.readSeq = readSeq;
    }

    String username() {
        return username;
    }

    String conversation() {
        return conversation;
    }

    long readSeq() {
        return readSeq;
    }

    /** Moves the read seq to {@code seq} if that is further; true when it moved. */
    boolean readUpTo(long seq) {
        if (seq <= readSeq) {
            return false;
        }
        readSeq = seq;
        return true;
    }
}
