//! API tokens. The store sees only the SHA-256 of a token's secret, never the secret.

use jiff::Timestamp;
use sqlx::AnyConnection;
use uuid::Uuid;

use crate::users::{UserRecord, parse_id};
use crate::{StoreError, from_micros, to_micros};

#[derive(Debug, Clone)]
pub struct NewToken<'a> {
    pub user_id: Uuid,
    pub name: &'a str,
    /// Hex SHA-256 of the secret.
    pub secret_hash: &'a str,
    /// Space-separated scope names.
    pub scopes: &'a str,
    pub expires_at: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRecord {
    pub id: Uuid,
    pub user_id: Uuid,
    pub name: String,
    pub scopes: String,
    pub created_at: Timestamp,
    pub expires_at: Option<Timestamp>,
    pub last_used_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
}

#[derive(sqlx::FromRow)]
struct TokenRow {
    id: String,
    user_id: String,
    name: String,
    scopes: String,
    created_at: i64,
    expires_at: Option<i64>,
    last_used_at: Option<i64>,
    revoked_at: Option<i64>,
}

impl TryFrom<TokenRow> for TokenRecord {
    type Error = StoreError;
    fn try_from(r: TokenRow) -> Result<Self, StoreError> {
        let opt = |column, v: Option<i64>| v.map(|v| from_micros(column, v)).transpose();
        Ok(TokenRecord {
            id: parse_id("api_tokens.id", &r.id)?,
            user_id: parse_id("api_tokens.user_id", &r.user_id)?,
            name: r.name,
            scopes: r.scopes,
            created_at: from_micros("api_tokens.created_at", r.created_at)?,
            expires_at: opt("api_tokens.expires_at", r.expires_at)?,
            last_used_at: opt("api_tokens.last_used_at", r.last_used_at)?,
            revoked_at: opt("api_tokens.revoked_at", r.revoked_at)?,
        })
    }
}

pub async fn insert(
    conn: &mut AnyConnection,
    token: &NewToken<'_>,
    now: Timestamp,
) -> Result<Uuid, StoreError> {
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO api_tokens (id, user_id, name, secret_hash, scopes, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id.to_string())
    .bind(token.user_id.to_string())
    .bind(token.name)
    .bind(token.secret_hash)
    .bind(token.scopes)
    .bind(to_micros(now))
    .bind(token.expires_at.map(to_micros))
    .execute(conn)
    .await?;
    Ok(id)
}

/// The live token with this secret hash and its owner: not revoked, not expired at `now`, owner
/// not disabled. Records the use.
pub async fn authenticate(
    conn: &mut AnyConnection,
    secret_hash: &str,
    now: Timestamp,
) -> Result<Option<(TokenRecord, UserRecord)>, StoreError> {
    let row: Option<TokenRow> = sqlx::query_as(
        "SELECT t.id, t.user_id, t.name, t.scopes, t.created_at, t.expires_at, t.last_used_at, \
         t.revoked_at FROM api_tokens t JOIN users u ON u.id = t.user_id \
         WHERE t.secret_hash = $1 AND t.revoked_at IS NULL AND u.disabled = 0 \
         AND (t.expires_at IS NULL OR t.expires_at > $2)",
    )
    .bind(secret_hash)
    .bind(to_micros(now))
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let token = TokenRecord::try_from(row)?;
    sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
        .bind(to_micros(now))
        .bind(token.id.to_string())
        .execute(&mut *conn)
        .await?;
    let Some(user) = crate::users::get(conn, token.user_id).await? else {
        return Ok(None);
    };
    Ok(Some((token, user)))
}

pub async fn list_for_user(
    conn: &mut AnyConnection,
    user_id: Uuid,
) -> Result<Vec<TokenRecord>, StoreError> {
    let rows: Vec<TokenRow> = sqlx::query_as(
        "SELECT id, user_id, name, scopes, created_at, expires_at, last_used_at, revoked_at \
         FROM api_tokens WHERE user_id = $1 ORDER BY created_at",
    )
    .bind(user_id.to_string())
    .fetch_all(conn)
    .await?;
    rows.into_iter().map(TokenRecord::try_from).collect()
}

/// Revokes a token of this user; false when there was no such live token.
pub async fn revoke(
    conn: &mut AnyConnection,
    user_id: Uuid,
    token_id: Uuid,
    now: Timestamp,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
    )
    .bind(to_micros(now))
    .bind(token_id.to_string())
    .bind(user_id.to_string())
    .execute(conn)
    .await?
    .rows_affected();
    Ok(done == 1)
}
