//! `embargo prenotify`: the pre-notification list and the notices sent to it.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;
use embargo_service::cases::CaseRef;
use embargo_service::prenotify::{self, NewRecipient};
use serde::Serialize;

use crate::config::Config;
use crate::output::{Format, print_rows};

#[derive(Debug, Subcommand)]
pub enum PrenotifyCommand {
    /// Add an entry: it is mailed each advisory under embargo, the policy's `prenotify` time
    /// before the embargo lifts
    Add {
        /// Who it is, e.g. "Debian security team"
        #[arg(long)]
        name: String,
        #[arg(long)]
        email: String,
        /// Only advisories about this product (by name); repeatable. Default: every product
        #[arg(long = "product", value_name = "PRODUCT")]
        products: Vec<String>,
        /// An ASCII-armoured OpenPGP public key: notices are encrypted to it
        #[arg(long, value_name = "FILE")]
        key_file: Option<PathBuf>,
        #[arg(long = "as", default_value = "admin", value_name = "USER")]
        actor: String,
    },
    /// The list
    List {
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        #[arg(long = "as", default_value = "admin", value_name = "USER")]
        actor: String,
    },
    /// Take an entry off the list (its past notices stay on record)
    Remove {
        id: String,
        #[arg(long = "as", default_value = "admin", value_name = "USER")]
        actor: String,
    },
    /// The notices sent about one case
    Notices {
        case: String,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        #[arg(long = "as", default_value = "admin", value_name = "USER")]
        actor: String,
    },
    /// Queue the notices that are due now (what `serve` does every second)
    SendDue,
}

#[derive(Serialize)]
struct Entry {
    id: String,
    name: String,
    email: String,
    products: Vec<String>,
    key: Option<String>,
}

#[derive(Serialize)]
struct NoticeRow {
    recipient: String,
    email: String,
    advisory: String,
    embargo: String,
    sent: bool,
    note: Option<String>,
    at: String,
}

pub async fn run(config: Config, cmd: PrenotifyCommand) -> anyhow::Result<ExitCode> {
    let app = super::open_app(&config).await?;
    match cmd {
        PrenotifyCommand::Add {
            name,
            email,
            products,
            key_file,
            actor,
        } => {
            let who = super::operator(&app, &config, &actor).await?;
            let public_key = key_file
                .as_ref()
                .map(|p| {
                    std::fs::read_to_string(p)
                        .with_context(|| format!("--key-file {}: cannot read it", p.display()))
                })
                .transpose()?;
            let v = prenotify::add(
                &app,
                &who,
                &NewRecipient {
                    name,
                    email,
                    products,
                    public_key,
                },
            )
            .await?;
            println!("{}", v.recipient.id);
        }
        PrenotifyCommand::List { format, actor } => {
            let who = super::operator(&app, &config, &actor).await?;
            let rows: Vec<Entry> = prenotify::list(&app, &who)
                .await?
                .into_iter()
                .map(|v| Entry {
                    id: v.recipient.id.to_string(),
                    name: v.recipient.name,
                    email: v.recipient.email,
                    products: v.products,
                    key: v.key_fingerprint,
                })
                .collect();
            print_rows(
                format,
                &rows,
                &["id", "name", "email", "products", "key"],
                |r| {
                    vec![
                        r.id.clone(),
                        r.name.clone(),
                        r.email.clone(),
                        if r.products.is_empty() {
                            "all".to_owned()
                        } else {
                            r.products.join(", ")
                        },
                        r.key.clone().unwrap_or_else(|| "-".to_owned()),
                    ]
                },
            )?;
        }
        PrenotifyCommand::Remove { id, actor } => {
            let who = super::operator(&app, &config, &actor).await?;
            prenotify::remove(&app, &who, &id).await?;
            println!("removed {id}");
        }
        PrenotifyCommand::Notices {
            case,
            format,
            actor,
        } => {
            let who = super::operator(&app, &config, &actor).await?;
            let rows: Vec<NoticeRow> = prenotify::notices(&app, &who, CaseRef::parse(&case)?)
                .await?
                .into_iter()
                .map(|n| NoticeRow {
                    recipient: n.recipient,
                    email: n.email,
                    advisory: n.advisory,
                    embargo: n.embargo.to_string(),
                    sent: n.sent,
                    note: n.note,
                    at: n.at.to_string(),
                })
                .collect();
            print_rows(
                format,
                &rows,
                &["recipient", "advisory", "embargo", "sent", "at"],
                |r| {
                    vec![
                        format!("{} <{}>", r.recipient, r.email),
                        r.advisory.clone(),
                        r.embargo.clone(),
                        if r.sent {
                            "queued".to_owned()
                        } else {
                            r.note.clone().unwrap_or_else(|| "no".to_owned())
                        },
                        r.at.clone(),
                    ]
                },
            )?;
        }
        PrenotifyCommand::SendDue => {
            let n = prenotify::notify_due(&app).await?;
            println!("{n} notices queued");
        }
    }
    app.db.close().await;
    Ok(ExitCode::SUCCESS)
}
