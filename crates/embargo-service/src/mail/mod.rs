//! Mail: reports received by mail ([`inbound`]), mails to reporters ([`outbound`]) with their
//! [`templates`], and the outbox [`sender`].

pub mod inbound;
pub mod outbound;
pub mod sender;
pub mod templates;

use embargo_domain::Role;
use embargo_store::mail::{
    self as store, InboundFilter, InboundMail, OutboundFilter, OutboundStatus,
};
use uuid::Uuid;

use crate::accounts::{Principal, Scope};
use crate::cases::CaseRef;
use crate::{App, ServiceError};
pub use templates::{MailKind, Template};

/// How Embargo sends and reads mail.
#[derive(Debug, Clone)]
pub struct MailSettings {
    /// The security address: From of every mail, and where reports arrive.
    pub from: String,
    /// The display name on every mail.
    pub team_name: String,
    /// What the analysis of one received message keeps.
    pub limits: embargo_mail::Limits,
    /// A received message over this size is stored truncated, with a note.
    pub max_message_bytes: usize,
    /// The `authserv-id` our own MTA writes in Authentication-Results; only its results count.
    pub trusted_authserv_id: Option<String>,
    /// Where the web app is reached from outside: the base of the sign-in links in mail.
    pub public_url: String,
}

impl Default for MailSettings {
    fn default() -> Self {
        MailSettings {
            from: "security@localhost".to_owned(),
            team_name: "Security team".to_owned(),
            limits: embargo_mail::Limits::default(),
            max_message_bytes: 50 * 1024 * 1024,
            trusted_authserv_id: None,
            public_url: "http://localhost:8080".to_owned(),
        }
    }
}

impl MailSettings {
    /// Checks the security address: one `@`, header-safe, no plus part (we add our own).
    pub fn validate(&self) -> Result<(), String> {
        embargo_mail::header_safe(&self.from).map_err(|e| format!("mail_from: {e}"))?;
        let (local, domain) = self
            .from
            .split_once('@')
            .ok_or_else(|| format!("mail_from {:?}: not an address", self.from))?;
        if local.is_empty() || domain.is_empty() || domain.contains('@') {
            return Err(format!("mail_from {:?}: not an address", self.from));
        }
        if local.contains('+') {
            return Err(format!(
                "mail_from {:?}: give the address without a +tag; Embargo adds its own",
                self.from
            ));
        }
        embargo_mail::header_safe(&self.team_name).map_err(|e| format!("mail team name: {e}"))?;
        Ok(())
    }

    pub fn local_part(&self) -> &str {
        self.from.split_once('@').map_or("security", |(l, _)| l)
    }

    pub fn domain(&self) -> &str {
        self.from.split_once('@').map_or("localhost", |(_, d)| d)
    }
}

fn require_team(who: &Principal) -> Result<(), ServiceError> {
    who.require(Scope::Read)?;
    if matches!(who.actor.role, Role::Admin | Role::Team) {
        Ok(())
    } else {
        Err(ServiceError::Forbidden)
    }
}

/// Delivery state of the mails about one case; the team only (it names the reporters).
pub async fn case_outbox(
    app: &App,
    who: &Principal,
    case: CaseRef,
) -> Result<Vec<OutboundStatus>, ServiceError> {
    // Visibility first, so an outsider learns nothing (not even that the case exists).
    let view = crate::cases::get(app, who, case).await?;
    require_team(who)?;
    let mut conn = app.db.acquire().await?;
    Ok(store::list_outbound(
        &mut conn,
        &OutboundFilter {
            case: Some(view.case.id.as_uuid().to_owned()),
            state: None,
            limit: 1000,
        },
    )
    .await?)
}

/// The whole outbox, optionally one state; the team only.
pub async fn outbox(
    app: &App,
    who: &Principal,
    state: Option<&str>,
    limit: i64,
) -> Result<Vec<OutboundStatus>, ServiceError> {
    require_team(who)?;
    let state = match state {
        None => None,
        Some(s) => Some(
            ["queued", "sending", "sent", "failed"]
                .into_iter()
                .find(|k| *k == s)
                .ok_or_else(|| ServiceError::Invalid {
                    field: "state",
                    reason: format!("unknown {s:?}; one of queued, sending, sent, failed"),
                })?,
        ),
    };
    let mut conn = app.db.acquire().await?;
    Ok(store::list_outbound(
        &mut conn,
        &OutboundFilter {
            case: None,
            state,
            limit: limit.clamp(1, 10_000),
        },
    )
    .await?)
}

/// Puts a failed mail back in the queue; the team only.
pub async fn retry(app: &App, who: &Principal, id: Uuid) -> Result<(), ServiceError> {
    require_team(who)?;
    who.require(Scope::Write)?;
    let mut conn = app.db.acquire().await?;
    if store::requeue(&mut conn, id, app.clock.now()).await? {
        Ok(())
    } else {
        Err(ServiceError::Conflict(format!("mail {id} is not failed")))
    }
}

/// Received mail, newest first; `held_only` lists what was kept unanswered. The team only.
pub async fn received(
    app: &App,
    who: &Principal,
    held_only: bool,
    limit: i64,
) -> Result<Vec<InboundMail>, ServiceError> {
    require_team(who)?;
    let mut conn = app.db.acquire().await?;
    Ok(store::list_inbound(
        &mut conn,
        &InboundFilter {
            states: if held_only {
                vec!["held", "pending"]
            } else {
                Vec::new()
            },
            case: None,
            limit: limit.clamp(1, 10_000),
        },
    )
    .await?)
}

/// The template in effect for `kind`; admins and the team.
pub async fn template(
    app: &App,
    who: &Principal,
    kind: MailKind,
) -> Result<Template, ServiceError> {
    require_team(who)?;
    let mut conn = app.db.acquire().await?;
    Ok(outbound::load_template(&mut conn, kind).await?)
}

/// Replaces the template for `kind` (checked first); admins only.
pub async fn set_template(
    app: &App,
    who: &Principal,
    kind: MailKind,
    subject: &str,
    body: &str,
) -> Result<Template, ServiceError> {
    who.require(Scope::Admin)?;
    if who.actor.role != Role::Admin {
        return Err(ServiceError::Forbidden);
    }
    let template = Template::check(kind, subject, body)?;
    let mut conn = app.db.acquire().await?;
    store::put_template(
        &mut conn,
        kind.as_str(),
        &template.subject,
        &template.body,
        who.actor.id.as_uuid().to_owned(),
        app.clock.now(),
    )
    .await?;
    tracing::info!(kind = kind.as_str(), by = %who.actor.id, "mail template changed");
    Ok(template)
}

/// Goes back to the shipped template for `kind`; admins only.
pub async fn reset_template(
    app: &App,
    who: &Principal,
    kind: MailKind,
) -> Result<(), ServiceError> {
    who.require(Scope::Admin)?;
    if who.actor.role != Role::Admin {
        return Err(ServiceError::Forbidden);
    }
    let mut conn = app.db.acquire().await?;
    store::reset_template(&mut conn, kind.as_str()).await?;
    Ok(())
}

/// The body of the acknowledgement for a report, as mailed to its reporter, for the page that
/// confirms a web-form report. Public: it holds only what the reporter just sent and their
/// tracking id.
pub async fn acknowledgement_text(
    app: &App,
    report: embargo_domain::ReportId,
) -> Result<String, ServiceError> {
    let mut conn = app.db.acquire().await?;
    let stored = embargo_store::reports::get(&mut conn, report)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let template = outbound::load_template(&mut conn, MailKind::Acknowledgement).await?;
    let r = &stored.report;
    let mut values = std::collections::BTreeMap::new();
    outbound::common_values(
        &mut values,
        &app.mail,
        r.tracking_id().to_string(),
        r.subject(),
        r.reporter().name.as_deref(),
    );
    Ok(template.render(&values).1)
}
