//! `embargo reports`: reports as received.

use std::process::ExitCode;

use clap::Subcommand;
use embargo_service::intake;
use embargo_store::mail::InboundOutcome;
use serde::Serialize;

use crate::config::Config;
use crate::output::{Format, print_rows};

#[derive(Debug, Subcommand)]
pub enum ReportsCommand {
    /// List reports, newest first
    List {
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        #[arg(long, default_value_t = 50)]
        limit: i64,
        /// The account to act as (its role decides what is visible)
        #[arg(long = "as", default_value = "admin", value_name = "USER")]
        actor: String,
    },
}

/// One line: a report, or a received mail that did not become one (held unanswered, or still
/// pending), so that every message received is listed.
#[derive(Serialize)]
struct Row {
    id: String,
    /// `report`, or for mail that is not a report, `held` or `pending`.
    status: &'static str,
    tracking_id: Option<String>,
    channel: String,
    reporter_email: Option<String>,
    received_at: String,
    subject: String,
    attachments: i64,
    case: Option<String>,
    /// Why a held mail is not answered.
    held_reason: Option<String>,
    /// The stored mail, for mail that is not a report.
    mail: Option<String>,
    #[serde(skip)]
    sort_key: jiff::Timestamp,
}

pub async fn run(config: Config, cmd: ReportsCommand) -> anyhow::Result<ExitCode> {
    let app = super::open_app(&config).await?;
    match cmd {
        ReportsCommand::List {
            format,
            limit,
            actor,
        } => {
            let who = super::operator(&app, &config, &actor).await?;
            let mut rows: Vec<Row> = intake::list_reports(&app, &who, Some(limit))
                .await?
                .into_iter()
                .map(|r| Row {
                    id: r.id.to_string(),
                    status: "report",
                    tracking_id: Some(r.tracking_id.to_string()),
                    channel: r.channel.as_str().to_owned(),
                    reporter_email: Some(r.reporter.email.as_ref().to_owned()),
                    received_at: r.received_at.to_string(),
                    subject: r.subject,
                    attachments: r.attachments,
                    case: r.case.map(|c| c.to_string()),
                    held_reason: None,
                    mail: None,
                    sort_key: r.received_at,
                })
                .collect();
            for m in embargo_service::mail::received(&app, &who, true, limit).await? {
                let (status, reason, case) = match &m.outcome {
                    InboundOutcome::Held { reason, case, .. } => {
                        ("held", Some(reason.clone()), *case)
                    }
                    _ => ("pending", m.last_error.clone(), None),
                };
                rows.push(Row {
                    id: m.id.to_string(),
                    status,
                    tracking_id: None,
                    channel: "email".to_owned(),
                    reporter_email: m.from_address,
                    received_at: m.received_at.to_string(),
                    subject: m.subject.unwrap_or_default(),
                    attachments: 0,
                    case: case.map(|c| c.to_string()),
                    held_reason: reason,
                    mail: Some(m.id.to_string()),
                    sort_key: m.received_at,
                });
            }
            rows.sort_by(|a, b| b.sort_key.cmp(&a.sort_key).then_with(|| b.id.cmp(&a.id)));
            rows.truncate(usize::try_from(limit.max(0)).unwrap_or(0));
            print_rows(
                format,
                &rows,
                &[
                    "tracking id",
                    "status",
                    "received",
                    "from",
                    "subject",
                    "case",
                ],
                |r| {
                    vec![
                        r.tracking_id.clone().unwrap_or_else(|| "-".to_owned()),
                        r.status.to_owned(),
                        r.received_at.clone(),
                        r.reporter_email.clone().unwrap_or_default(),
                        r.subject.chars().take(60).collect(),
                        r.case.clone().unwrap_or_default(),
                    ]
                },
            )?;
        }
    }
    app.db.close().await;
    Ok(ExitCode::SUCCESS)
}
