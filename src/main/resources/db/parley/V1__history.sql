-- Parley's history, version 1. Portable SQL: runs unchanged on H2 2.x and PostgreSQL 12+.
-- Times are milliseconds since 1970-01-01 UTC, so no database converts them to a time zone.

-- The one row naming this database's history (the epoch clients see in "joined").
CREATE TABLE parley_store (
    id         INTEGER     NOT NULL,
    epoch_id   VARCHAR(64) NOT NULL,
    created_at BIGINT      NOT NULL,
    CONSTRAINT parley_store_pk PRIMARY KEY (id)
);

-- The last number handed out per sequence: "room/<name>" (a room's seq) and "direct" (direct message ids).
CREATE TABLE parley_counter (
    name VARCHAR(80) NOT NULL,
    head BIGINT      NOT NULL,
    CONSTRAINT parley_counter_pk PRIMARY KEY (name)
);

-- Room messages; (room, seq) is unique, so no two writers can store the same seq.
CREATE TABLE parley_message (
    room       VARCHAR(64) NOT NULL,
    seq        BIGINT      NOT NULL,
    sender     VARCHAR(32) NOT NULL,
    body       VARCHAR     NOT NULL,
    sent_at    BIGINT      NOT NULL,
    client_ref VARCHAR(64),
    CONSTRAINT parley_message_pk PRIMARY KEY (room, seq)
);

-- Direct messages; held is true while the message waits for its recipient's next connection.
CREATE TABLE parley_direct (
    id         BIGINT      NOT NULL,
    sender     VARCHAR(32) NOT NULL,
    recipient  VARCHAR(32) NOT NULL,
    body       VARCHAR     NOT NULL,
    sent_at    BIGINT      NOT NULL,
    client_ref VARCHAR(64),
    held       BOOLEAN     NOT NULL,
    CONSTRAINT parley_direct_pk PRIMARY KEY (id)
);
CREATE INDEX parley_direct_held ON parley_direct (recipient, held, id);

-- Refs for idempotency: one row per (kind, sender, room or recipient, ref), kept for the idempotency window.
CREATE TABLE parley_ref (
    ref_key    VARCHAR(400) NOT NULL,
    created_at BIGINT       NOT NULL,
    room       VARCHAR(64),
    seq        BIGINT,
    direct_id  BIGINT,
    CONSTRAINT parley_ref_pk PRIMARY KEY (ref_key)
);
CREATE INDEX parley_ref_created ON parley_ref (created_at);
