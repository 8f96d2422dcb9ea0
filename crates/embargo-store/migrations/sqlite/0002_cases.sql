-- Reports, cases and their thread and audit trail. Conventions as in 0001: ids are TEXT uuids,
-- times BIGINT Unix microseconds, flags 0/1 integers (INTEGER), JSON as TEXT, bytes as BLOB.
-- Ordered children carry a `position` (index in the aggregate's list) so that a case reads back
-- exactly as it was written.

-- One vulnerability. The state columns rebuild `CaseState`: needs-info keeps where it resumes and
-- since when it is paused; rejected keeps its reason and, for duplicates, the case it duplicates.
-- score_tenths and severity are denormalised from the preferred CVSS vector for filtering;
-- due_at / due_pinned_at are denormalised from the pending deadlines for queue ordering
-- (see cases::list).
CREATE TABLE cases (
    id                    TEXT PRIMARY KEY NOT NULL,
    version               BIGINT NOT NULL CHECK (version >= 1),
    title                 TEXT NOT NULL,
    description           TEXT NOT NULL,
    state                 TEXT NOT NULL CHECK (state IN ('new', 'acknowledged', 'triage', 'needs-info',
                              'accepted', 'rejected', 'fix-in-progress', 'fix-verified', 'released', 'disclosed')),
    resume_to             TEXT CHECK (resume_to IN ('acknowledged', 'triage', 'accepted')),
    paused_since          BIGINT,
    reject_reason         TEXT CHECK (reject_reason IN ('not-a-vulnerability', 'duplicate', 'out-of-scope', 'informative')),
    duplicate_of          TEXT REFERENCES cases (id),
    opened_at             BIGINT NOT NULL,
    clock_start           BIGINT NOT NULL,
    cvss_v31              TEXT,
    cvss_v40              TEXT,
    score_tenths          BIGINT CHECK (score_tenths BETWEEN 0 AND 100),
    severity              TEXT CHECK (severity IN ('none', 'low', 'medium', 'high', 'critical')),
    cve_id                TEXT UNIQUE,
    embargo_at            BIGINT,
    assignee_id           TEXT REFERENCES users (id),
    deadline_acknowledge  BIGINT NOT NULL,
    deadline_triage       BIGINT NOT NULL,
    deadline_fix          BIGINT NOT NULL,
    deadline_disclose     BIGINT NOT NULL,
    paused_micros         BIGINT NOT NULL CHECK (paused_micros >= 0),
    acknowledged_at       BIGINT,
    triaged_at            BIGINT,
    released_at           BIGINT,
    disclosed_at          BIGINT,
    estimate_fix_by       BIGINT,
    estimate_disclose_by  BIGINT,
    estimate_given_at     BIGINT,
    upstream_project      TEXT,
    upstream_advisory     TEXT,
    upstream_url          TEXT,
    upstream_disclosure   BIGINT,
    due_at                BIGINT,
    due_pinned_at         BIGINT,
    updated_at            BIGINT NOT NULL,
    CHECK ((state = 'needs-info') = (resume_to IS NOT NULL AND paused_since IS NOT NULL)),
    CHECK (state = 'needs-info' OR (resume_to IS NULL AND paused_since IS NULL)),
    CHECK ((state = 'rejected') = (reject_reason IS NOT NULL)),
    CHECK ((COALESCE(reject_reason, '') = 'duplicate') = (duplicate_of IS NOT NULL)),
    CHECK ((score_tenths IS NULL) = (severity IS NULL)),
    CHECK ((score_tenths IS NULL) = (cvss_v31 IS NULL AND cvss_v40 IS NULL)),
    CHECK ((estimate_fix_by IS NULL) = (estimate_given_at IS NULL)
       AND (estimate_disclose_by IS NULL) = (estimate_given_at IS NULL)),
    CHECK (upstream_project IS NOT NULL OR (upstream_advisory IS NULL AND upstream_url IS NULL
       AND upstream_disclosure IS NULL))
);
CREATE INDEX cases_state ON cases (state);
CREATE INDEX cases_severity ON cases (severity);
CREATE INDEX cases_assignee ON cases (assignee_id);
CREATE INDEX cases_due ON cases (due_at);

-- One submission as received; never changed except for the case it is attached to.
-- reporter_key is the address in ASCII lower case, for matching a reporter across reports.
CREATE TABLE reports (
    id             TEXT PRIMARY KEY NOT NULL,
    tracking_id    TEXT NOT NULL UNIQUE,
    channel        TEXT NOT NULL CHECK (channel IN ('email', 'web-form', 'api', 'import')),
    reporter_email TEXT NOT NULL,
    reporter_key   TEXT NOT NULL,
    reporter_name  TEXT,
    received_at    BIGINT NOT NULL,
    subject        TEXT NOT NULL,
    body           TEXT NOT NULL,
    case_id        TEXT REFERENCES cases (id),
    case_position  BIGINT,
    created_at     BIGINT NOT NULL,
    CHECK ((case_id IS NULL) = (case_position IS NULL))
);
CREATE INDEX reports_case ON reports (case_id, case_position);
CREATE INDEX reports_reporter ON reports (reporter_key);
CREATE INDEX reports_received ON reports (received_at);

-- Attachment metadata with, when kept in the database, the bytes.
CREATE TABLE report_attachments (
    report_id  TEXT NOT NULL REFERENCES reports (id),
    position   BIGINT NOT NULL CHECK (position >= 0),
    name       TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size       BIGINT NOT NULL CHECK (size >= 0),
    sha256     TEXT NOT NULL,
    content    BLOB,
    PRIMARY KEY (report_id, position)
);

-- The raw original (MIME message, form post, import file), byte for byte.
-- A report's RawOriginal reference for these bytes is "db:<report id>".
CREATE TABLE report_raw (
    report_id TEXT PRIMARY KEY NOT NULL REFERENCES reports (id),
    bytes     BLOB NOT NULL
);

CREATE TABLE case_reporters (
    case_id        TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    position       BIGINT NOT NULL CHECK (position >= 0),
    email          TEXT NOT NULL,
    email_key      TEXT NOT NULL,
    name           TEXT,
    user_id        TEXT REFERENCES users (id),
    report_id      TEXT NOT NULL REFERENCES reports (id),
    credit_consent INTEGER NOT NULL CHECK (credit_consent IN (0, 1)),
    credit_name    TEXT,
    PRIMARY KEY (case_id, position)
);
CREATE INDEX case_reporters_email ON case_reporters (email_key);
CREATE INDEX case_reporters_user ON case_reporters (user_id);

CREATE TABLE case_members (
    case_id  TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    user_id  TEXT NOT NULL REFERENCES users (id),
    role     TEXT NOT NULL CHECK (role IN ('engineer', 'collaborator')),
    position BIGINT NOT NULL CHECK (position >= 0),
    PRIMARY KEY (case_id, user_id)
);
CREATE INDEX case_members_user ON case_members (user_id);

-- Status of the case per release line; lines without a row are unknown. links is a JSON array
-- of URLs.
CREATE TABLE case_affected (
    case_id         TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    release_line_id TEXT NOT NULL REFERENCES release_lines (id),
    status          TEXT NOT NULL CHECK (status IN ('unknown', 'affected', 'not-affected',
                        'fix-in-progress', 'fixed', 'wont-fix')),
    justification   TEXT CHECK (justification IN ('component_not_present', 'vulnerable_code_not_present',
                        'vulnerable_code_not_in_execute_path',
                        'vulnerable_code_cannot_be_controlled_by_adversary',
                        'inline_mitigations_already_exist')),
    fixed_in        TEXT,
    links           TEXT,
    verified_by     TEXT REFERENCES users (id),
    verified_at     BIGINT,
    reason          TEXT,
    PRIMARY KEY (case_id, release_line_id),
    CHECK ((status = 'not-affected') = (justification IS NOT NULL)),
    CHECK ((status = 'fixed') = (fixed_in IS NOT NULL AND links IS NOT NULL)),
    CHECK (status = 'fixed' OR (verified_by IS NULL AND verified_at IS NULL)),
    CHECK ((status = 'wont-fix') = (reason IS NOT NULL))
);
CREATE INDEX case_affected_line ON case_affected (release_line_id);

CREATE TABLE case_cwes (
    case_id  TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    position BIGINT NOT NULL CHECK (position >= 0),
    cwe      BIGINT NOT NULL CHECK (cwe > 0),
    PRIMARY KEY (case_id, position)
);

CREATE TABLE case_links (
    case_id  TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    position BIGINT NOT NULL CHECK (position >= 0),
    url      TEXT NOT NULL,
    PRIMARY KEY (case_id, position)
);

-- The case's thread. Append-only (a trigger refuses UPDATE and DELETE). The author keeps the id
-- and role they had when posting, so no foreign key to users.
CREATE TABLE messages (
    id          TEXT PRIMARY KEY NOT NULL,
    case_id     TEXT NOT NULL REFERENCES cases (id),
    position    BIGINT NOT NULL CHECK (position >= 0),
    author_id   TEXT NOT NULL,
    author_role TEXT NOT NULL CHECK (author_role IN ('admin', 'team', 'engineer', 'collaborator', 'reporter')),
    visibility  TEXT NOT NULL CHECK (visibility IN ('reporter', 'collaborators', 'internal')),
    body        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    UNIQUE (case_id, position)
);

-- Who changed what, when: append-only (a trigger refuses UPDATE and DELETE). id orders the events.
-- before_json / after_json are the domain's JSON snapshots (never message bodies).
CREATE TABLE audit_events (
    id          INTEGER PRIMARY KEY NOT NULL,
    case_id     TEXT NOT NULL REFERENCES cases (id),
    actor_id    TEXT NOT NULL,
    actor_role  TEXT NOT NULL CHECK (actor_role IN ('admin', 'team', 'engineer', 'collaborator', 'reporter')),
    occurred_at BIGINT NOT NULL,
    action      TEXT NOT NULL,
    before_json TEXT,
    after_json  TEXT
);
CREATE INDEX audit_events_case ON audit_events (case_id, id);

CREATE TRIGGER messages_no_update BEFORE UPDATE ON messages
BEGIN SELECT RAISE(ABORT, 'messages are append-only'); END;
CREATE TRIGGER messages_no_delete BEFORE DELETE ON messages
BEGIN SELECT RAISE(ABORT, 'messages are append-only'); END;
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
