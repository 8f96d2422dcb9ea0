//! `settings`: values an admin changes at run time, one row per key, and their audit trail
//! (`audit_events` rows without a case). What a key means and how its value is written is the
//! service's (`embargo_service::settings`); here a value is text.

use embargo_domain::Role;
use jiff::Timestamp;
use sqlx::AnyConnection;
use uuid::Uuid;

use crate::codes::{parse_role, role_code};
use crate::{StoreError, from_micros, parse_uuid, to_micros};

/// A stored setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    pub key: String,
    pub value: String,
    pub updated_at: Timestamp,
    pub updated_by: Uuid,
}

#[derive(sqlx::FromRow)]
struct SettingRow {
    key: String,
    value: String,
    updated_at: i64,
    updated_by: String,
}

/// The setting stored under `key`, if any.
pub async fn get(conn: &mut AnyConnection, key: &str) -> Result<Option<Setting>, StoreError> {
    let row: Option<SettingRow> =
        sqlx::query_as("SELECT key, value, updated_at, updated_by FROM settings WHERE key = $1")
            .bind(key)
            .fetch_optional(conn)
            .await?;
    row.map(|r| {
        Ok(Setting {
            updated_at: from_micros("settings.updated_at", r.updated_at)?,
            updated_by: parse_uuid("settings.updated_by", &r.updated_by)?,
            key: r.key,
            value: r.value,
        })
    })
    .transpose()
}

/// Stores `value` under `key`, replacing what was there.
pub async fn put(
    conn: &mut AnyConnection,
    key: &str,
    value: &str,
    by: Uuid,
    now: Timestamp,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO settings (key, value, updated_at, updated_by) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, \
         updated_at = excluded.updated_at, updated_by = excluded.updated_by",
    )
    .bind(key)
    .bind(value)
    .bind(to_micros(now))
    .bind(by.to_string())
    .execute(conn)
    .await?;
    Ok(())
}

/// One audited settings change: an `audit_events` row without a case.
#[derive(Debug, Clone, PartialEq)]
pub struct SettingChange {
    pub actor: Uuid,
    pub actor_role: Role,
    pub at: Timestamp,
    /// `setting-changed:<key>`.
    pub action: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// Appends `change` to the audit trail.
pub async fn append_change(
    conn: &mut AnyConnection,
    change: &SettingChange,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO audit_events (case_id, actor_id, actor_role, occurred_at, action, \
         before_json, after_json) VALUES (NULL, $1, $2, $3, $4, $5, $6)",
    )
    .bind(change.actor.to_string())
    .bind(role_code(change.actor_role))
    .bind(to_micros(change.at))
    .bind(&change.action)
    .bind(change.before.as_ref().map(ToString::to_string))
    .bind(change.after.as_ref().map(ToString::to_string))
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct ChangeRow {
    actor_id: String,
    actor_role: String,
    occurred_at: i64,
    action: String,
    before_json: Option<String>,
    after_json: Option<String>,
}

fn json(column: &'static str, v: Option<String>) -> Result<Option<serde_json::Value>, StoreError> {
    v.map(|s| {
        serde_json::from_str(&s).map_err(|_| StoreError::Corrupt {
            column,
            value: s.clone(),
        })
    })
    .transpose()
}

/// The settings changes, newest first, at most `limit`.
pub async fn changes(
    conn: &mut AnyConnection,
    limit: i64,
) -> Result<Vec<SettingChange>, StoreError> {
    let rows: Vec<ChangeRow> = sqlx::query_as(
        "SELECT actor_id, actor_role, occurred_at, action, before_json, after_json \
         FROM audit_events WHERE case_id IS NULL ORDER BY id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(SettingChange {
                actor: parse_uuid("audit_events.actor_id", &r.actor_id)?,
                actor_role: parse_role("audit_events.actor_role", &r.actor_role)?,
                at: from_micros("audit_events.occurred_at", r.occurred_at)?,
                action: r.action,
                before: json("audit_events.before_json", r.before_json)?,
                after: json("audit_events.after_json", r.after_json)?,
            })
        })
        .collect()
}
