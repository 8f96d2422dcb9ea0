//! Browser sessions, single-use sign-in links and TOTP secrets. Like API tokens, sessions and
//! links are found by the SHA-256 of their secret; the secret itself never reaches the store.

use jiff::Timestamp;
use sqlx::AnyConnection;
use uuid::Uuid;

use crate::users::{UserRecord, parse_id};
use crate::{StoreError, from_micros, to_micros};

#[derive(Debug, Clone)]
pub struct NewSession<'a> {
    pub user_id: Uuid,
    /// Hex SHA-256 of the cookie secret.
    pub secret_hash: &'a str,
    pub csrf_token: &'a str,
    /// `password`, `password+totp` or `link`.
    pub method: &'a str,
    pub user_agent: &'a str,
    pub expires_at: Timestamp,
    pub absolute_expires_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    pub id: Uuid,
    pub user_id: Uuid,
    pub csrf_token: String,
    pub method: String,
    pub user_agent: String,
    pub created_at: Timestamp,
    pub last_seen_at: Timestamp,
    pub expires_at: Timestamp,
    pub absolute_expires_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    id: String,
    user_id: String,
    csrf_token: String,
    method: String,
    user_agent: String,
    created_at: i64,
    last_seen_at: i64,
    expires_at: i64,
    absolute_expires_at: i64,
    revoked_at: Option<i64>,
}

impl TryFrom<SessionRow> for SessionRecord {
    type Error = StoreError;
    fn try_from(r: SessionRow) -> Result<Self, StoreError> {
        Ok(SessionRecord {
            id: parse_id("sessions.id", &r.id)?,
            user_id: parse_id("sessions.user_id", &r.user_id)?,
            csrf_token: r.csrf_token,
            method: r.method,
            user_agent: r.user_agent,
            created_at: from_micros("sessions.created_at", r.created_at)?,
            last_seen_at: from_micros("sessions.last_seen_at", r.last_seen_at)?,
            expires_at: from_micros("sessions.expires_at", r.expires_at)?,
            absolute_expires_at: from_micros(
                "sessions.absolute_expires_at",
                r.absolute_expires_at,
            )?,
            revoked_at: r
                .revoked_at
                .map(|v| from_micros("sessions.revoked_at", v))
                .transpose()?,
        })
    }
}

pub async fn insert(
    conn: &mut AnyConnection,
    session: &NewSession<'_>,
    now: Timestamp,
) -> Result<Uuid, StoreError> {
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO sessions (id, secret_hash, user_id, csrf_token, method, user_agent, \
         created_at, last_seen_at, expires_at, absolute_expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8, $9)",
    )
    .bind(id.to_string())
    .bind(session.secret_hash)
    .bind(session.user_id.to_string())
    .bind(session.csrf_token)
    .bind(session.method)
    .bind(session.user_agent)
    .bind(to_micros(now))
    .bind(to_micros(session.expires_at))
    .bind(to_micros(session.absolute_expires_at))
    .execute(conn)
    .await?;
    Ok(id)
}

/// The live session with this secret hash and its owner: not revoked, not expired at `now`,
/// owner not disabled.
pub async fn find_live(
    conn: &mut AnyConnection,
    secret_hash: &str,
    now: Timestamp,
) -> Result<Option<(SessionRecord, UserRecord)>, StoreError> {
    let row: Option<SessionRow> = sqlx::query_as(
        "SELECT s.id, s.user_id, s.csrf_token, s.method, s.user_agent, \
         s.created_at, s.last_seen_at, s.expires_at, s.absolute_expires_at, s.revoked_at FROM sessions s JOIN users u ON u.id = s.user_id \
         WHERE s.secret_hash = $1 AND s.revoked_at IS NULL AND u.disabled = 0 \
         AND s.expires_at > $2 AND s.absolute_expires_at > $2",
    )
    .bind(secret_hash)
    .bind(to_micros(now))
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let session = SessionRecord::try_from(row)?;
    let Some(user) = crate::users::get(conn, session.user_id).await? else {
        return Ok(None);
    };
    Ok(Some((session, user)))
}

/// Records a use of the session and moves its idle expiry to `expires_at`.
pub async fn touch(
    conn: &mut AnyConnection,
    id: Uuid,
    now: Timestamp,
    expires_at: Timestamp,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE sessions SET last_seen_at = $1, expires_at = $2 WHERE id = $3 AND revoked_at IS NULL",
    )
    .bind(to_micros(now))
    .bind(to_micros(expires_at))
    .bind(id.to_string())
    .execute(conn)
    .await?;
    Ok(())
}

/// Revokes one session of this user; false when there was no such live session.
pub async fn revoke(
    conn: &mut AnyConnection,
    user_id: Uuid,
    id: Uuid,
    now: Timestamp,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE sessions SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
    )
    .bind(to_micros(now))
    .bind(id.to_string())
    .bind(user_id.to_string())
    .execute(conn)
    .await?
    .rows_affected();
    Ok(done == 1)
}

/// Revokes every session of this user except `keep`; returns how many.
pub async fn revoke_all(
    conn: &mut AnyConnection,
    user_id: Uuid,
    keep: Option<Uuid>,
    now: Timestamp,
) -> Result<u64, StoreError> {
    let keep = keep.map(|k| k.to_string()).unwrap_or_default();
    Ok(sqlx::query(
        "UPDATE sessions SET revoked_at = $1 WHERE user_id = $2 AND id <> $3 AND revoked_at IS NULL",
    )
    .bind(to_micros(now))
    .bind(user_id.to_string())
    .bind(keep)
    .execute(conn)
    .await?
    .rows_affected())
}

/// This user's sessions that are still live at `now`, newest first.
pub async fn list_live(
    conn: &mut AnyConnection,
    user_id: Uuid,
    now: Timestamp,
) -> Result<Vec<SessionRecord>, StoreError> {
    let rows: Vec<SessionRow> = sqlx::query_as(
        "SELECT s.id, s.user_id, s.csrf_token, s.method, s.user_agent, \
         s.created_at, s.last_seen_at, s.expires_at, s.absolute_expires_at, s.revoked_at FROM sessions s WHERE s.user_id = $1 AND s.revoked_at IS NULL \
         AND s.expires_at > $2 AND s.absolute_expires_at > $2 ORDER BY s.created_at DESC",
    )
    .bind(user_id.to_string())
    .bind(to_micros(now))
    .fetch_all(conn)
    .await?;
    rows.into_iter().map(SessionRecord::try_from).collect()
}

/// Stores a sign-in link for `user_id`.
pub async fn insert_link(
    conn: &mut AnyConnection,
    user_id: Uuid,
    secret_hash: &str,
    now: Timestamp,
    expires_at: Timestamp,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO login_links (secret_hash, user_id, created_at, expires_at) \
         VALUES ($1, $2, $3, $4)",
    )
    .bind(secret_hash)
    .bind(user_id.to_string())
    .bind(to_micros(now))
    .bind(to_micros(expires_at))
    .execute(conn)
    .await?;
    Ok(())
}

/// Marks the link used and returns its user, if it was unused and unexpired at `now`. Two
/// concurrent redemptions of one link: exactly one gets the user.
pub async fn redeem_link(
    conn: &mut AnyConnection,
    secret_hash: &str,
    now: Timestamp,
) -> Result<Option<Uuid>, StoreError> {
    let user: Option<(String,)> = sqlx::query_as(
        "UPDATE login_links SET used_at = $1 \
         WHERE secret_hash = $2 AND used_at IS NULL AND expires_at > $1 RETURNING user_id",
    )
    .bind(to_micros(now))
    .bind(secret_hash)
    .fetch_optional(conn)
    .await?;
    user.map(|(id,)| parse_id("login_links.user_id", &id))
        .transpose()
}

/// A user's TOTP secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TotpRecord {
    pub secret: String,
    pub confirmed: bool,
    pub last_step: i64,
}

pub async fn totp(
    conn: &mut AnyConnection,
    user_id: Uuid,
) -> Result<Option<TotpRecord>, StoreError> {
    let row: Option<(String, Option<i64>, i64)> =
        sqlx::query_as("SELECT secret, confirmed_at, last_step FROM user_totp WHERE user_id = $1")
            .bind(user_id.to_string())
            .fetch_optional(conn)
            .await?;
    Ok(row.map(|(secret, confirmed_at, last_step)| TotpRecord {
        secret,
        confirmed: confirmed_at.is_some(),
        last_step,
    }))
}

/// Starts (or restarts) enrolment with a new, unconfirmed secret.
pub async fn set_totp(
    conn: &mut AnyConnection,
    user_id: Uuid,
    secret: &str,
    now: Timestamp,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM user_totp WHERE user_id = $1")
        .bind(user_id.to_string())
        .execute(&mut *conn)
        .await?;
    sqlx::query("INSERT INTO user_totp (user_id, secret, created_at) VALUES ($1, $2, $3)")
        .bind(user_id.to_string())
        .bind(secret)
        .bind(to_micros(now))
        .execute(conn)
        .await?;
    Ok(())
}

/// Accepts time step `step` for this user once: false when it (or a later one) was already
/// used. With `confirm`, the secret starts protecting sign-in.
pub async fn use_totp_step(
    conn: &mut AnyConnection,
    user_id: Uuid,
    step: i64,
    confirm: bool,
    now: Timestamp,
) -> Result<bool, StoreError> {
    let query = if confirm {
        sqlx::query(
            "UPDATE user_totp SET last_step = $1, confirmed_at = $3 \
             WHERE user_id = $2 AND last_step < $1",
        )
        .bind(step)
        .bind(user_id.to_string())
        .bind(to_micros(now))
    } else {
        sqlx::query(
            "UPDATE user_totp SET last_step = $1 \
             WHERE user_id = $2 AND last_step < $1 AND confirmed_at IS NOT NULL",
        )
        .bind(step)
        .bind(user_id.to_string())
    };
    let done = query.execute(conn).await?.rows_affected();
    Ok(done == 1)
}

pub async fn delete_totp(conn: &mut AnyConnection, user_id: Uuid) -> Result<bool, StoreError> {
    Ok(sqlx::query("DELETE FROM user_totp WHERE user_id = $1")
        .bind(user_id.to_string())
        .execute(conn)
        .await?
        .rows_affected()
        == 1)
}

/// Replaces the password hash and clears `must_change_password`.
pub async fn set_password(
    conn: &mut AnyConnection,
    user_id: Uuid,
    hash: &str,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE users SET password_hash = $1, must_change_password = 0 WHERE id = $2")
        .bind(hash)
        .bind(user_id.to_string())
        .execute(conn)
        .await?;
    Ok(())
}
