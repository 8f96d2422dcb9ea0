//! Browser sign-in: password (argon2id) with an optional TOTP second factor, single-use sign-in
//! links for reporters, and server-side sessions.
//!
//! A session is a random 160-bit secret in a cookie; the store keeps its SHA-256. Every sign-in
//! creates a new session (so a session id planted before sign-in is worthless), sessions expire
//! after [`IDLE`] without use and at the latest [`ABSOLUTE`] after sign-in, and can be revoked
//! one by one or all at once (a password change revokes the others). Each session carries its
//! own CSRF synchronizer token that every form of that session echoes.
//!
//! A sign-in link is put in every mail to a reporter: single-use, valid for [`LINK_TTL`], and
//! only ever for a reporter account (a link never bypasses a team member's second factor).

use embargo_domain::Role;
use embargo_store::sessions::{self as store, NewSession as StoredSession, SessionRecord};
use embargo_store::users::{self, UserRecord};
use jiff::{SignedDuration, Timestamp};
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use totp_rs::{Algorithm, Builder, Secret, Totp};
use uuid::Uuid;

use crate::accounts::{self, Principal};
use crate::{App, ServiceError, auth};

/// A session unused for this long is over.
pub const IDLE: SignedDuration = SignedDuration::from_hours(8);
/// A session is over this long after sign-in, used or not.
pub const ABSOLUTE: SignedDuration = SignedDuration::from_hours(7 * 24);
/// How long a sign-in link in a mail stays valid.
pub const LINK_TTL: SignedDuration = SignedDuration::from_hours(14 * 24);
/// Passwords chosen by users are at least this long.
pub const MIN_PASSWORD: usize = 12;

/// A new session: the cookie secret (shown to the browser only) and its CSRF token.
#[derive(Debug)]
pub struct NewSession {
    pub secret: SecretString,
    pub csrf: String,
    pub expires_at: Timestamp,
}

/// The caller behind a session cookie.
#[derive(Debug, Clone)]
pub struct SessionAuth {
    pub principal: Principal,
    pub session_id: Uuid,
    pub csrf: String,
    pub must_change_password: bool,
    pub display_name: String,
    pub email: String,
}

/// Why a sign-in failed. Wrong username and wrong password are one answer.
#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    #[error("unknown username or wrong password")]
    BadCredentials,
    #[error("enter the 6-digit code from your authenticator app")]
    CodeRequired,
    #[error("the code is wrong or was already used")]
    BadCode,
    #[error(transparent)]
    Service(#[from] ServiceError),
}

fn random_secret(prefix: &str) -> String {
    let mut random = [0u8; 20];
    rand::rng().fill_bytes(&mut random);
    format!("{prefix}{}", hex::encode(random))
}

fn hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// A hash of a random password, verified when the username is unknown so that both failures
/// cost one argon2id verification.
static DUMMY_HASH: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    auth::hash_password(&auth::generate_password(24)).unwrap_or_default()
});

/// Signs in with a username and password, and the TOTP code when the account has a second
/// factor.
pub async fn login(
    app: &App,
    username: &str,
    password: &SecretString,
    code: Option<&str>,
    user_agent: &str,
) -> Result<NewSession, LoginError> {
    let mut conn = app.db.acquire().await.map_err(ServiceError::from)?;
    let user = users::find_by_username(&mut conn, username.trim())
        .await
        .map_err(ServiceError::from)?;
    let Some(user) = user.filter(|u| !u.disabled) else {
        let _ = auth::verify_password(password, &DUMMY_HASH);
        return Err(LoginError::BadCredentials);
    };
    let Some(stored) = user.password_hash.as_deref() else {
        let _ = auth::verify_password(password, &DUMMY_HASH);
        return Err(LoginError::BadCredentials);
    };
    if !auth::verify_password(password, stored) {
        return Err(LoginError::BadCredentials);
    }
    let now = app.clock.now();
    let totp = store::totp(&mut conn, user.id)
        .await
        .map_err(ServiceError::from)?;
    let method = match totp.filter(|t| t.confirmed) {
        Some(t) => {
            let code = code
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .ok_or(LoginError::CodeRequired)?;
            let step = matching_step(&t.secret, code, now).ok_or(LoginError::BadCode)?;
            if !store::use_totp_step(&mut conn, user.id, step, false, now)
                .await
                .map_err(ServiceError::from)?
            {
                return Err(LoginError::BadCode);
            }
            "password+totp"
        }
        None => "password",
    };
    Ok(start(&mut conn, &user, method, user_agent, now).await?)
}

async fn start(
    conn: &mut embargo_store::AnyConnection,
    user: &UserRecord,
    method: &str,
    user_agent: &str,
    now: Timestamp,
) -> Result<NewSession, ServiceError> {
    let secret = random_secret("ses_");
    let csrf = random_secret("");
    let expires_at = now + IDLE;
    let user_agent: String = user_agent.chars().take(200).collect();
    store::insert(
        conn,
        &StoredSession {
            user_id: user.id,
            secret_hash: &hash(&secret),
            csrf_token: &csrf,
            method,
            user_agent: &user_agent,
            expires_at,
            absolute_expires_at: now + ABSOLUTE,
        },
        now,
    )
    .await?;
    tracing::info!(user = %user.username, method, "signed in");
    Ok(NewSession {
        secret: SecretString::from(secret),
        csrf,
        expires_at,
    })
}

/// The caller behind a session cookie, or `Unauthenticated`. Moves the idle expiry forward.
pub async fn authenticate(app: &App, secret: &SecretString) -> Result<SessionAuth, ServiceError> {
    let secret = secret.expose_secret();
    if !secret.starts_with("ses_") || secret.len() != 44 {
        return Err(ServiceError::Unauthenticated);
    }
    let now = app.clock.now();
    let mut conn = app.db.acquire().await?;
    let Some((session, user)) = store::find_live(&mut conn, &hash(secret), now).await? else {
        return Err(ServiceError::Unauthenticated);
    };
    // Write the new expiry at most once a minute per session.
    if now.duration_since(session.last_seen_at) > SignedDuration::from_secs(60) {
        let expires = (now + IDLE).min(session.absolute_expires_at);
        store::touch(&mut conn, session.id, now, expires).await?;
    }
    let principal = accounts::principal_of(&user)?;
    Ok(SessionAuth {
        principal,
        session_id: session.id,
        csrf: session.csrf_token,
        must_change_password: user.must_change_password,
        display_name: user.display_name,
        email: user.email,
    })
}

/// The same session with the account read again (after the user changed it).
pub async fn authenticate_by_id(app: &App, who: &SessionAuth) -> Result<SessionAuth, ServiceError> {
    let mut conn = app.db.acquire().await?;
    let user = users::get(&mut conn, *who.principal.actor.id.as_uuid())
        .await?
        .filter(|u| !u.disabled)
        .ok_or(ServiceError::Unauthenticated)?;
    Ok(SessionAuth {
        principal: accounts::principal_of(&user)?,
        session_id: who.session_id,
        csrf: who.csrf.clone(),
        must_change_password: user.must_change_password,
        display_name: user.display_name,
        email: user.email,
    })
}

/// Ends the session with this cookie secret (signing out). Unknown secrets are ignored.
pub async fn logout(app: &App, who: &SessionAuth) -> Result<(), ServiceError> {
    let mut conn = app.db.acquire().await?;
    store::revoke(
        &mut conn,
        *who.principal.actor.id.as_uuid(),
        who.session_id,
        app.clock.now(),
    )
    .await?;
    Ok(())
}

/// The caller's live sessions, newest first.
pub async fn list(app: &App, who: &SessionAuth) -> Result<Vec<SessionRecord>, ServiceError> {
    let mut conn = app.db.acquire().await?;
    Ok(store::list_live(
        &mut conn,
        *who.principal.actor.id.as_uuid(),
        app.clock.now(),
    )
    .await?)
}

/// Revokes one of the caller's own sessions.
pub async fn revoke(app: &App, who: &SessionAuth, id: Uuid) -> Result<(), ServiceError> {
    let mut conn = app.db.acquire().await?;
    if store::revoke(
        &mut conn,
        *who.principal.actor.id.as_uuid(),
        id,
        app.clock.now(),
    )
    .await?
    {
        Ok(())
    } else {
        Err(ServiceError::NotFound)
    }
}

/// Changes the caller's password after checking the current one; every other session of the
/// account ends.
pub async fn change_password(
    app: &App,
    who: &SessionAuth,
    current: &SecretString,
    new: &SecretString,
) -> Result<(), ServiceError> {
    let user_id = *who.principal.actor.id.as_uuid();
    let mut conn = app.db.acquire().await?;
    let user = users::get(&mut conn, user_id)
        .await?
        .ok_or(ServiceError::Unauthenticated)?;
    let ok = user
        .password_hash
        .as_deref()
        .is_some_and(|h| auth::verify_password(current, h));
    if !ok {
        return Err(ServiceError::Invalid {
            field: "current_password",
            reason: "the current password is wrong".to_owned(),
        });
    }
    check_new_password(new, &user)?;
    let hashed = auth::hash_password(new)?;
    store::set_password(&mut conn, user_id, &hashed).await?;
    store::revoke_all(&mut conn, user_id, Some(who.session_id), app.clock.now()).await?;
    Ok(())
}

fn check_new_password(new: &SecretString, user: &UserRecord) -> Result<(), ServiceError> {
    let p = new.expose_secret();
    let invalid = |reason: &str| ServiceError::Invalid {
        field: "new_password",
        reason: reason.to_owned(),
    };
    if p.chars().count() < MIN_PASSWORD {
        return Err(invalid("use at least 12 characters"));
    }
    if p.len() > 1024 {
        return Err(invalid("use at most 1024 bytes"));
    }
    if p.eq_ignore_ascii_case(&user.username) || p.eq_ignore_ascii_case(&user.email) {
        return Err(invalid(
            "the password must not be the username or the email",
        ));
    }
    Ok(())
}

/// Creates a sign-in link secret for a reporter's account, valid for [`LINK_TTL`]; the caller
/// puts it into a mail in the same transaction.
pub async fn issue_link(
    conn: &mut embargo_store::AnyConnection,
    user_id: Uuid,
    now: Timestamp,
) -> Result<SecretString, ServiceError> {
    let secret = random_secret("lnk_");
    store::insert_link(conn, user_id, &hash(&secret), now, now + LINK_TTL).await?;
    Ok(SecretString::from(secret))
}

/// Signs in with a sign-in link: it works once, before it expires, and only for a reporter's
/// account.
pub async fn redeem_link(
    app: &App,
    secret: &SecretString,
    user_agent: &str,
) -> Result<NewSession, ServiceError> {
    let secret = secret.expose_secret();
    if !secret.starts_with("lnk_") || secret.len() != 44 {
        return Err(ServiceError::Unauthenticated);
    }
    let now = app.clock.now();
    let mut tx = app.db.begin().await?;
    let user_id = store::redeem_link(&mut tx, &hash(secret), now)
        .await?
        .ok_or(ServiceError::Unauthenticated)?;
    let user = users::get(&mut tx, user_id)
        .await?
        .filter(|u| !u.disabled && u.role == Role::Reporter.as_str())
        .ok_or(ServiceError::Unauthenticated)?;
    let session = start(&mut tx, &user, "link", user_agent, now).await?;
    tx.commit().await.map_err(embargo_store::StoreError::from)?;
    Ok(session)
}

/// A second factor being set up: the secret in base32 and as an `otpauth://` URL.
#[derive(Debug)]
pub struct TotpSetup {
    pub secret: SecretString,
    pub url: SecretString,
}

fn totp_for(secret: &[u8], issuer: &str, account: &str) -> Result<Totp, ServiceError> {
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_skew(1)
        .with_step_duration(30)
        .with_secret(secret.to_vec())
        .with_issuer(Some(issuer.replace(':', " ")))
        .with_account_name(account.replace(':', " "))
        .build()
        .map_err(|e| ServiceError::Unexpected(anyhow::anyhow!("TOTP parameters: {e:?}")))
}

/// The time step (30 s) whose code is `code`, among the current one and one either side.
fn matching_step(secret_b32: &str, code: &str, now: Timestamp) -> Option<i64> {
    let bytes = Secret::try_from_base32(secret_b32).ok()?;
    let totp = totp_for(bytes.as_bytes(), "embargo", "user").ok()?;
    let now = u64::try_from(now.as_second()).ok()?;
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    totp.check(code, now)
        .and_then(|step| i64::try_from(step).ok())
}

/// The TOTP code for `secret_b32` at `at`: what an authenticator app shows.
pub fn totp_code(secret_b32: &str, at: Timestamp) -> Result<String, ServiceError> {
    let bytes = Secret::try_from_base32(secret_b32).map_err(|e| ServiceError::Invalid {
        field: "secret",
        reason: format!("{e:?}"),
    })?;
    let at = u64::try_from(at.as_second()).map_err(|_| ServiceError::Invalid {
        field: "at",
        reason: "before 1970".to_owned(),
    })?;
    Ok(totp_for(bytes.as_bytes(), "embargo", "user")?
        .generate(at)
        .to_string())
}

/// Starts setting up a second factor: a new secret that protects sign-in only once confirmed
/// with a code ([`totp_confirm`]). Replaces an unconfirmed one; refused while one is active.
pub async fn totp_begin(
    app: &App,
    who: &SessionAuth,
    issuer: &str,
) -> Result<TotpSetup, ServiceError> {
    let user_id = *who.principal.actor.id.as_uuid();
    let mut conn = app.db.acquire().await?;
    if store::totp(&mut conn, user_id)
        .await?
        .is_some_and(|t| t.confirmed)
    {
        return Err(ServiceError::Conflict(
            "a second factor is already active; remove it first".to_owned(),
        ));
    }
    let mut raw = [0u8; 20];
    rand::rng().fill_bytes(&mut raw);
    let encoded = Secret::from(raw).to_base32();
    store::set_totp(&mut conn, user_id, &encoded, app.clock.now()).await?;
    let url = totp_for(&raw, issuer, &who.principal.username)?
        .to_url()
        .map_err(|e| ServiceError::Unexpected(anyhow::anyhow!("TOTP URL: {e:?}")))?;
    Ok(TotpSetup {
        secret: SecretString::from(encoded),
        url: SecretString::from(url),
    })
}

/// Confirms the second factor with a code from the app; from now on sign-in asks for one.
pub async fn totp_confirm(app: &App, who: &SessionAuth, code: &str) -> Result<(), ServiceError> {
    let user_id = *who.principal.actor.id.as_uuid();
    let now = app.clock.now();
    let mut conn = app.db.acquire().await?;
    let pending = store::totp(&mut conn, user_id)
        .await?
        .filter(|t| !t.confirmed)
        .ok_or_else(|| ServiceError::Invalid {
            field: "code",
            reason: "start setting up the second factor first".to_owned(),
        })?;
    let bad_code = || ServiceError::Invalid {
        field: "code",
        reason: "the code does not match; check the time on your device and try again".to_owned(),
    };
    let step = matching_step(&pending.secret, code.trim(), now).ok_or_else(bad_code)?;
    if !store::use_totp_step(&mut conn, user_id, step, true, now).await? {
        return Err(bad_code());
    }
    tracing::info!(user = %who.principal.username, "second factor enabled");
    Ok(())
}

/// Removes the caller's second factor after checking their password.
pub async fn totp_remove(
    app: &App,
    who: &SessionAuth,
    password: &SecretString,
) -> Result<(), ServiceError> {
    let user_id = *who.principal.actor.id.as_uuid();
    let mut conn = app.db.acquire().await?;
    let user = users::get(&mut conn, user_id)
        .await?
        .ok_or(ServiceError::Unauthenticated)?;
    if !user
        .password_hash
        .as_deref()
        .is_some_and(|h| auth::verify_password(password, h))
    {
        return Err(ServiceError::Invalid {
            field: "password",
            reason: "the password is wrong".to_owned(),
        });
    }
    store::delete_totp(&mut conn, user_id).await?;
    Ok(())
}

/// Whether the caller's account has an active second factor.
pub async fn totp_active(app: &App, who: &SessionAuth) -> Result<bool, ServiceError> {
    let mut conn = app.db.acquire().await?;
    Ok(store::totp(&mut conn, *who.principal.actor.id.as_uuid())
        .await?
        .is_some_and(|t| t.confirmed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rfc_6238_sha1_vector_matches() {
        // RFC 6238 appendix B: secret "12345678901234567890", T = 59 s → 94287082 (8 digits);
        // the 6-digit code is its last six digits.
        let secret = Secret::from(b"12345678901234567890".to_vec()).to_base32();
        let at = Timestamp::from_second(59).expect("valid");
        assert_eq!(totp_code(&secret, at).expect("code"), "287082");
        assert_eq!(matching_step(&secret, "287082", at), Some(1));
        assert_eq!(matching_step(&secret, "287083", at), None);
        // One step of clock skew either way is accepted, two are not.
        let later = Timestamp::from_second(59 + 30).expect("valid");
        assert_eq!(matching_step(&secret, "287082", later), Some(1));
        let much_later = Timestamp::from_second(59 + 60).expect("valid");
        assert_eq!(matching_step(&secret, "287082", much_later), None);
    }

    #[test]
    fn the_dummy_hash_is_an_argon2id_hash_that_matches_nothing_guessable() {
        assert!(DUMMY_HASH.starts_with("$argon2id$"), "{}", *DUMMY_HASH);
        assert!(!auth::verify_password(&SecretString::from(""), &DUMMY_HASH));
    }
}
