-- Release plans. Conventions as in 0001: ids are TEXT uuids, times BIGINT Unix microseconds,
-- civil dates TEXT (YYYY-MM-DD), flags 0/1 integers.

-- A patch release of one release line: planned at a version with an optional target day; once
-- shipped, `version` is the version that shipped, `shipped_on` the release day and `shipped_at`
-- when it was recorded. A line has at most one release per version.
CREATE TABLE releases (
    id              TEXT PRIMARY KEY NOT NULL,
    release_line_id TEXT NOT NULL REFERENCES release_lines (id),
    version         TEXT NOT NULL,
    target_on       TEXT,
    shipped_on      TEXT,
    shipped_at      BIGINT,
    created_by      TEXT NOT NULL REFERENCES users (id),
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    UNIQUE (release_line_id, version),
    CHECK ((shipped_on IS NULL) = (shipped_at IS NULL))
);
CREATE INDEX releases_line ON releases (release_line_id);

-- The cases a release fixes, in the order they were added.
CREATE TABLE release_cases (
    release_id TEXT NOT NULL REFERENCES releases (id) ON DELETE CASCADE,
    case_id    TEXT NOT NULL REFERENCES cases (id),
    position   BIGINT NOT NULL,
    PRIMARY KEY (release_id, case_id)
);
CREATE INDEX release_cases_case ON release_cases (case_id);

-- The public advisory of a case: one per case. public_id (EMB-2026-0001) never changes across
-- revisions. references_json is a JSON list of {"url","kind","name"}. published_at is the first
-- publication (NULL: a draft, never shown publicly); revision is the current revision number
-- (0 for a draft), one row per revision in advisory_revisions.
CREATE TABLE advisories (
    id              TEXT PRIMARY KEY NOT NULL,
    public_id       TEXT NOT NULL UNIQUE,
    case_id         TEXT NOT NULL UNIQUE REFERENCES cases (id),
    title           TEXT NOT NULL,
    summary         TEXT NOT NULL,
    description_md  TEXT NOT NULL,
    workarounds_md  TEXT,
    references_json TEXT NOT NULL,
    published_at    BIGINT,
    revision        BIGINT NOT NULL CHECK (revision >= 0),
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    CHECK ((published_at IS NULL) = (revision = 0))
);
CREATE INDEX advisories_published ON advisories (published_at);

CREATE TABLE advisory_revisions (
    advisory_id  TEXT NOT NULL REFERENCES advisories (id) ON DELETE CASCADE,
    number       BIGINT NOT NULL CHECK (number >= 1),
    published_at BIGINT NOT NULL,
    summary      TEXT NOT NULL,
    PRIMARY KEY (advisory_id, number)
);

-- CVE ids reserved from our CNA allocation, waiting for a case; assigned on acceptance.
-- in_use is 1 once assigned (case_id names the case).
CREATE TABLE cve_pool (
    cve_id      TEXT PRIMARY KEY NOT NULL,
    added_at    BIGINT NOT NULL,
    in_use      INTEGER NOT NULL DEFAULT 0 CHECK (in_use IN (0, 1)),
    case_id     TEXT UNIQUE REFERENCES cases (id),
    assigned_at BIGINT,
    CHECK ((in_use = 1) = (case_id IS NOT NULL))
);
