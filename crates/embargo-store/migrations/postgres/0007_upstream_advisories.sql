-- Advisories of upstream projects (OSV or CVE JSON 5 records), imported as their source
-- published them. Conventions as in 0001: ids TEXT uuids, times BIGINT Unix microseconds, JSON
-- as TEXT, bytes as BYTEA.
--
-- One row per (format, upstream_id). imported_json is embargo-export's ImportedAdvisory as JSON
-- (every id, alias, affected range, severity, reference and credit of the record); raw is the
-- document as read, sha256 its hex digest, source the file (or zip entry) it came from.
-- published_at, modified_at and withdrawn_at are the record's own dates: a newer modified_at
-- replaces the row, the same document changes nothing. published_at is when the upstream
-- disclosed it, which a case that ships the component waits for.
CREATE TABLE upstream_advisories (
    id            TEXT PRIMARY KEY NOT NULL,
    format        TEXT NOT NULL CHECK (format IN ('osv', 'cve')),
    upstream_id   TEXT NOT NULL,
    title         TEXT,
    published_at  BIGINT,
    modified_at   BIGINT,
    withdrawn_at  BIGINT,
    imported_json TEXT NOT NULL,
    raw           BYTEA NOT NULL,
    sha256        TEXT NOT NULL,
    source        TEXT NOT NULL,
    imported_at   BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    UNIQUE (format, upstream_id)
);
CREATE INDEX upstream_advisories_published ON upstream_advisories (published_at);

-- Every id an upstream advisory goes by (its own id first, then its aliases), to find the
-- advisories of a CVE id whatever their source.
CREATE TABLE upstream_advisory_aliases (
    advisory_id TEXT NOT NULL REFERENCES upstream_advisories (id) ON DELETE CASCADE,
    alias       TEXT NOT NULL,
    position    BIGINT NOT NULL,
    PRIMARY KEY (advisory_id, alias)
);
CREATE INDEX upstream_advisory_aliases_alias ON upstream_advisory_aliases (alias);
