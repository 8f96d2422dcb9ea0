-- The embargo set by hand, and the pre-notification list.
--
-- cases.embargo_reason: why the team set the embargo by hand; NULL while the default applies
-- (the later of the case's last patch release and the upstream's public date). Embargoes that
-- differ from the upstream's date were set by hand before reasons were recorded: they stay so.
ALTER TABLE cases ADD COLUMN embargo_reason TEXT;
UPDATE cases SET embargo_reason = 'set by hand before reasons were recorded'
    WHERE embargo_at IS NOT NULL
      AND (upstream_disclosure IS NULL OR embargo_at <> upstream_disclosure);

-- Who hears of an advisory before its embargo lifts (e.g. distributors). `products` is a JSON
-- array of product ids; empty means every product. With `public_key` (ASCII-armoured OpenPGP)
-- the mail is encrypted to it. Removed recipients stay (active = 0) for the history.
CREATE TABLE prenotify_recipients (
    id          TEXT PRIMARY KEY NOT NULL,
    name        TEXT NOT NULL,
    email       TEXT NOT NULL,
    products    TEXT NOT NULL DEFAULT '[]',
    public_key  TEXT,
    active      INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at  BIGINT NOT NULL,
    created_by  TEXT NOT NULL REFERENCES users (id)
);
CREATE UNIQUE INDEX prenotify_recipients_email ON prenotify_recipients (email) WHERE active = 1;

-- One notice per case, recipient and embargo instant: a moved embargo is announced again.
-- outbox_id is NULL when the notice could not be sent (`note` says why).
CREATE TABLE prenotifications (
    case_id      TEXT NOT NULL REFERENCES cases (id),
    recipient_id TEXT NOT NULL REFERENCES prenotify_recipients (id),
    embargo_at   BIGINT NOT NULL,
    advisory     TEXT NOT NULL,
    outbox_id    TEXT REFERENCES outbox (id),
    note         TEXT,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (case_id, recipient_id, embargo_at)
);
CREATE INDEX prenotifications_recipient ON prenotifications (recipient_id);
