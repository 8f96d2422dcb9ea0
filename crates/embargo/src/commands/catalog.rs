//! `embargo catalog`: products, editions, release lines and their bundled components.

use std::process::ExitCode;

use clap::{Args, Subcommand};
use embargo_service::catalog::{self, LineRef, NewLine};
use serde::Serialize;

use crate::config::Config;
use crate::output::{Format, print_rows};

#[derive(Debug, Args)]
pub struct LineArgs {
    /// Product slug, e.g. gateway
    product: String,
    /// Edition slug, e.g. enterprise
    edition: String,
    /// Release line, e.g. 3.4.x
    line: String,
}

impl From<LineArgs> for LineRef {
    fn from(a: LineArgs) -> LineRef {
        LineRef {
            product: a.product,
            edition: a.edition,
            line: a.line,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum CatalogCommand {
    /// List release lines with latest and next patch versions and bundled components
    List {
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        #[arg(long = "as", default_value = "admin", value_name = "USER")]
        actor: String,
    },
    /// Add a release line (and its product and edition when new)
    AddLine {
        #[command(flatten)]
        at: LineArgs,
        /// three-part (3.4.1) or four-part (3.4.1.1)
        #[arg(long)]
        scheme: String,
        /// The latest released version of the line
        #[arg(long)]
        latest: Option<String>,
        #[arg(long)]
        lts: bool,
        #[arg(long)]
        unsupported: bool,
        /// Last day of support, YYYY-MM-DD
        #[arg(long)]
        support_ends: Option<String>,
        #[arg(long = "as", default_value = "admin", value_name = "USER")]
        actor: String,
    },
    /// Record a new latest release of a line
    SetLatest {
        #[command(flatten)]
        at: LineArgs,
        version: String,
        #[arg(long = "as", default_value = "admin", value_name = "USER")]
        actor: String,
    },
    /// Set the version of an upstream component a line bundles
    SetComponent {
        #[command(flatten)]
        at: LineArgs,
        name: String,
        version: String,
        #[arg(long = "as", default_value = "admin", value_name = "USER")]
        actor: String,
    },
}

#[derive(Serialize)]
struct Row {
    product: String,
    edition: String,
    line: String,
    scheme: &'static str,
    latest: Option<String>,
    next_patch: String,
    supported: bool,
    lts: bool,
    support_ends: Option<String>,
    components: Vec<String>,
}

pub async fn run(config: Config, cmd: CatalogCommand) -> anyhow::Result<ExitCode> {
    let app = super::open_app(&config).await?;
    match cmd {
        CatalogCommand::List { format, actor } => {
            let who = super::operator(&app, &config, &actor).await?;
            let cat = catalog::load(&app, &who).await?;
            let rows: Vec<Row> = cat
                .lines()
                .map(|p| Row {
                    product: p.product.name.clone(),
                    edition: p.edition.name.clone(),
                    line: p.line.name(),
                    scheme: p.line.scheme().as_str(),
                    latest: p.line.latest().map(|v| v.to_string()),
                    next_patch: p.line.next_patch().to_string(),
                    supported: p.line.supported,
                    lts: p.line.lts,
                    support_ends: p.line.support_ends.map(|d| d.to_string()),
                    components: p
                        .line
                        .components
                        .iter()
                        .map(|c| format!("{} {}", c.name, c.version))
                        .collect(),
                })
                .collect();
            print_rows(
                format,
                &rows,
                &[
                    "product",
                    "edition",
                    "line",
                    "latest",
                    "next patch",
                    "support",
                    "components",
                ],
                |r| {
                    vec![
                        r.product.clone(),
                        r.edition.clone(),
                        r.line.clone(),
                        r.latest.clone().unwrap_or_else(|| "-".to_owned()),
                        r.next_patch.clone(),
                        match (r.supported, r.lts) {
                            (false, _) => "ended".to_owned(),
                            (true, true) => {
                                format!("LTS until {}", r.support_ends.as_deref().unwrap_or("?"))
                            }
                            (true, false) => {
                                format!("until {}", r.support_ends.as_deref().unwrap_or("?"))
                            }
                        },
                        r.components.join(", "),
                    ]
                },
            )?;
        }
        CatalogCommand::AddLine {
            at,
            scheme,
            latest,
            lts,
            unsupported,
            support_ends,
            actor,
        } => {
            let who = super::operator(&app, &config, &actor).await?;
            let at: LineRef = at.into();
            catalog::add_line(
                &app,
                &who,
                &NewLine {
                    at: at.clone(),
                    scheme,
                    latest,
                    supported: !unsupported,
                    lts,
                    support_ends,
                },
            )
            .await?;
            println!(
                "release line {} {} {} in place",
                at.product, at.edition, at.line
            );
        }
        CatalogCommand::SetLatest { at, version, actor } => {
            let who = super::operator(&app, &config, &actor).await?;
            catalog::set_latest(&app, &who, &at.into(), &version).await?;
            println!("latest release recorded: {version}");
        }
        CatalogCommand::SetComponent {
            at,
            name,
            version,
            actor,
        } => {
            let who = super::operator(&app, &config, &actor).await?;
            catalog::set_component(&app, &who, &at.into(), &name, &version).await?;
            println!("component {name} {version} recorded");
        }
    }
    app.db.close().await;
    Ok(ExitCode::SUCCESS)
}
