-- Flags are 0/1 integers on both backends: the Any driver reads SQLite BOOLEAN columns poorly.
-- Accounts. Passwords are argon2id PHC strings; times are Unix microseconds.
CREATE TABLE users (
    id                   TEXT PRIMARY KEY NOT NULL,
    username             TEXT NOT NULL UNIQUE,
    email                TEXT NOT NULL UNIQUE,
    display_name         TEXT NOT NULL,
    role                 TEXT NOT NULL CHECK (role IN ('admin', 'team', 'engineer', 'collaborator', 'reporter')),
    password_hash        TEXT,
    must_change_password INTEGER NOT NULL DEFAULT 0 CHECK (must_change_password IN (0, 1)),
    disabled             INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at           BIGINT NOT NULL
);

-- The catalog: product > edition > release line > bundled upstream components.
CREATE TABLE products (
    id         TEXT PRIMARY KEY NOT NULL,
    slug       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    vendor     TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE editions (
    id             TEXT PRIMARY KEY NOT NULL,
    product_id     TEXT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    slug           TEXT NOT NULL,
    name           TEXT NOT NULL,
    version_scheme TEXT NOT NULL CHECK (version_scheme IN ('three-part', 'four-part')),
    created_at     BIGINT NOT NULL,
    UNIQUE (product_id, slug)
);

CREATE TABLE release_lines (
    id              TEXT PRIMARY KEY NOT NULL,
    edition_id      TEXT NOT NULL REFERENCES editions (id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    latest_version  TEXT,
    supported       INTEGER NOT NULL CHECK (supported IN (0, 1)),
    lts             INTEGER NOT NULL CHECK (lts IN (0, 1)),
    support_ends_on TEXT,
    created_at      BIGINT NOT NULL,
    UNIQUE (edition_id, name)
);

CREATE TABLE components (
    release_line_id TEXT NOT NULL REFERENCES release_lines (id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    version         TEXT NOT NULL,
    PRIMARY KEY (release_line_id, name)
);
