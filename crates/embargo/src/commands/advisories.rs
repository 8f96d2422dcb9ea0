//! `embargo advisories` (write, list and publish advisories) and `embargo cve-pool` (reserved
//! CVE ids, assigned on acceptance).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;
use embargo_service::advisories::{self, AdvisoryInput};
use embargo_service::cases::CaseRef;

use crate::config::Config;
use crate::output::{Format, print_rows};

#[derive(Debug, Subcommand)]
#[allow(
    clippy::large_enum_variant,
    reason = "parsed once per run; boxing the arguments buys nothing"
)]
pub enum AdvisoriesCommand {
    /// Write a case's advisory: create or edit the draft, or (once published) add a revision
    Set {
        /// Case id or tracking id
        case: String,
        #[arg(long)]
        title: String,
        /// One line, plain text
        #[arg(long)]
        summary: String,
        /// The description, CommonMark
        #[arg(long, value_name = "FILE")]
        description_file: PathBuf,
        /// Workarounds, CommonMark
        #[arg(long, value_name = "FILE")]
        workarounds_file: Option<PathBuf>,
        /// A reference as KIND=URL (advisory, patch, report, article, release-notes, web); repeatable
        #[arg(long = "reference", value_name = "KIND=URL")]
        references: Vec<String>,
        /// When to publish (RFC 3339): sets the case's embargo by hand
        #[arg(long, requires = "embargo_reason")]
        embargo: Option<String>,
        /// Why the embargo is set by hand (required with --embargo)
        #[arg(long)]
        embargo_reason: Option<String>,
        /// Required once published: what this revision changes
        #[arg(long)]
        revision_summary: Option<String>,
        #[arg(long = "as", default_value = "admin", value_name = "USER")]
        actor: String,
    },
    /// Every advisory, drafts included
    List {
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        #[arg(long = "as", default_value = "admin", value_name = "USER")]
        actor: String,
    },
    /// Publish what is due now (what `serve` does every second)
    PublishDue,
}

#[derive(Debug, Subcommand)]
pub enum CvePoolCommand {
    /// Add CVE ids reserved from the CNA allocation
    Add {
        #[arg(required = true, value_name = "CVE")]
        ids: Vec<String>,
        #[arg(long = "as", default_value = "admin", value_name = "USER")]
        actor: String,
    },
    /// The pool, with the case each id went to
    List {
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        #[arg(long = "as", default_value = "admin", value_name = "USER")]
        actor: String,
    },
}

fn read(path: &PathBuf) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
}

#[derive(serde::Serialize)]
struct Row {
    id: String,
    case: String,
    state: &'static str,
    revision: u32,
    published: Option<String>,
    embargo: Option<String>,
    title: String,
}

pub async fn run(config: Config, cmd: AdvisoriesCommand) -> anyhow::Result<ExitCode> {
    let app = super::open_app(&config).await?;
    match cmd {
        AdvisoriesCommand::Set {
            case,
            title,
            summary,
            description_file,
            workarounds_file,
            references,
            embargo,
            embargo_reason,
            revision_summary,
            actor,
        } => {
            let who = super::operator(&app, &config, &actor).await?;
            let references = references
                .iter()
                .map(|r| {
                    let (kind, url) = r
                        .split_once('=')
                        .with_context(|| format!("--reference {r:?}: use KIND=URL"))?;
                    Ok((url.to_owned(), kind.to_owned(), None))
                })
                .collect::<anyhow::Result<_>>()?;
            let embargo = embargo
                .as_deref()
                .map(|e| {
                    e.parse::<jiff::Timestamp>()
                        .with_context(|| format!("--embargo {e:?}: use RFC 3339"))
                })
                .transpose()?;
            let input = AdvisoryInput {
                title,
                summary,
                description_md: read(&description_file)?,
                workarounds_md: workarounds_file.as_ref().map(read).transpose()?,
                references,
                embargo,
                embargo_reason,
                revision_summary,
            };
            let view = advisories::save(&app, &who, CaseRef::parse(&case)?, &input).await?;
            let a = &view.advisory;
            println!("{}", a.public_id);
            eprintln!(
                "advisory {} revision {} ({})",
                a.public_id,
                a.revision(),
                if a.published().is_some() {
                    "published"
                } else {
                    "draft"
                }
            );
        }
        AdvisoriesCommand::List { format, actor } => {
            let who = super::operator(&app, &config, &actor).await?;
            let rows: Vec<Row> = advisories::list(&app, &who)
                .await?
                .iter()
                .map(|v| Row {
                    id: v.advisory.public_id.clone(),
                    case: v.advisory.case.to_string(),
                    state: if v.advisory.published().is_some() {
                        "published"
                    } else {
                        "draft"
                    },
                    revision: v.advisory.revision(),
                    published: v.advisory.published().map(|t| t.to_string()),
                    embargo: v.embargo.map(|t| t.to_string()),
                    title: v.advisory.content.title.clone(),
                })
                .collect();
            print_rows(
                format,
                &rows,
                &["id", "state", "rev", "embargo", "title"],
                |r| {
                    vec![
                        r.id.clone(),
                        r.state.to_owned(),
                        r.revision.to_string(),
                        r.embargo.clone().unwrap_or_else(|| "-".to_owned()),
                        r.title.clone(),
                    ]
                },
            )?;
        }
        AdvisoriesCommand::PublishDue => {
            for id in advisories::publish_due(&app).await? {
                println!("published {id}");
            }
        }
    }
    app.db.close().await;
    Ok(ExitCode::SUCCESS)
}

#[derive(serde::Serialize)]
struct PoolRow {
    cve: String,
    case: Option<String>,
    assigned_at: Option<String>,
}

pub async fn run_pool(config: Config, cmd: CvePoolCommand) -> anyhow::Result<ExitCode> {
    let app = super::open_app(&config).await?;
    match cmd {
        CvePoolCommand::Add { ids, actor } => {
            let who = super::operator(&app, &config, &actor).await?;
            let (added, known) = advisories::pool_add(&app, &who, &ids).await?;
            println!("{added} CVE id(s) added, {known} already in the pool");
        }
        CvePoolCommand::List { format, actor } => {
            let who = super::operator(&app, &config, &actor).await?;
            let rows: Vec<PoolRow> = advisories::pool_list(&app, &who)
                .await?
                .into_iter()
                .map(|p| PoolRow {
                    cve: p.cve,
                    case: p.case.map(|c| c.to_string()),
                    assigned_at: p.assigned_at.map(|t| t.to_string()),
                })
                .collect();
            print_rows(format, &rows, &["cve", "case", "assigned"], |r| {
                vec![
                    r.cve.clone(),
                    r.case.clone().unwrap_or_else(|| "free".to_owned()),
                    r.assigned_at.clone().unwrap_or_else(|| "-".to_owned()),
                ]
            })?;
        }
    }
    app.db.close().await;
    Ok(ExitCode::SUCCESS)
}
