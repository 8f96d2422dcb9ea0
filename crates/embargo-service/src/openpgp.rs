//! OpenPGP in the process: the team key (generated or imported by an admin), reporters' keys,
//! decryption of received mail for the team view, encryption of mail to reporters who gave a
//! key, and the signed `security.txt`. Every cryptographic operation is `embargo-pgp`'s.
//!
//! The team's secret key is stored in the database, armored and unprotected, so that every
//! `embargo serve` instance on one database can decrypt and sign: protect the database (and its
//! backups) accordingly.

use anyhow::Context;
use embargo_domain::Role;
use embargo_pgp::{PublicKey, TeamKey};
use embargo_store::{AnyConnection, openpgp as store};
use jiff::Timestamp;

use crate::accounts::{Principal, Scope};
use crate::{App, ServiceError};

fn require_admin(who: &Principal) -> Result<(), ServiceError> {
    who.require(Scope::Admin)?;
    if who.actor.role == Role::Admin {
        Ok(())
    } else {
        Err(ServiceError::Forbidden)
    }
}

/// Generates a new team key (Ed25519 signing, X25519 encryption) for `user_id` (default: the
/// team name and security address) and makes it current. Returns its fingerprint.
pub async fn generate_team_key(
    app: &App,
    who: &Principal,
    user_id: Option<&str>,
) -> Result<String, ServiceError> {
    require_admin(who)?;
    let default = format!("{} <{}>", app.mail.team_name, app.mail.from);
    let now = app.clock.now();
    let key =
        TeamKey::generate(user_id.unwrap_or(&default), now).map_err(|e| ServiceError::Invalid {
            field: "user_id",
            reason: e.to_string(),
        })?;
    store_team_key(app, &key, now).await?;
    tracing::info!(
        fingerprint = key.fingerprint(),
        "team OpenPGP key generated"
    );
    Ok(key.fingerprint().to_owned())
}

/// Imports an armored secret key as the current team key. Returns its fingerprint.
pub async fn import_team_key(
    app: &App,
    who: &Principal,
    armored: &str,
) -> Result<String, ServiceError> {
    require_admin(who)?;
    let now = app.clock.now();
    let key = TeamKey::from_armored(armored, now).map_err(|e| ServiceError::Invalid {
        field: "key",
        reason: e.to_string(),
    })?;
    store_team_key(app, &key, now).await?;
    tracing::info!(fingerprint = key.fingerprint(), "team OpenPGP key imported");
    Ok(key.fingerprint().to_owned())
}

async fn store_team_key(app: &App, key: &TeamKey, now: Timestamp) -> Result<(), ServiceError> {
    let mut tx = app.db.begin().await.context("storing the team key")?;
    store::put_team_key(
        &mut tx,
        key.fingerprint(),
        key.to_armored_secret(),
        key.public_armored(),
        now,
    )
    .await?;
    tx.commit().await.context("committing the team key")?;
    Ok(())
}

/// The team's keys, the current one first (earlier ones still decrypt older mail). A stored key
/// that no longer loads is skipped with a warning.
pub(crate) async fn team_keys(
    conn: &mut AnyConnection,
    now: Timestamp,
) -> Result<Vec<TeamKey>, ServiceError> {
    let mut keys = Vec::new();
    for stored in store::team_secret_keys(conn).await? {
        match TeamKey::from_armored(&stored.armored, now) {
            Ok(key) => keys.push(key),
            Err(e) => {
                tracing::warn!(fingerprint = %stored.fingerprint, error = %e, "stored team key unusable")
            }
        }
    }
    Ok(keys)
}

/// The current team key, if there is one.
pub async fn team_key(app: &App) -> Result<Option<TeamKey>, ServiceError> {
    let mut conn = app.db.acquire().await?;
    Ok(team_keys(&mut conn, app.clock.now())
        .await?
        .into_iter()
        .next())
}

/// The current team public key, armored, with its fingerprint; public information.
pub async fn team_public_key(app: &App) -> Result<Option<(String, String)>, ServiceError> {
    let mut conn = app.db.acquire().await?;
    Ok(store::team_public_key(&mut conn)
        .await?
        .map(|k| (k.fingerprint, k.armored)))
}

/// Records the public key of the reporter at `email` when it is usable and names that address.
/// Returns what happened, in words for the team.
pub(crate) async fn learn_reporter_key(
    conn: &mut AnyConnection,
    email: &str,
    key: &PublicKey,
    source: &str,
    now: Timestamp,
) -> Result<String, ServiceError> {
    if !key.emails().iter().any(|e| e.eq_ignore_ascii_case(email)) {
        return Ok(format!(
            "an OpenPGP key ({}) for other addresses was attached; not used for {email}",
            key.fingerprint()
        ));
    }
    if !key.can_encrypt() {
        return Ok(format!(
            "the attached OpenPGP key {} cannot encrypt; not used",
            key.fingerprint()
        ));
    }
    store::put_reporter_key(
        conn,
        email,
        key.fingerprint(),
        key.to_armored(),
        source,
        now,
    )
    .await?;
    Ok(format!(
        "OpenPGP key {} recorded for {email}: mail to them is encrypted from now on",
        key.fingerprint()
    ))
}

/// The usable public key of the reporter at `email`.
pub(crate) async fn reporter_key(
    conn: &mut AnyConnection,
    email: &str,
    now: Timestamp,
) -> Result<Option<PublicKey>, ServiceError> {
    let Some(stored) = store::reporter_key(conn, email).await? else {
        return Ok(None);
    };
    match PublicKey::from_armored(&stored.armored, now) {
        Ok(key) if key.can_encrypt() => Ok(Some(key)),
        Ok(_) => Ok(None),
        Err(e) => {
            tracing::warn!(fingerprint = %stored.fingerprint, error = %e, "reporter key no longer usable");
            Ok(None)
        }
    }
}

/// Sets a reporter's key by hand (an admin or the team, e.g. from the reporter's web page).
pub async fn set_reporter_key(
    app: &App,
    who: &Principal,
    email: &str,
    armored: &str,
) -> Result<String, ServiceError> {
    who.require(Scope::Write)?;
    if !matches!(who.actor.role, Role::Admin | Role::Team) {
        return Err(ServiceError::Forbidden);
    }
    let now = app.clock.now();
    let key = PublicKey::from_armored(armored, now).map_err(|e| ServiceError::Invalid {
        field: "key",
        reason: e.to_string(),
    })?;
    let mut conn = app.db.acquire().await?;
    let outcome = learn_reporter_key(&mut conn, email, &key, "team", now).await?;
    Ok(outcome)
}

/// `/.well-known/security.txt` (RFC 9116): the contacts, expiry, acknowledgments, languages
/// and hiring URL of the settings ([`crate::settings::SecurityTxt`]), the team key's URL, the
/// disclosure policy, the CSAF provider metadata once an advisory is published, and the
/// canonical URL; cleartext-signed with the team key when there is one.
pub async fn security_txt(app: &App, public_url: &str) -> Result<String, ServiceError> {
    let base = public_url.trim_end_matches('/');
    let fields = crate::settings::security_txt(app).await?;
    let expires = app
        .clock
        .now()
        .checked_add(jiff::SignedDuration::from_hours(
            24 * i64::from(fields.expires_days),
        ))
        .context("expiry date")?;
    let key = team_key(app).await?;
    let mut text = String::new();
    for contact in fields.contacts_or_default(&app.mail.from) {
        text.push_str(&format!("Contact: {contact}\n"));
    }
    text.push_str(&format!(
        "Expires: {}\n",
        expires.strftime("%Y-%m-%dT%H:%M:%SZ")
    ));
    if key.is_some() {
        text.push_str(&format!("Encryption: {base}/.well-known/openpgp-key.asc\n"));
    }
    if let Some(url) = &fields.acknowledgments {
        text.push_str(&format!("Acknowledgments: {url}\n"));
    }
    text.push_str(&format!("Policy: {base}/disclosure-policy\n"));
    // CSAF 2.0 section 7.1.8: security.txt names the provider metadata once there is a
    // published advisory to find through it.
    let published = {
        let mut conn = app.db.acquire().await?;
        crate::public::any_published(&mut conn, app.clock.now()).await?
    };
    if published {
        text.push_str(&format!(
            "CSAF: {base}/.well-known/csaf/provider-metadata.json\n"
        ));
    }
    if !fields.preferred_languages.is_empty() {
        text.push_str(&format!(
            "Preferred-Languages: {}\n",
            fields.preferred_languages.join(", ")
        ));
    }
    if let Some(url) = &fields.hiring {
        text.push_str(&format!("Hiring: {url}\n"));
    }
    text.push_str(&format!("Canonical: {base}/.well-known/security.txt\n"));
    match key {
        Some(key) => key
            .sign_cleartext(&text)
            .map_err(|e| ServiceError::Unexpected(anyhow::anyhow!("signing security.txt: {e}"))),
        None => Ok(text),
    }
}
