//! Detached signatures of published documents (`document_signatures`), keyed by the SHA-256 of
//! the signed bytes and the signing key's fingerprint. Making a signature is `embargo-pgp`'s;
//! this only remembers it.

use jiff::Timestamp;
use sqlx::AnyConnection;

use crate::{StoreError, to_micros};

/// The stored signature of the document whose SHA-256 (lower-case hex) is `sha256`, made by
/// the key `fingerprint`.
pub async fn get(
    conn: &mut AnyConnection,
    sha256: &str,
    fingerprint: &str,
) -> Result<Option<String>, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT signature FROM document_signatures WHERE sha256 = $1 AND fingerprint = $2",
    )
    .bind(sha256)
    .bind(fingerprint)
    .fetch_optional(conn)
    .await?)
}

/// Stores a signature unless one is stored already for the same document and key, and returns
/// the one that is stored: when two requests sign at once, both answer with the first.
pub async fn put(
    conn: &mut AnyConnection,
    sha256: &str,
    fingerprint: &str,
    signature: &str,
    now: Timestamp,
) -> Result<String, StoreError> {
    sqlx::query(
        "INSERT INTO document_signatures (sha256, fingerprint, signature, created_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (sha256, fingerprint) DO NOTHING",
    )
    .bind(sha256)
    .bind(fingerprint)
    .bind(signature)
    .bind(to_micros(now))
    .execute(&mut *conn)
    .await?;
    get(conn, sha256, fingerprint)
        .await?
        .ok_or_else(|| StoreError::NotFound {
            entity: "document signature",
            id: sha256.to_owned(),
        })
}
