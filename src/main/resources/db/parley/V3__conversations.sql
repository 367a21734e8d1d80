-- Parley's history, version 3: conversations. Portable SQL: runs unchanged on H2 2.x and PostgreSQL 12+.

-- A direct message's conversation (the pair of users, "pair/<first>/<second>" with the names in code-point
-- order) and its seq in that conversation (1, 2, 3, ...; counter "pair/..." in parley_counter). Messages stored
-- before version 3 get both from the Java migration 3.1 (V3_1__DirectConversationSeqs), which orders names as Java does.
ALTER TABLE parley_direct ADD COLUMN pair_key VARCHAR(80);
ALTER TABLE parley_direct ADD COLUMN seq BIGINT;
CREATE UNIQUE INDEX parley_direct_pair ON parley_direct (pair_key, seq);

-- Each user's conversations: the rooms they joined and did not leave ("room/<name>") and the users they exchanged
-- direct messages with ("direct/<user>"), with the seq up to which the user has read it.
CREATE TABLE parley_conversation (
    username     VARCHAR(32) NOT NULL,
    conversation VARCHAR(80) NOT NULL,
    read_seq     BIGINT      NOT NULL,
    CONSTRAINT parley_conversation_pk PRIMARY KEY (username, conversation)
);
