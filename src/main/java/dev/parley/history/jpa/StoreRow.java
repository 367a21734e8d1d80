package dev.parley.history.jpa;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** The one row of {@code parley_store}: this database's epoch, made when its history began. */
@Entity
@Table(name = "parley_store")
public class StoreRow {

    /** The id of the one row. */
    static final int ID = 1;

    @Id
    @Column(name = "id")
    private int id;

    @Column(name = "epoch_id", length = 64, nullable = false)
    private String epoch;

    @Column(name = "created_at", nullable = false)
    private long createdAt;

    /** For JPA. */
    protected StoreRow() {
    }

    StoreRow(String epoch, long createdAt) {
        this.id = ID;
        this.epoch = epoch;
        this.createdAt = createdAt;
    }

    String epoch() {
        return epoch;
    }
}
