//! OpenPGP keys: the team's (`team_keys`) and reporters' (`reporter_keys`). Keys are stored
//! armored; parsing and every cryptographic operation belong to `embargo-pgp`.

use jiff::Timestamp;
use sqlx::AnyConnection;

use crate::{StoreError, flag, from_micros, to_micros};

/// A stored key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredKey {
    pub fingerprint: String,
    pub armored: String,
    pub added_at: Timestamp,
}

/// Makes `fingerprint` the current team key (keeping earlier keys for decryption).
pub async fn put_team_key(
    conn: &mut AnyConnection,
    fingerprint: &str,
    secret_armored: &str,
    public_armored: &str,
    now: Timestamp,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE team_keys SET is_current = 0 WHERE is_current = 1")
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO team_keys (fingerprint, secret_armored, public_armored, is_current, created_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (fingerprint) DO UPDATE SET is_current = excluded.is_current",
    )
    .bind(fingerprint)
    .bind(secret_armored)
    .bind(public_armored)
    .bind(flag(true))
    .bind(to_micros(now))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The team's secret keys, the current one first.
pub async fn team_secret_keys(conn: &mut AnyConnection) -> Result<Vec<StoredKey>, StoreError> {
    let rows: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT fingerprint, secret_armored, created_at FROM team_keys \
         ORDER BY is_current DESC, created_at DESC",
    )
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|(fingerprint, armored, at)| {
            Ok(StoredKey {
                fingerprint,
                armored,
                added_at: from_micros("team_keys.created_at", at)?,
            })
        })
        .collect()
}

/// The current team public key.
pub async fn team_public_key(conn: &mut AnyConnection) -> Result<Option<StoredKey>, StoreError> {
    let row: Option<(String, String, i64)> = sqlx::query_as(
        "SELECT fingerprint, public_armored, created_at FROM team_keys WHERE is_current = 1",
    )
    .fetch_optional(conn)
    .await?;
    row.map(|(fingerprint, armored, at)| {
        Ok(StoredKey {
            fingerprint,
            armored,
            added_at: from_micros("team_keys.created_at", at)?,
        })
    })
    .transpose()
}

/// Records (or replaces) the public key of the reporter at `email`.
pub async fn put_reporter_key(
    conn: &mut AnyConnection,
    email: &str,
    fingerprint: &str,
    public_armored: &str,
    source: &str,
    now: Timestamp,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO reporter_keys (email_key, fingerprint, public_armored, source, added_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (email_key) DO UPDATE SET \
         fingerprint = excluded.fingerprint, public_armored = excluded.public_armored, \
         source = excluded.source, added_at = excluded.added_at",
    )
    .bind(email.to_ascii_lowercase())
    .bind(fingerprint)
    .bind(public_armored)
    .bind(source)
    .bind(to_micros(now))
    .execute(conn)
    .await?;
    Ok(())
}

/// The public key of the reporter at `email`.
pub async fn reporter_key(
    conn: &mut AnyConnection,
    email: &str,
) -> Result<Option<StoredKey>, StoreError> {
    let row: Option<(String, String, i64)> = sqlx::query_as(
        "SELECT fingerprint, public_armored, added_at FROM reporter_keys WHERE email_key = $1",
    )
    .bind(email.to_ascii_lowercase())
    .fetch_optional(conn)
    .await?;
    row.map(|(fingerprint, armored, at)| {
        Ok(StoredKey {
            fingerprint,
            armored,
            added_at: from_micros("reporter_keys.added_at", at)?,
        })
    })
    .transpose()
}
