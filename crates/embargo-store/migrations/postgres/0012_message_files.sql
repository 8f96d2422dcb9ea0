-- Files added to a case's thread: a reporter's files from the portal, the team's from the case
-- room or the API. Each belongs to one message and is readable exactly by those who may read
-- that message. Append-only, like the thread.
CREATE TABLE message_files (
    message_id TEXT NOT NULL REFERENCES messages (id),
    position   BIGINT NOT NULL CHECK (position >= 0),
    case_id    TEXT NOT NULL REFERENCES cases (id),
    name       TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size       BIGINT NOT NULL CHECK (size >= 0),
    sha256     TEXT NOT NULL,
    content    BYTEA NOT NULL,
    PRIMARY KEY (message_id, position)
);
CREATE INDEX message_files_case ON message_files (case_id);
CREATE TRIGGER message_files_append_only BEFORE UPDATE OR DELETE ON message_files
    FOR EACH ROW EXECUTE FUNCTION embargo_append_only();
