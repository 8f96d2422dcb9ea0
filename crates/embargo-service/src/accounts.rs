//! Accounts and API tokens.
//!
//! An API token is `emb_` followed by 32 base32 characters (160 random bits). Only its SHA-256
//! is stored; the secret is shown once, when it is created. Each token carries scopes:
//! `read` (GET endpoints), `write` (changes), `admin` (users, catalog, policy; only for admins).

use std::fmt;

use anyhow::Context;
use embargo_domain::{Actor, Role, UserId};
use embargo_store::Violation;
use embargo_store::tokens::{self, NewToken};
pub use embargo_store::users::UserRecord;
use embargo_store::users::{self, NewUser};
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};

use crate::{App, ServiceError, auth};

/// What a token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Scope {
    Read,
    Write,
    Admin,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Write => "write",
            Scope::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Result<Scope, ServiceError> {
        match s {
            "read" => Ok(Scope::Read),
            "write" => Ok(Scope::Write),
            "admin" => Ok(Scope::Admin),
            other => Err(ServiceError::Invalid {
                field: "scopes",
                reason: format!("unknown scope {other:?}; use read, write or admin"),
            }),
        }
    }
}

/// A set of scopes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scopes(Vec<Scope>);

impl Scopes {
    pub fn parse(list: &str) -> Result<Scopes, ServiceError> {
        let mut scopes = list
            .split([',', ' '])
            .filter(|s| !s.is_empty())
            .map(Scope::parse)
            .collect::<Result<Vec<_>, _>>()?;
        if scopes.is_empty() {
            return Err(ServiceError::Invalid {
                field: "scopes",
                reason: "at least one scope is needed".to_owned(),
            });
        }
        scopes.sort();
        scopes.dedup();
        Ok(Scopes(scopes))
    }

    pub fn all() -> Scopes {
        Scopes(vec![Scope::Read, Scope::Write, Scope::Admin])
    }

    pub fn contains(&self, scope: Scope) -> bool {
        self.0.contains(&scope)
    }
}

impl fmt::Display for Scopes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.0.iter().map(|s| s.as_str()).collect();
        f.write_str(&names.join(" "))
    }
}

/// Someone authenticated: who they are and what this credential allows.
#[derive(Debug, Clone)]
pub struct Principal {
    pub actor: Actor,
    pub username: String,
    pub scopes: Scopes,
}

impl Principal {
    /// Fails unless the credential carries `scope`.
    pub fn require(&self, scope: Scope) -> Result<(), ServiceError> {
        if self.scopes.contains(scope) {
            Ok(())
        } else {
            Err(ServiceError::Forbidden)
        }
    }
}

pub fn parse_role(s: &str) -> Result<Role, ServiceError> {
    match s {
        "admin" => Ok(Role::Admin),
        "team" => Ok(Role::Team),
        "engineer" => Ok(Role::Engineer),
        "collaborator" => Ok(Role::Collaborator),
        "reporter" => Ok(Role::Reporter),
        other => Err(ServiceError::Invalid {
            field: "role",
            reason: format!(
                "unknown role {other:?}; use admin, team, engineer, collaborator or reporter"
            ),
        }),
    }
}

fn actor_of(user: &UserRecord) -> Result<Actor, ServiceError> {
    let role = parse_role(&user.role).map_err(|_| {
        ServiceError::Unexpected(anyhow::anyhow!("stored role {:?} is unknown", user.role))
    })?;
    Ok(Actor {
        id: UserId::from_uuid(user.id),
        role,
    })
}

/// A new account and its one-time password.
#[derive(Debug)]
pub struct CreatedAccount {
    pub id: UserId,
    pub password: SecretString,
}

/// Creates an account with a generated password, shown once to whoever created it.
pub async fn create_account(
    app: &App,
    username: &str,
    email: &str,
    display_name: &str,
    role: Role,
) -> Result<CreatedAccount, ServiceError> {
    let username = username.trim();
    if username.is_empty()
        || username.len() > 64
        || !username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
    {
        return Err(ServiceError::Invalid {
            field: "username",
            reason: "use 1 to 64 letters, digits, '.', '_' or '-'".to_owned(),
        });
    }
    let email = embargo_domain::ReporterEmail::parse(email).map_err(|e| ServiceError::Invalid {
        field: "email",
        reason: e.to_string(),
    })?;
    let password = auth::generate_password(24);
    let hash = auth::hash_password(&password)?;
    let mut conn = app.db.acquire().await?;
    let id = users::insert(
        &mut conn,
        &NewUser {
            username,
            email: email.as_ref(),
            display_name: if display_name.trim().is_empty() {
                username
            } else {
                display_name.trim()
            },
            role: role.as_str(),
            password_hash: Some(&hash),
            must_change_password: true,
        },
        app.clock.now(),
    )
    .await
    .map_err(|e| match e.violation() {
        Some(Violation::Unique) => {
            ServiceError::Conflict("an account with this username or email exists".to_owned())
        }
        _ => e.into(),
    })?;
    Ok(CreatedAccount {
        id: UserId::from_uuid(id),
        password,
    })
}

pub async fn list_accounts(app: &App) -> Result<Vec<UserRecord>, ServiceError> {
    let mut conn = app.db.acquire().await?;
    Ok(users::list(&mut conn).await?)
}

fn require_admin(who: &Principal) -> Result<(), ServiceError> {
    who.require(Scope::Admin)?;
    if who.actor.role == Role::Admin {
        Ok(())
    } else {
        Err(ServiceError::Forbidden)
    }
}

/// Every account but the system's, for an admin.
pub async fn accounts_for_admin(
    app: &App,
    who: &Principal,
) -> Result<Vec<UserRecord>, ServiceError> {
    require_admin(who)?;
    Ok(list_accounts(app)
        .await?
        .into_iter()
        .filter(|u| u.id != users::SYSTEM_USER_ID)
        .collect())
}

/// [`create_account`] by an admin (audited as `account-created:<username>`).
pub async fn create_account_as(
    app: &App,
    who: &Principal,
    username: &str,
    email: &str,
    display_name: &str,
    role: Role,
) -> Result<CreatedAccount, ServiceError> {
    require_admin(who)?;
    let created = create_account(app, username, email, display_name, role).await?;
    let mut conn = app.db.acquire().await?;
    crate::settings::audit(
        &mut conn,
        who,
        format!("account-created:{}", username.trim()),
        None,
        Some(serde_json::json!({ "role": role.as_str(), "email": email.trim() })),
        app.clock.now(),
    )
    .await?;
    Ok(created)
}

/// A change an admin makes to an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountChange {
    Role(Role),
    Disabled(bool),
}

/// Changes another account's role or disables/enables it; admins only, audited
/// (`account-changed:<username>`). An admin cannot change their own account this way, and the
/// last enabled admin stays an enabled admin.
pub async fn change_account(
    app: &App,
    who: &Principal,
    username: &str,
    change: AccountChange,
) -> Result<UserRecord, ServiceError> {
    require_admin(who)?;
    let now = app.clock.now();
    let mut tx = app.db.begin().await.context("changing an account")?;
    let user = users::find_by_username(&mut tx, username)
        .await?
        .filter(|u| u.id != users::SYSTEM_USER_ID)
        .ok_or(ServiceError::NotFound)?;
    if UserId::from_uuid(user.id) == who.actor.id {
        return Err(ServiceError::Invalid {
            field: "username",
            reason: "you cannot change your own role or disable your own account".to_owned(),
        });
    }
    let before = serde_json::json!({ "role": user.role, "disabled": user.disabled });
    match change {
        AccountChange::Role(role) => {
            users::set_role(&mut tx, user.id, role.as_str()).await?;
        }
        AccountChange::Disabled(disabled) => {
            users::set_disabled(&mut tx, user.id, disabled).await?;
        }
    }
    if users::count_enabled_admins(&mut tx).await? == 0 {
        return Err(ServiceError::Conflict(
            "this would leave no enabled admin account".to_owned(),
        ));
    }
    let changed = users::get(&mut tx, user.id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let after = serde_json::json!({ "role": changed.role, "disabled": changed.disabled });
    crate::settings::audit(
        &mut tx,
        who,
        format!("account-changed:{}", changed.username),
        Some(before),
        Some(after),
        now,
    )
    .await?;
    tx.commit().await.context("committing an account change")?;
    tracing::info!(user = %changed.id, by = %who.actor.id, "account changed");
    Ok(changed)
}

/// Creates an API token for `username`; returns the secret, which is never shown again.
pub async fn create_token(
    app: &App,
    username: &str,
    name: &str,
    scopes: &Scopes,
) -> Result<SecretString, ServiceError> {
    let mut conn = app.db.acquire().await?;
    let user = users::find_by_username(&mut conn, username)
        .await?
        .ok_or(ServiceError::NotFound)?;
    if user.disabled {
        return Err(ServiceError::Invalid {
            field: "username",
            reason: "the account is disabled".to_owned(),
        });
    }
    if scopes.contains(Scope::Admin) && user.role != "admin" {
        return Err(ServiceError::Invalid {
            field: "scopes",
            reason: "only admins can hold the admin scope".to_owned(),
        });
    }
    let mut random = [0u8; 20];
    rand::rng().fill_bytes(&mut random);
    let secret = format!("emb_{}", base32_lower(&random));
    tokens::insert(
        &mut conn,
        &NewToken {
            user_id: user.id,
            name,
            secret_hash: &hash_secret(&secret),
            scopes: &scopes.to_string(),
            expires_at: None,
        },
        app.clock.now(),
    )
    .await?;
    Ok(SecretString::from(secret))
}

/// The caller's own API tokens (revoked ones included, oldest first).
pub async fn tokens_of(
    app: &App,
    who: &Principal,
) -> Result<Vec<tokens::TokenRecord>, ServiceError> {
    let mut conn = app.db.acquire().await?;
    Ok(tokens::list_for_user(&mut conn, *who.actor.id.as_uuid()).await?)
}

/// The principal behind a bearer token, or `Unauthenticated`.
pub async fn authenticate_token(
    app: &App,
    secret: &SecretString,
) -> Result<Principal, ServiceError> {
    let secret = secret.expose_secret();
    if !secret.starts_with("emb_") || secret.len() != 36 {
        return Err(ServiceError::Unauthenticated);
    }
    let mut conn = app.db.acquire().await?;
    let Some((token, user)) =
        tokens::authenticate(&mut conn, &hash_secret(secret), app.clock.now())
            .await
            .context("checking an API token")?
    else {
        return Err(ServiceError::Unauthenticated);
    };
    let mut scopes = Scopes::parse(&token.scopes)?;
    if user.role != "admin" {
        scopes.0.retain(|s| *s != Scope::Admin);
    }
    Ok(Principal {
        actor: actor_of(&user)?,
        username: user.username,
        scopes,
    })
}

/// The system account as a principal, for automated work (seeding, scheduled jobs): team role,
/// read and write scopes.
pub fn system_principal() -> Principal {
    Principal {
        actor: crate::intake::system_actor(),
        username: "system".to_owned(),
        scopes: Scopes(vec![Scope::Read, Scope::Write]),
    }
}

/// A signed-in user as a principal: every scope the role allows (a browser session is the
/// whole account).
pub fn principal_of(user: &UserRecord) -> Result<Principal, ServiceError> {
    let mut scopes = Scopes::all();
    if user.role != "admin" {
        scopes.0.retain(|s| *s != Scope::Admin);
    }
    Ok(Principal {
        actor: actor_of(user)?,
        username: user.username.clone(),
        scopes,
    })
}

/// The principal the operator's command line acts as: an existing, enabled account, with every
/// scope its role allows (whoever runs the CLI already holds the database).
pub async fn operator(app: &App, username: &str) -> Result<Principal, ServiceError> {
    let mut conn = app.db.acquire().await?;
    let user = users::find_by_username(&mut conn, username)
        .await?
        .ok_or_else(|| ServiceError::Invalid {
            field: "as",
            reason: format!("no account named {username:?}"),
        })?;
    let mut scopes = Scopes::all();
    if user.role != "admin" {
        scopes.0.retain(|s| *s != Scope::Admin);
    }
    Ok(Principal {
        actor: actor_of(&user)?,
        username: user.username,
        scopes,
    })
}

fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// RFC 4648 base32 without padding, lowercase.
fn base32_lower(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
    let mut out = String::with_capacity(bytes.len() * 8 / 5 + 1);
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(ALPHABET[((buffer >> bits) & 31) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(ALPHABET[((buffer << (5 - bits)) & 31) as usize]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base32_of_twenty_bytes_is_thirty_two_characters() {
        assert_eq!(base32_lower(&[0u8; 20]).len(), 32);
        assert_eq!(base32_lower(b"foobar"), "mzxw6ytboi");
    }

    #[test]
    fn scopes_parse_sorted_without_duplicates_and_refuse_unknown_names() {
        assert_eq!(
            Scopes::parse("write,read read").unwrap().to_string(),
            "read write"
        );
        assert!(Scopes::parse("read,root").is_err());
        assert!(Scopes::parse("").is_err());
    }
}
