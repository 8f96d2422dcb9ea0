-- The system account: automated work (acknowledging a report, publishing at the embargo date)
-- acts as this team-role user, so it is audited like anyone else. It cannot sign in.
INSERT INTO users (id, username, email, display_name, role, password_hash, must_change_password, disabled, created_at)
VALUES ('00000000-0000-7000-8000-000000000001', 'system', 'system@embargo.invalid', 'Embargo', 'team', NULL, 0, 1, 0)
ON CONFLICT DO NOTHING;

-- API tokens: only a SHA-256 of the secret is stored; the secret is shown once at creation.
CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY NOT NULL,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    secret_hash  TEXT NOT NULL UNIQUE,
    scopes       TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT,
    last_used_at BIGINT,
    revoked_at   BIGINT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);
