-- Settings an admin changes at run time (security.txt fields, the disclosure-policy text, the
-- timeline policy): one row per key, the value as TEXT (JSON or TOML, as the key's owner in
-- `embargo_service::settings` writes it), with who changed it last and when.
CREATE TABLE settings (
    key        TEXT PRIMARY KEY NOT NULL,
    value      TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL REFERENCES users (id)
);

-- Every settings change is audited in `audit_events` like a case change, with no case:
-- case_id becomes nullable (an expansion: readers of a case's trail select by case_id and never
-- see these rows). SQLite cannot drop NOT NULL in place, so the table is rebuilt with its ids,
-- index and append-only triggers (dropping a table fires no DELETE trigger).
CREATE TABLE audit_events_new (
    id          INTEGER PRIMARY KEY NOT NULL,
    case_id     TEXT REFERENCES cases (id),
    actor_id    TEXT NOT NULL,
    actor_role  TEXT NOT NULL CHECK (actor_role IN ('admin', 'team', 'engineer', 'collaborator', 'reporter')),
    occurred_at BIGINT NOT NULL,
    action      TEXT NOT NULL,
    before_json TEXT,
    after_json  TEXT
);
INSERT INTO audit_events_new (id, case_id, actor_id, actor_role, occurred_at, action, before_json, after_json)
    SELECT id, case_id, actor_id, actor_role, occurred_at, action, before_json, after_json FROM audit_events;
DROP TABLE audit_events;
ALTER TABLE audit_events_new RENAME TO audit_events;
CREATE INDEX audit_events_case ON audit_events (case_id, id);
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
