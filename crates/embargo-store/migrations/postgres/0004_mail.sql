-- Mail: every message received (stored before anything else happens), the thread tokens that
-- bind replies to reports, the outbox of mails to send, and admin-edited mail templates.
-- Conventions as in 0001/0002.

-- One received message, as delivered by `embargo mailgate` or the IMAP poller. The row is
-- committed on its own before the message is read, so nothing received is ever lost; `state`
-- then says what it became:
--   pending  stored, not yet processed (the background job retries);
--   report   it opened a report (the raw bytes then live in report_raw; `raw` here is NULL);
--   reply    it joined the thread of `report_id`'s case as a reporter message (`message_id`);
--   held     stored and shown to the team, never answered: auto-replies, bounces, list mail,
--            mail without a usable sender (`held_reason`).
-- `sha256` is over the bytes as received; the same bytes delivered twice (an MTA retry after a
-- crash, an IMAP message taken again) are one message.
CREATE TABLE inbound_mail (
    id           TEXT PRIMARY KEY NOT NULL,
    received_at  BIGINT NOT NULL,
    source       TEXT NOT NULL,
    sha256       TEXT NOT NULL UNIQUE,
    size         BIGINT NOT NULL CHECK (size >= 0),
    raw          BYTEA,
    truncated    BIGINT NOT NULL CHECK (truncated IN (0, 1)),
    state        TEXT NOT NULL CHECK (state IN ('pending', 'report', 'reply', 'held')),
    held_reason  TEXT,
    report_id    TEXT REFERENCES reports (id),
    case_id      TEXT REFERENCES cases (id),
    message_id   TEXT,
    from_address TEXT,
    subject      TEXT,
    details      TEXT,
    attempts     BIGINT NOT NULL CHECK (attempts >= 0),
    last_error   TEXT,
    processed_at BIGINT,
    CHECK ((state = 'held') = (held_reason IS NOT NULL)),
    CHECK (state <> 'pending' OR processed_at IS NULL),
    CHECK (state NOT IN ('report', 'reply') OR report_id IS NOT NULL),
    CHECK (state = 'report' OR raw IS NOT NULL)
);
CREATE INDEX inbound_mail_state ON inbound_mail (state, received_at);
CREATE INDEX inbound_mail_case ON inbound_mail (case_id);

-- The unguessable per-report secret carried by every mail Embargo sends about a report (in
-- its Message-ID and its reply-to plus address). Only a token binds a reply to a report.
CREATE TABLE mail_threads (
    token      TEXT PRIMARY KEY NOT NULL,
    report_id  TEXT NOT NULL UNIQUE REFERENCES reports (id),
    created_at BIGINT NOT NULL
);

-- Mail to send. The message is rendered in full (headers, Message-ID, body, encryption) in the
-- same transaction as the event that causes it, so a resend after a crash is the same bytes.
-- A sender claims a row by setting claimed_by/claimed_until (a lease); an expired lease is
-- claimed again, which is how a mail interrupted mid-send is resent.
CREATE TABLE outbox (
    id              TEXT PRIMARY KEY NOT NULL,
    case_id         TEXT REFERENCES cases (id),
    report_id       TEXT REFERENCES reports (id),
    kind            TEXT NOT NULL,
    recipient       TEXT NOT NULL,
    message_id      TEXT NOT NULL UNIQUE,
    subject         TEXT NOT NULL,
    raw             BYTEA NOT NULL,
    encrypted       BIGINT NOT NULL CHECK (encrypted IN (0, 1)),
    state           TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'sent', 'failed')),
    attempts        BIGINT NOT NULL CHECK (attempts >= 0),
    next_attempt_at BIGINT NOT NULL,
    claimed_by      TEXT,
    claimed_until   BIGINT,
    last_error      TEXT,
    created_at      BIGINT NOT NULL,
    sent_at         BIGINT,
    CHECK ((state = 'sending') = (claimed_by IS NOT NULL AND claimed_until IS NOT NULL)),
    CHECK ((state = 'sent') = (sent_at IS NOT NULL))
);
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
CREATE INDEX outbox_case ON outbox (case_id, created_at);

-- Mail templates an admin changed; a kind without a row uses the shipped default.
CREATE TABLE mail_templates (
    kind       TEXT PRIMARY KEY NOT NULL,
    subject    TEXT NOT NULL,
    body       TEXT NOT NULL,
    updated_by TEXT NOT NULL REFERENCES users (id),
    updated_at BIGINT NOT NULL
);
