-- Detached OpenPGP signatures of published documents (the CSAF `.asc` files), made once per
-- document content and signing key: the same bytes are answered with the same signature, so
-- a mirror sees a stable `.asc`, and a new revision (new content) or a new team key gets a new
-- one. A cache only: deleting rows just makes the next request sign again.
CREATE TABLE document_signatures (
    sha256      TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    signature   TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (sha256, fingerprint)
);
