-- Browser sessions, sign-in links for reporters, and TOTP second factors.
--
-- Secrets are never stored: a session cookie and a sign-in link are looked up by the hex
-- SHA-256 of their secret. A session is revocable (revoked_at), expires when idle
-- (expires_at moves forward on use, never past absolute_expires_at) and carries the
-- synchronizer token every form of that session must echo (csrf_token).
CREATE TABLE sessions (
    id                  TEXT PRIMARY KEY NOT NULL,
    secret_hash         TEXT NOT NULL UNIQUE,
    user_id             TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token          TEXT NOT NULL,
    method              TEXT NOT NULL CHECK (method IN ('password', 'password+totp', 'link')),
    user_agent          TEXT NOT NULL DEFAULT '',
    created_at          BIGINT NOT NULL,
    last_seen_at        BIGINT NOT NULL,
    expires_at          BIGINT NOT NULL,
    absolute_expires_at BIGINT NOT NULL,
    revoked_at          BIGINT
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Single-use sign-in links, put in the mail we send reporters.
CREATE TABLE login_links (
    secret_hash TEXT PRIMARY KEY NOT NULL,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT
);
CREATE INDEX login_links_user ON login_links (user_id);

-- A user's TOTP secret (RFC 6238, base32). It protects sign-in once confirmed_at is set;
-- last_step is the last time step accepted, so a code is never accepted twice.
CREATE TABLE user_totp (
    user_id      TEXT PRIMARY KEY NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    secret       TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    confirmed_at BIGINT,
    last_step    BIGINT NOT NULL DEFAULT 0
);
