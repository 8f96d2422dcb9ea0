//! Accounts.

use jiff::Timestamp;
use sqlx::AnyConnection;
use uuid::Uuid;

use crate::{StoreError, flag, from_micros, to_micros};

/// A new account. The password arrives already hashed (argon2id PHC string).
#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    pub username: &'a str,
    pub email: &'a str,
    pub display_name: &'a str,
    pub role: &'a str,
    pub password_hash: Option<&'a str>,
    pub must_change_password: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRecord {
    pub id: Uuid,
    pub username: String,
    pub email: String,
    pub display_name: String,
    pub role: String,
    pub password_hash: Option<String>,
    pub must_change_password: bool,
    pub disabled: bool,
    pub created_at: Timestamp,
}

#[derive(sqlx::FromRow)]
struct UserRow {
    id: String,
    username: String,
    email: String,
    display_name: String,
    role: String,
    password_hash: Option<String>,
    must_change_password: i64,
    disabled: i64,
    created_at: i64,
}

impl TryFrom<UserRow> for UserRecord {
    type Error = StoreError;
    fn try_from(row: UserRow) -> Result<Self, StoreError> {
        Ok(UserRecord {
            id: parse_id("users.id", &row.id)?,
            username: row.username,
            email: row.email,
            display_name: row.display_name,
            role: row.role,
            password_hash: row.password_hash,
            must_change_password: row.must_change_password != 0,
            disabled: row.disabled != 0,
            created_at: from_micros("users.created_at", row.created_at)?,
        })
    }
}

pub(crate) fn parse_id(column: &'static str, value: &str) -> Result<Uuid, StoreError> {
    Uuid::parse_str(value).map_err(|_| StoreError::Corrupt {
        column,
        value: value.to_owned(),
    })
}

macro_rules! select_user {
    ($rest:literal) => {
        concat!(
            "SELECT id, username, email, display_name, role, password_hash, ",
            "must_change_password, disabled, created_at FROM users ",
            $rest
        )
    };
}

/// Inserts the admin account only if no admin exists yet. Returns `None` when another admin
/// (or another process racing to bootstrap the same username) got there first.
pub async fn insert_first_admin(
    conn: &mut AnyConnection,
    user: &NewUser<'_>,
    now: Timestamp,
) -> Result<Option<Uuid>, StoreError> {
    let id = Uuid::now_v7();
    let inserted = sqlx::query(
        "INSERT INTO users (id, username, email, display_name, role, password_hash, \
         must_change_password, disabled, created_at) \
         SELECT $1, $2, $3, $4, $5, $6, $7, 0, $8 \
         WHERE NOT EXISTS (SELECT 1 FROM users WHERE role = 'admin') \
         ON CONFLICT DO NOTHING",
    )
    .bind(id.to_string())
    .bind(user.username)
    .bind(user.email)
    .bind(user.display_name)
    .bind(user.role)
    .bind(user.password_hash)
    .bind(flag(user.must_change_password))
    .bind(to_micros(now))
    .execute(conn)
    .await?
    .rows_affected();
    Ok((inserted == 1).then_some(id))
}

pub async fn insert(
    conn: &mut AnyConnection,
    user: &NewUser<'_>,
    now: Timestamp,
) -> Result<Uuid, StoreError> {
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO users (id, username, email, display_name, role, password_hash, \
         must_change_password, disabled, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8)",
    )
    .bind(id.to_string())
    .bind(user.username)
    .bind(user.email)
    .bind(user.display_name)
    .bind(user.role)
    .bind(user.password_hash)
    .bind(flag(user.must_change_password))
    .bind(to_micros(now))
    .execute(conn)
    .await?;
    Ok(id)
}

pub async fn find_by_username(
    conn: &mut AnyConnection,
    username: &str,
) -> Result<Option<UserRecord>, StoreError> {
    let row: Option<UserRow> = sqlx::query_as(select_user!("WHERE username = $1"))
        .bind(username)
        .fetch_optional(conn)
        .await?;
    row.map(UserRecord::try_from).transpose()
}

pub async fn get(conn: &mut AnyConnection, id: Uuid) -> Result<Option<UserRecord>, StoreError> {
    let row: Option<UserRow> = sqlx::query_as(select_user!("WHERE id = $1"))
        .bind(id.to_string())
        .fetch_optional(conn)
        .await?;
    row.map(UserRecord::try_from).transpose()
}

/// The id of the system account that automated work acts as (created by a migration).
pub const SYSTEM_USER_ID: Uuid = Uuid::from_u128(0x00000000_0000_7000_8000_000000000001);

/// Number of admin accounts.
pub async fn count_admins(conn: &mut AnyConnection) -> Result<i64, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE role = 'admin'")
            .fetch_one(conn)
            .await?,
    )
}

pub async fn list(conn: &mut AnyConnection) -> Result<Vec<UserRecord>, StoreError> {
    let rows: Vec<UserRow> = sqlx::query_as(select_user!("ORDER BY username"))
        .fetch_all(conn)
        .await?;
    rows.into_iter().map(UserRecord::try_from).collect()
}

/// The account of a reporter, found by address (ignoring ASCII case) or created: a `reporter`
/// account without a password, which its owner reaches through the links in Embargo's mails.
/// Returns the account's id and role (an address that belongs to a team member keeps its
/// account and role).
pub async fn find_or_create_reporter(
    conn: &mut AnyConnection,
    email: &str,
    display_name: &str,
    now: Timestamp,
) -> Result<(Uuid, String), StoreError> {
    let key = email.to_ascii_lowercase();
    let find = "SELECT id, role FROM users WHERE LOWER(email) = $1 ORDER BY created_at LIMIT 1";
    if let Some((id, role)) = sqlx::query_as::<_, (String, String)>(find)
        .bind(&key)
        .fetch_optional(&mut *conn)
        .await?
    {
        return Ok((parse_id("users.id", &id)?, role));
    }
    let id = Uuid::now_v7();
    // The username is the address; an address taken as someone's username gets a unique one.
    let taken: Option<String> = sqlx::query_scalar("SELECT id FROM users WHERE username = $1")
        .bind(&key)
        .fetch_optional(&mut *conn)
        .await?;
    let username = match taken {
        None => key.clone(),
        Some(_) => format!("reporter-{}", id.simple()),
    };
    sqlx::query(
        "INSERT INTO users (id, username, email, display_name, role, password_hash, \
         must_change_password, disabled, created_at) \
         VALUES ($1, $2, $3, $4, 'reporter', NULL, 0, 0, $5)",
    )
    .bind(id.to_string())
    .bind(&username)
    .bind(email)
    .bind(display_name)
    .bind(to_micros(now))
    .execute(&mut *conn)
    .await?;
    Ok((id, "reporter".to_owned()))
}

/// Sets an account's role. Returns whether the account exists.
pub async fn set_role(conn: &mut AnyConnection, id: Uuid, role: &str) -> Result<bool, StoreError> {
    let n = sqlx::query("UPDATE users SET role = $2 WHERE id = $1")
        .bind(id.to_string())
        .bind(role)
        .execute(conn)
        .await?
        .rows_affected();
    Ok(n == 1)
}

/// Disables or enables an account (a disabled account's sessions and tokens stop working).
/// Returns whether the account exists.
pub async fn set_disabled(
    conn: &mut AnyConnection,
    id: Uuid,
    disabled: bool,
) -> Result<bool, StoreError> {
    let n = sqlx::query("UPDATE users SET disabled = $2 WHERE id = $1")
        .bind(id.to_string())
        .bind(flag(disabled))
        .execute(conn)
        .await?
        .rows_affected();
    Ok(n == 1)
}

/// Number of enabled admin accounts.
pub async fn count_enabled_admins(conn: &mut AnyConnection) -> Result<i64, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE role = 'admin' AND disabled = 0")
            .fetch_one(conn)
            .await?,
    )
}
