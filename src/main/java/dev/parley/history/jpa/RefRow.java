package dev.parley.history.jpa;

import dev.parley.history.Draft;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * One row of {@code parley_ref}: a sender's ref for one room or recipient, and the message it named.
 * The key is unique, so a ref is stored once however many servers write; rows older than the
 * idempotency window are reused or purged. Written by {@link AppendTransaction} (JDBC); the entity serves the purge.
 */
@Entity
@Table(name = "parley_ref")
public class RefRow {

    @Id
    @Column(name = "ref_key", length = 400)
    private String key;

    @Column(name = "created_at", nullable = false)
    private long createdAt;

    @Column(name = "room", length = 64)
    private String room;

    @Column(name = "seq")
    private Long seq;

    @Column(name = "direct_id")
    private Long directId;

    /** For JPA. */
    protected RefRow() {
    }

    /**
     * The key of a draft's ref, or null when it has none: kind, sender, room or recipient, then the ref.
     * Names never contain '/', so the key is unambiguous whatever the ref holds.
     */
    static String keyOf(Draft d) {
        if (d.ref() == null) {
            return null;
        }
        if (d instanceof Draft.ToRoom r) {
            return "r/" + r.from() + "/" + r.room() + "/" + r.ref();
        }
        Draft.ToUser u = (Draft.ToUser) d;
        return "d/" + u.from() + "/" + u.to() + "/" + u.ref();
    }
}
