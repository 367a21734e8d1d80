package dev.parley.history.jpa;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * One row of {@code parley_counter}: the last number handed out in a sequence, a room's seqs
 * ({@code room/<name>}), a pair of users' direct conversation seqs ({@code pair/<first>/<second>}) or the direct
 * message ids ({@code direct}). Read with a write lock in the
 * transaction that uses the numbers, so writers on several servers never hand out the same one.
 */
@Entity
@Table(name = "parley_counter")
public class CounterRow {

    /** The counter of direct message ids. */
    static final String DIRECT = "direct";

    @Id
    @Column(name = "name", length = 80)
    private String name;

    @Column(name = "head", nullable = false)
    private long head;

    /** For JPA. */
    protected CounterRow() {
    }

    CounterRow(String name) {
        this.name = name;
    }

    /** The counter of a room's seqs. */
    static String room(String room) {
        return "room/" + room;
    }

    String name() {
        return name;
    }

    long head() {
        return head;
    }

    long next() {
        return ++head;
    }
}
