-- Parley's history, version 2: messages may carry an application JSON object beside their text
-- (the "data" field of the protocol), stored as its compact encoding; null for text-only messages.
-- Portable SQL: runs unchanged on H2 2.x and PostgreSQL 12+.
ALTER TABLE parley_message ADD COLUMN app_data VARCHAR;
ALTER TABLE parley_direct ADD COLUMN app_data VARCHAR;
