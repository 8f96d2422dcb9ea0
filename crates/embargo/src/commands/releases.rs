//! `embargo releases`: plan the next patch release of a line, add the cases it fixes, ship it.

use std::process::ExitCode;

use clap::Subcommand;
use embargo_service::cases::CaseRef;
use embargo_service::releases::{self, ReleaseQuery, ReleaseView};
use serde::Serialize;

use crate::config::Config;
use crate::output::{Format, print_rows};

#[derive(Debug, Subcommand)]
pub enum ReleasesCommand {
    /// Plan a release of a line (default version: the line's next patch); prints its id
    Plan {
        /// The release line, as product/edition/line (gateway/oss/3.4.x) or its id
        line: String,
        /// The version to release (default: the line's next patch version)
        #[arg(long)]
        version: Option<String>,
        /// The day the team aims to ship, YYYY-MM-DD
        #[arg(long)]
        target: Option<String>,
        #[arg(long = "as", default_value = "admin", value_name = "USER")]
        actor: String,
    },
    /// Add a case (id or tracking id) to a planned release
    AddCase {
        release: String,
        case: String,
        #[arg(long = "as", default_value = "admin", value_name = "USER")]
        actor: String,
    },
    /// Record a release as shipped: its cases become fixed on the line, and those fixed on every
    /// supported affected line move to released
    Ship {
        release: String,
        /// The version that shipped (default: the planned one)
        #[arg(long)]
        version: Option<String>,
        /// The release day, YYYY-MM-DD (default: today)
        #[arg(long)]
        date: Option<String>,
        #[arg(long = "as", default_value = "admin", value_name = "USER")]
        actor: String,
    },
    /// List releases, planned first
    List {
        /// Only releases of this line (product/edition/line or id)
        #[arg(long)]
        line: Option<String>,
        /// planned or shipped
        #[arg(long)]
        state: Option<String>,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        #[arg(long = "as", default_value = "admin", value_name = "USER")]
        actor: String,
    },
}

#[derive(Serialize)]
struct Row {
    id: String,
    product: String,
    edition: String,
    line: String,
    version: String,
    state: &'static str,
    target: Option<String>,
    shipped_on: Option<String>,
    cases: Vec<String>,
}

fn row(v: &ReleaseView) -> Row {
    let r = &v.release;
    Row {
        id: r.id.to_string(),
        product: v.product.clone(),
        edition: v.edition.clone(),
        line: v.line.clone(),
        version: r.version.to_string(),
        state: if r.is_shipped() { "shipped" } else { "planned" },
        target: r.target.map(|d| d.to_string()),
        shipped_on: r.shipped.map(|s| s.on.to_string()),
        cases: v.cases.iter().map(|c| c.id.to_string()).collect(),
    }
}

pub async fn run(config: Config, cmd: ReleasesCommand) -> anyhow::Result<ExitCode> {
    let app = super::open_app(&config).await?;
    match cmd {
        ReleasesCommand::Plan {
            line,
            version,
            target,
            actor,
        } => {
            let who = super::operator(&app, &config, &actor).await?;
            let target = target
                .as_deref()
                .map(|t| releases::parse_date("target", t))
                .transpose()?;
            let line = releases::resolve_line(&app, &line).await?;
            let view = releases::plan(&app, &who, line, version.as_deref(), target).await?;
            println!("{}", view.release.id);
            eprintln!(
                "planned {} {} {} release {}",
                view.product, view.edition, view.line, view.release.version
            );
        }
        ReleasesCommand::AddCase {
            release,
            case,
            actor,
        } => {
            let who = super::operator(&app, &config, &actor).await?;
            let view = releases::add_case(
                &app,
                &who,
                releases::parse_id(&release)?,
                CaseRef::parse(&case)?,
            )
            .await?;
            println!(
                "release {} fixes {} case(s)",
                view.release.version,
                view.cases.len()
            );
        }
        ReleasesCommand::Ship {
            release,
            version,
            date,
            actor,
        } => {
            let who = super::operator(&app, &config, &actor).await?;
            let on = date
                .as_deref()
                .map(|d| releases::parse_date("date", d))
                .transpose()?;
            let outcome = releases::ship(
                &app,
                &who,
                releases::parse_id(&release)?,
                version.as_deref(),
                on,
            )
            .await?;
            let v = &outcome.release;
            println!(
                "shipped {} {} {} {}",
                v.product, v.edition, v.line, v.release.version
            );
            for c in &outcome.cases {
                println!(
                    "  case {}: {}{}",
                    c.id,
                    if c.marked_fixed {
                        "fixed on the line"
                    } else {
                        "already fixed on the line"
                    },
                    if c.released {
                        ", now released".to_owned()
                    } else {
                        format!(", stays {}", c.state)
                    }
                );
            }
        }
        ReleasesCommand::List {
            line,
            state,
            format,
            actor,
        } => {
            let who = super::operator(&app, &config, &actor).await?;
            let shipped = match state.as_deref() {
                None => None,
                Some("planned") => Some(false),
                Some("shipped") => Some(true),
                Some(other) => anyhow::bail!("--state {other:?}: use planned or shipped"),
            };
            let line = match line {
                Some(l) => Some(releases::resolve_line(&app, &l).await?),
                None => None,
            };
            let rows: Vec<Row> = releases::list(
                &app,
                &who,
                ReleaseQuery {
                    line,
                    shipped,
                    case: None,
                },
            )
            .await?
            .iter()
            .map(row)
            .collect();
            print_rows(
                format,
                &rows,
                &["id", "release", "state", "target", "shipped", "cases"],
                |r| {
                    vec![
                        r.id.clone(),
                        format!("{} {} {} {}", r.product, r.edition, r.line, r.version),
                        r.state.to_owned(),
                        r.target.clone().unwrap_or_else(|| "-".to_owned()),
                        r.shipped_on.clone().unwrap_or_else(|| "-".to_owned()),
                        r.cases.len().to_string(),
                    ]
                },
            )?;
        }
    }
    app.db.close().await;
    Ok(ExitCode::SUCCESS)
}
