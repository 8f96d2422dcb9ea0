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
