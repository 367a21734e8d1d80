package dev.parley.history.jpa;

import dev.parley.message.ConversationId;
import dev.parley.message.DirectMessage;
import dev.parley.message.Payload;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;

/** One row of {@code parley_direct}: a direct message, and whether it is still held for its recipient. */
@Entity
@Table(name = "parley_direct")
public class DirectMessageRow {

    @Id
    @Column(name = "id")
    private long id;

    @Column(name = "sender", length = 32, nullable = false)
    private String sender;

    @Column(name = "recipient", length = 32, nullable = false)
    private String recipient;

    @Column(name = "body", nullable = false)
    private String body;

    @Column(name = "sent_at", nullable = false)
    private long sentAt;

    @Column(name = "client_ref", length = 64)
    private String clientRef;

    /** The application's JSON object, encoded, or null (added in schema version 2). */
    @Column(name = "app_data")
    private String appData;

    @Column(name = "held", nullable = false)
    private boolean held;

    /** The pair of users' conversation, {@code pair/<first>/<second>}; null for rows from before schema version 3. */
    @Column(name = "pair_key", length = 80)
    private String pairKey;

    /** The seq in the pair's conversation; null for rows from before schema version 3. */
    @Column(name = "seq")
    private Long seq;

    /** For JPA. */
    protected DirectMessageRow() {
    }

    DirectMessageRow(DirectMessage m, boolean held) {
        this.id = m.id();
        this.sender = m.from();
        this.recipient = m.to();
        this.body = m.text();
        this.sentAt = m.ts().toEpochMilli();
        this.clientRef = m.ref();
        this.appData = Payload.encodedOrNull(m.data());
        this.held = held;
        this.pairKey = ConversationId.pair(m.from(), m.to());
        this.seq = m.seq();
    }

    DirectMessage toMessage() {
        return new DirectMessage(id, seq == null ? 0 : seq, sender, recipient, body, Instant.ofEpochMilli(sentAt), clientRef, Payload.parse(appData));
    }
}
