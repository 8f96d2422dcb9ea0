//! `embargo reports`: reports as received.

use std::process::ExitCode;

use clap::Subcommand;
use embargo_service::intake;
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

#[derive(Serialize)]
struct Row {
    id: String,
    tracking_id: String,
    channel: String,
    reporter_email: String,
    received_at: String,
    subject: String,
    attachments: i64,
    case: Option<String>,
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
            let rows: Vec<Row> = intake::list_reports(&app, &who, Some(limit))
                .await?
                .into_iter()
                .map(|r| Row {
                    id: r.id.to_string(),
                    tracking_id: r.tracking_id.to_string(),
                    channel: format!("{:?}", r.channel).to_lowercase(),
                    reporter_email: r.reporter.email.as_ref().to_owned(),
                    received_at: r.received_at.to_string(),
                    subject: r.subject,
                    attachments: r.attachments,
                    case: r.case.map(|c| c.to_string()),
                })
                .collect();
            print_rows(
                format,
                &rows,
                &["tracking id", "received", "from", "subject", "case"],
                |r| {
                    vec![
                        r.tracking_id.clone(),
                        r.received_at.clone(),
                        r.reporter_email.clone(),
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
