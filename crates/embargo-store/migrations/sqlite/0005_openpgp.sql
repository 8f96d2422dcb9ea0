-- OpenPGP. The team key: the current one signs and decrypts; earlier ones stay to decrypt mail
-- encrypted to them. Reporters' public keys, by address (ASCII lower case), used to encrypt
-- mail to them.
CREATE TABLE team_keys (
    fingerprint    TEXT PRIMARY KEY NOT NULL,
    secret_armored TEXT NOT NULL,
    public_armored TEXT NOT NULL,
    is_current     INTEGER NOT NULL CHECK (is_current IN (0, 1)),
    created_at     BIGINT NOT NULL
);
CREATE UNIQUE INDEX team_keys_one_current ON team_keys (is_current) WHERE is_current = 1;

CREATE TABLE reporter_keys (
    email_key      TEXT PRIMARY KEY NOT NULL,
    fingerprint    TEXT NOT NULL,
    public_armored TEXT NOT NULL,
    source         TEXT NOT NULL,
    added_at       BIGINT NOT NULL
);
