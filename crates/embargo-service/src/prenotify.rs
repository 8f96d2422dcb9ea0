//! The pre-notification list: who (e.g. distributors) hears of an advisory before its embargo
//! lifts, and the job that tells them.
//!
//! The team keeps the list ([`add`], [`list`], [`remove`]); an entry may be limited to some
//! products and may carry an OpenPGP key, and then the notice is encrypted to it and signed by
//! the team key. [`notify_due`] (run by `serve` with the publisher, every second) mails every
//! entry the advisory of each case whose embargo lifts within the policy's `prenotify` time
//! (`[disclosure]`), once per case, entry and embargo instant: a moved embargo is announced
//! again. The notice is rendered and queued, and recorded, in one transaction; several instances
//! can run the job at once, since the record is unique. Nothing is sent for a published
//! advisory, a disclosed or rejected case, or an embargo already past.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::Context;
use embargo_domain::{CaseId, ProductId, ReporterEmail, Role};
use embargo_export::model as export;
use embargo_pgp::PublicKey;
use embargo_store::prenotify as store;
use jiff::Timestamp;
use uuid::Uuid;

use crate::accounts::{Principal, Scope, system_principal};
use crate::cases::{self, CaseRef};
use crate::mail::outbound::{self, Outgoing};
use crate::mail::templates::MailKind;
use crate::{App, ServiceError};

/// A new entry of the list, as the API, the pages and the CLI pass it.
#[derive(Debug, Clone, Default)]
pub struct NewRecipient {
    pub name: String,
    pub email: String,
    /// Product names; empty: every product.
    pub products: Vec<String>,
    /// An ASCII-armoured OpenPGP public key that can encrypt.
    pub public_key: Option<String>,
}

/// An entry as the team sees it.
#[derive(Debug, Clone)]
pub struct RecipientView {
    pub recipient: store::Recipient,
    /// The names of its products; empty: every product.
    pub products: Vec<String>,
    pub key_fingerprint: Option<String>,
}

/// One notice about a case.
#[derive(Debug, Clone)]
pub struct NoticeView {
    pub recipient: String,
    pub email: String,
    pub embargo: Timestamp,
    pub advisory: String,
    pub sent: bool,
    /// Why it was not sent.
    pub note: Option<String>,
    pub at: Timestamp,
}

fn require_team(who: &Principal, scope: Scope) -> Result<(), ServiceError> {
    who.require(scope)?;
    if matches!(who.actor.role, Role::Admin | Role::Team) {
        Ok(())
    } else {
        Err(ServiceError::Forbidden)
    }
}

fn invalid(field: &'static str, reason: impl Into<String>) -> ServiceError {
    ServiceError::Invalid {
        field,
        reason: reason.into(),
    }
}

/// Adds an entry to the list. The team only.
pub async fn add(
    app: &App,
    who: &Principal,
    new: &NewRecipient,
) -> Result<RecipientView, ServiceError> {
    require_team(who, Scope::Write)?;
    let name = new.name.trim();
    if name.is_empty() {
        return Err(invalid("name", "must not be empty"));
    }
    if name.len() > 200 || name.chars().any(char::is_control) {
        return Err(invalid(
            "name",
            "at most 200 bytes on one line without control characters",
        ));
    }
    let email = ReporterEmail::parse(&new.email).map_err(|e| invalid("email", e.to_string()))?;
    let now = app.clock.now();
    let key = match new.public_key.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(armored) => {
            let key = PublicKey::from_armored(armored, now)
                .map_err(|e| invalid("public_key", e.to_string()))?;
            if !key.can_encrypt() {
                return Err(invalid(
                    "public_key",
                    format!("the key {} cannot encrypt", key.fingerprint()),
                ));
            }
            Some(key)
        }
    };
    let mut tx = app.db.begin().await.context("starting a transaction")?;
    let catalog = embargo_store::catalog::load(&mut tx)
        .await
        .context("loading the catalog")?;
    let mut products = Vec::new();
    for wanted in new
        .products
        .iter()
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
    {
        let product = catalog
            .products
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(wanted))
            .ok_or_else(|| {
                let known: Vec<&str> = catalog.products.iter().map(|p| p.name.as_str()).collect();
                invalid(
                    "products",
                    format!("no product {wanted:?}; one of {}", known.join(", ")),
                )
            })?;
        if !products.contains(product.id.as_uuid()) {
            products.push(*product.id.as_uuid());
        }
    }
    let recipient = store::Recipient {
        id: Uuid::now_v7(),
        name: name.to_owned(),
        email: email.as_ref().to_ascii_lowercase(),
        products,
        public_key: key.as_ref().map(|k| k.to_armored().to_owned()),
        active: true,
        created_at: now,
        created_by: *who.actor.id.as_uuid(),
    };
    match store::insert_recipient(&mut tx, &recipient).await {
        Ok(()) => {}
        Err(e) if e.violation() == Some(embargo_store::Violation::Unique) => {
            return Err(ServiceError::Conflict(format!(
                "{} is on the list already",
                recipient.email
            )));
        }
        Err(e) => return Err(e.into()),
    }
    tx.commit().await.context("committing the entry")?;
    tracing::info!(recipient = %recipient.id, "pre-notification entry added");
    Ok(view(&catalog, recipient, now))
}

fn view(
    catalog: &embargo_domain::Catalog,
    recipient: store::Recipient,
    now: Timestamp,
) -> RecipientView {
    let products = recipient
        .products
        .iter()
        .map(|id| {
            catalog
                .products
                .iter()
                .find(|p| p.id.as_uuid() == id)
                .map_or_else(|| id.to_string(), |p| p.name.clone())
        })
        .collect();
    let key_fingerprint = recipient
        .public_key
        .as_deref()
        .and_then(|k| PublicKey::from_armored(k, now).ok())
        .map(|k| k.fingerprint().to_owned());
    RecipientView {
        recipient,
        products,
        key_fingerprint,
    }
}

/// The list, by name. The team only.
pub async fn list(app: &App, who: &Principal) -> Result<Vec<RecipientView>, ServiceError> {
    require_team(who, Scope::Read)?;
    let mut conn = app.db.acquire().await?;
    let catalog = embargo_store::catalog::load(&mut conn)
        .await
        .context("loading the catalog")?;
    let now = app.clock.now();
    Ok(store::recipients(&mut conn, false)
        .await?
        .into_iter()
        .map(|r| view(&catalog, r, now))
        .collect())
}

/// Takes an entry off the list (its past notices stay). The team only.
pub async fn remove(app: &App, who: &Principal, id: &str) -> Result<(), ServiceError> {
    require_team(who, Scope::Write)?;
    let id = Uuid::parse_str(id.trim())
        .map_err(|_| invalid("id", format!("{id:?} is not an entry id")))?;
    let mut conn = app.db.acquire().await?;
    if store::remove_recipient(&mut conn, id).await? {
        tracing::info!(recipient = %id, "pre-notification entry removed");
        Ok(())
    } else {
        Err(ServiceError::NotFound)
    }
}

/// The notices about a case, oldest first. The team only; a case the caller may not see is
/// `NotFound`.
pub async fn notices(
    app: &App,
    who: &Principal,
    case: CaseRef,
) -> Result<Vec<NoticeView>, ServiceError> {
    let id = cases::get(app, who, case).await?.case.id;
    require_team(who, Scope::Read)?;
    let mut conn = app.db.acquire().await?;
    let everyone: BTreeMap<Uuid, store::Recipient> = store::recipients(&mut conn, true)
        .await?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    Ok(store::notices_of_case(&mut conn, id)
        .await?
        .into_iter()
        .map(|n| {
            let r = everyone.get(&n.recipient);
            NoticeView {
                recipient: r.map_or_else(String::new, |r| r.name.clone()),
                email: r.map_or_else(String::new, |r| r.email.clone()),
                embargo: n.embargo,
                advisory: n.advisory,
                sent: n.outbox.is_some(),
                note: n.note,
                at: n.created_at,
            }
        })
        .collect())
}

/// Mails the list about every case whose embargo lifts within the policy's pre-notification
/// time (see the module documentation). Returns the number of notices queued.
pub async fn notify_due(app: &App) -> Result<usize, ServiceError> {
    let now = app.clock.now();
    let until = now
        .checked_add(app.policy().disclosure().prenotify)
        .unwrap_or(Timestamp::MAX);
    let due = {
        let mut conn = app.db.acquire().await?;
        if store::recipients(&mut conn, false).await?.is_empty() {
            return Ok(0);
        }
        store::cases_in_window(&mut conn, now, until).await?
    };
    let mut queued = 0;
    for (case, embargo) in due {
        match notify_case(app, case, embargo, now).await {
            Ok(n) => queued += n,
            // Another instance recorded the same notices first: its mails stand.
            Err(ServiceError::Conflict(_)) => {}
            Err(e) => tracing::warn!(case = %case, error = %e, "pre-notification not sent"),
        }
    }
    Ok(queued)
}

async fn notify_case(
    app: &App,
    case: CaseId,
    embargo: Timestamp,
    now: Timestamp,
) -> Result<usize, ServiceError> {
    let mut tx = app.db.begin().await.context("starting a transaction")?;
    let told: BTreeSet<Uuid> = store::notices_of_case(&mut tx, case)
        .await?
        .into_iter()
        .filter(|n| n.embargo == embargo)
        .map(|n| n.recipient)
        .collect();
    let pending: Vec<store::Recipient> = store::recipients(&mut tx, false)
        .await?
        .into_iter()
        .filter(|r| !told.contains(&r.id))
        .collect();
    if pending.is_empty() {
        return Ok(0);
    }
    // Checked again inside the transaction: the embargo may have moved, the advisory may be out.
    let current = cases::get_in(&mut tx, &system_principal(), case).await?;
    if current.embargo != Some(embargo) || embargo <= now {
        return Ok(0);
    }
    let Some(advisory) = embargo_store::advisories::get_by_case(&mut tx, case).await? else {
        return Ok(0);
    };
    if advisory.published().is_some() {
        return Ok(0);
    }
    let catalog = embargo_store::catalog::load(&mut tx)
        .await
        .context("loading the catalog")?;
    let products: BTreeSet<ProductId> = current
        .affected
        .iter()
        .filter(|(_, s)| s.is_affected())
        .filter_map(|(line, _)| catalog.line(*line).map(|p| p.product.id))
        .collect();
    let model = crate::advisories::export_model(&mut tx, &advisory, now).await?;
    let team = crate::openpgp::team_keys(&mut tx, now)
        .await?
        .into_iter()
        .next();
    let template = outbound::load_template(&mut tx, MailKind::PreNotification).await?;
    let settings = &app.mail;
    let mut values = BTreeMap::new();
    values.insert("team_name", settings.team_name.clone());
    values.insert("security_address", settings.from.clone());
    values.insert("advisory_id", advisory.public_id.clone());
    values.insert(
        "cve",
        model
            .cve
            .clone()
            .unwrap_or_else(|| "not assigned yet".to_owned()),
    );
    values.insert("title", model.title.clone());
    values.insert(
        "severity",
        current.score().map_or_else(
            || "not scored".to_owned(),
            |s| format!("{s} {}", s.severity()),
        ),
    );
    values.insert(
        "embargo",
        embargo.strftime("%Y-%m-%d %H:%M UTC").to_string(),
    );
    values.insert("versions", versions(&model));
    values.insert("summary", model.summary.clone());
    values.insert("description", model.description_md.clone());
    values.insert(
        "workarounds",
        model
            .workarounds_md
            .clone()
            .unwrap_or_else(|| "None known.".to_owned()),
    );

    let mut queued = 0;
    for r in pending {
        if !r.products.is_empty()
            && !r
                .products
                .iter()
                .any(|p| products.contains(&ProductId::from_uuid(*p)))
        {
            continue;
        }
        let mut values = values.clone();
        values.insert("recipient_name", r.name.clone());
        let (subject, body) = template.render(&values);
        let (outbox, note) = match encryption(team.as_ref(), &r, now) {
            Err(note) => (None, Some(note)),
            Ok(key) => {
                let subject = match key {
                    Some(_) => format!("[EMBARGOED] Encrypted message from {}", settings.team_name),
                    None => subject,
                };
                let message_id =
                    format!("emb.pre.{}@{}", Uuid::now_v7().simple(), settings.domain());
                let encrypt = match (&team, &key) {
                    (Some(team), Some(key)) => Some((team, key)),
                    _ => None,
                };
                match outbound::render(
                    settings,
                    &Outgoing {
                        to: &r.email,
                        to_name: Some(&r.name),
                        reply_to: &settings.from,
                        subject: &subject,
                        body: &body,
                        message_id: &message_id,
                        in_reply_to: None,
                        date: now,
                    },
                    encrypt,
                ) {
                    Err(e) => (None, Some(format!("not sent: {e}"))),
                    Ok(raw) => {
                        let id = Uuid::now_v7();
                        embargo_store::mail::enqueue(
                            &mut tx,
                            &embargo_store::mail::NewOutbound {
                                id,
                                case: Some(*case.as_uuid()),
                                report: None,
                                kind: MailKind::PreNotification.as_str(),
                                recipient: &r.email,
                                message_id: &message_id,
                                subject: &subject,
                                raw: &raw,
                                encrypted: encrypt.is_some(),
                            },
                            now,
                        )
                        .await
                        .context("queueing a pre-notification")?;
                        queued += 1;
                        (Some(id), None)
                    }
                }
            }
        };
        if let Some(note) = &note {
            tracing::warn!(case = %case, recipient = %r.id, note = %note, "pre-notification not sent");
        }
        let notice = store::Notice {
            case,
            recipient: r.id,
            embargo,
            advisory: advisory.public_id.clone(),
            outbox,
            note,
            created_at: now,
        };
        match store::insert_notice(&mut tx, &notice).await {
            Ok(()) => {}
            Err(e) if e.violation() == Some(embargo_store::Violation::Unique) => {
                return Err(ServiceError::Conflict("notice recorded meanwhile".into()));
            }
            Err(e) => return Err(e.into()),
        }
    }
    tx.commit()
        .await
        .context("committing the pre-notification")?;
    if queued > 0 {
        tracing::info!(case = %case, advisory = %advisory.public_id, notices = queued, "pre-notification queued");
    }
    Ok(queued)
}

/// The key to encrypt to (`None`: the entry has none), or why the notice cannot be sent: an
/// entry with a key never gets the notice in clear.
fn encryption(
    team: Option<&embargo_pgp::TeamKey>,
    r: &store::Recipient,
    now: Timestamp,
) -> Result<Option<PublicKey>, String> {
    let Some(armored) = &r.public_key else {
        return Ok(None);
    };
    let key = PublicKey::from_armored(armored, now)
        .map_err(|e| format!("not sent: the entry's key is no longer usable ({e})"))?;
    if !key.can_encrypt() {
        return Err("not sent: the entry's key can no longer encrypt".to_owned());
    }
    if team.is_none() {
        return Err(
            "not sent: the entry has a key but there is no team key to sign with".to_owned(),
        );
    }
    Ok(Some(key))
}

/// Per product, edition and line: affected, fixed in, or not affected.
fn versions(model: &export::Advisory) -> String {
    let mut out = Vec::new();
    for p in &model.products {
        for e in &p.editions {
            for l in &e.lines {
                let status = match (&l.status, &l.fixed_in) {
                    (export::Status::Fixed, Some(v)) => format!("fixed in {v}"),
                    (export::Status::Affected, Some(v)) => format!("affected; fixed in {v}"),
                    (export::Status::Affected, None) => "affected; no fix yet".to_owned(),
                    (export::Status::NotAffected { .. }, _) => "not affected".to_owned(),
                    (export::Status::UnderInvestigation, _) => "under investigation".to_owned(),
                    (export::Status::Fixed, None) => "fixed".to_owned(),
                };
                out.push(format!("- {} {} {}: {status}", p.name, e.name, l.line));
            }
        }
    }
    if out.is_empty() {
        "- (see the advisory)".to_owned()
    } else {
        out.join("\n")
    }
}
