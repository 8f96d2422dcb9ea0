//! First start: the first admin account.

use anyhow::Context;
use embargo_store::users::{self, NewUser};
use secrecy::SecretString;

use crate::{App, ServiceError, auth};

/// The first admin, created on an empty database. The password is shown once, to whoever
/// started the server, and is never stored or logged in clear.
#[derive(Debug)]
pub struct FirstAdmin {
    pub username: String,
    pub password: SecretString,
}

/// Creates the first admin account when no account exists. Returns `None` when there are
/// accounts already, including when another instance created the admin a moment ago.
pub async fn ensure_first_admin(
    app: &App,
    email: &str,
) -> Result<Option<FirstAdmin>, ServiceError> {
    let mut conn = app.db.acquire().await?;
    if users::count_admins(&mut conn).await? > 0 {
        return Ok(None);
    }
    let password = auth::generate_password(24);
    let hash = auth::hash_password(&password)?;
    let created = users::insert_first_admin(
        &mut conn,
        &NewUser {
            username: "admin",
            email,
            display_name: "Administrator",
            role: "admin",
            password_hash: Some(&hash),
            must_change_password: true,
        },
        app.clock.now(),
    )
    .await
    .context("creating the first admin")?;
    Ok(created.map(|_| FirstAdmin {
        username: "admin".to_owned(),
        password,
    }))
}
