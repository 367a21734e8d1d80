package dev.parley.history.jpa;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * One row of {@code parley_counter}: the last number handed out in a sequence shared by every server, the direct
 * message ids ({@code direct}) or a pair of users' direct conversation seqs ({@code pair/<first>/<second>}).
 * {@link AppendTransaction} locks and advances them in plain JDBC, in the transaction that uses the numbers, so
 * writers on several servers never hand out the same one; the store reads them here. Rows {@code room/<name>} are
 * from before rooms were numbered in the writer's memory ({@link RoomSeqs}) and are no longer read or written.
 */
@Entity
@Table(name = "parley_counter")
public class CounterRow {

    @Id
    @Column(name = "name", length = 80)
    private String name;

    @Column(name = "head", nullable = false)
    private long head;

    /** For JPA. */
    protected CounterRow() {
    }

    String name() {
        return name;
    }

    long head() {
        return head;
    }
}
