//! `embargo mail`: the outbox, received mail and the mail templates.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;
use embargo_service::cases::CaseRef;
use embargo_service::mail::{self, MailKind};
use serde::Serialize;

use crate::config::Config;
use crate::output::{Format, print_rows};

#[derive(Debug, Subcommand)]
pub enum MailCommand {
    /// Mails queued for reporters and their delivery state
    Outbox {
        /// Only the mails about this case (id or tracking id)
        #[arg(long)]
        case: Option<String>,
        /// Only mails in this state: queued, sending, sent, failed
        #[arg(long)]
        state: Option<String>,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        #[arg(long, default_value_t = 200)]
        limit: i64,
        #[arg(long = "as", default_value = "admin", value_name = "USER")]
        actor: String,
    },
    /// Put a failed mail back in the queue
    Retry {
        id: uuid::Uuid,
        #[arg(long = "as", default_value = "admin", value_name = "USER")]
        actor: String,
    },
    /// Process stored mail still pending (the server does this in the background)
    Process,
    /// Take every message waiting in the configured IMAP mailbox, once (the server polls)
    PollImap,
    /// Show the template in effect for a kind of mail
    Template {
        /// acknowledgement, confirmed, rejected, estimate, released, disclosed or message
        kind: String,
        #[arg(long = "as", default_value = "admin", value_name = "USER")]
        actor: String,
    },
    /// Replace a template: FILE holds the subject on its first line, a blank line, the body
    SetTemplate {
        kind: String,
        file: PathBuf,
        #[arg(long = "as", default_value = "admin", value_name = "USER")]
        actor: String,
    },
    /// Go back to the shipped template
    ResetTemplate {
        kind: String,
        #[arg(long = "as", default_value = "admin", value_name = "USER")]
        actor: String,
    },
}

#[derive(Serialize)]
struct OutboxRow {
    id: String,
    case: Option<String>,
    kind: String,
    recipient: String,
    message_id: String,
    subject: String,
    state: String,
    attempts: i64,
    next_attempt_at: String,
    last_error: Option<String>,
    created_at: String,
    sent_at: Option<String>,
}

pub async fn run(config: Config, cmd: MailCommand) -> anyhow::Result<ExitCode> {
    let app = super::open_app(&config).await?;
    match cmd {
        MailCommand::Outbox {
            case,
            state,
            format,
            limit,
            actor,
        } => {
            let who = super::operator(&app, &config, &actor).await?;
            let mails = match case {
                Some(c) => mail::case_outbox(&app, &who, CaseRef::parse(&c)?).await?,
                None => mail::outbox(&app, &who, state.as_deref(), limit).await?,
            };
            let rows: Vec<OutboxRow> = mails
                .into_iter()
                .map(|m| OutboxRow {
                    id: m.id.to_string(),
                    case: m.case.map(|c| c.to_string()),
                    kind: m.kind,
                    recipient: m.recipient,
                    message_id: m.message_id,
                    subject: m.subject,
                    state: m.state,
                    attempts: m.attempts,
                    next_attempt_at: m.next_attempt_at.to_string(),
                    last_error: m.last_error,
                    created_at: m.created_at.to_string(),
                    sent_at: m.sent_at.map(|t| t.to_string()),
                })
                .collect();
            print_rows(
                format,
                &rows,
                &["state", "kind", "to", "attempts", "subject", "error"],
                |r| {
                    vec![
                        r.state.clone(),
                        r.kind.clone(),
                        r.recipient.clone(),
                        r.attempts.to_string(),
                        r.subject.chars().take(50).collect(),
                        r.last_error.clone().unwrap_or_default(),
                    ]
                },
            )?;
        }
        MailCommand::Retry { id, actor } => {
            let who = super::operator(&app, &config, &actor).await?;
            mail::retry(&app, &who, id).await?;
            println!("queued {id} again");
        }
        MailCommand::Process => {
            let n = mail::inbound::process_pending(&app, i64::MAX).await?;
            println!("processed {n} stored mail(s)");
        }
        MailCommand::PollImap => {
            let imap = config
                .imap
                .as_ref()
                .context("no [imap] settings: set imap.host, imap.user and imap.password")?;
            let cfg = imap.poller(config.mail.max_message_bytes)?;
            let stats = super::poll_imap(&app, &cfg).await?;
            println!(
                "taken {}, failed {}, left {}",
                stats.taken, stats.failed, stats.left
            );
        }
        MailCommand::Template { kind, actor } => {
            let who = super::operator(&app, &config, &actor).await?;
            let t = mail::template(&app, &who, MailKind::parse(&kind)?).await?;
            println!("{}\n\n{}", t.subject, t.body);
        }
        MailCommand::SetTemplate { kind, file, actor } => {
            let who = super::operator(&app, &config, &actor).await?;
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("{}: cannot read it", file.display()))?;
            let (subject, body) = text.split_once('\n').with_context(|| {
                format!(
                    "{}: the first line is the subject, then a blank line, then the body",
                    file.display()
                )
            })?;
            let body = body.strip_prefix('\n').unwrap_or(body);
            mail::set_template(
                &app,
                &who,
                MailKind::parse(&kind)?,
                subject.trim_end(),
                body,
            )
            .await?;
            println!("template {kind} changed");
        }
        MailCommand::ResetTemplate { kind, actor } => {
            let who = super::operator(&app, &config, &actor).await?;
            mail::reset_template(&app, &who, MailKind::parse(&kind)?).await?;
            println!("template {kind} back to the default");
        }
    }
    app.db.close().await;
    Ok(ExitCode::SUCCESS)
}
