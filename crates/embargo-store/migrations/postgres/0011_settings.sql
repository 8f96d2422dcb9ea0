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
-- see these rows).
ALTER TABLE audit_events ALTER COLUMN case_id DROP NOT NULL;
