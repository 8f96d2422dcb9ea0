//! `embargo export`: published advisories as CVE JSON 5, OSV and CSAF 2.0 files.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;
use embargo_service::exports::{self, Format};

use crate::config::Config;
use crate::output::{Format as Output, print_rows};

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// A published advisory as a CVE JSON 5 record (needs a CVE id of ours and
    /// `advisories.cna_org_id`)
    Cve(One),
    /// A published advisory as an OSV record
    Osv(One),
    /// A published advisory as a CSAF 2.0 document
    Csaf(One),
    /// Every published advisory in every format: DIR/cve/<ID>.json, DIR/osv/<OSV id>.json and
    /// DIR/osv/all.zip, DIR/csaf/<year>/<id>.json
    All {
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// The published advisories
    List {
        #[arg(long, value_enum, default_value_t = Output::Table)]
        format: Output,
    },
}

#[derive(Debug, clap::Args)]
pub struct One {
    /// The public id (EMB-YYYY-NNNN) or the CVE id of a published advisory
    id: String,
    /// Write the document to FILE instead of stdout
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    #[arg(long = "as", default_value = "admin", value_name = "USER")]
    actor: String,
}

#[derive(serde::Serialize)]
struct Row {
    id: String,
    cve: Option<String>,
    revision: u32,
    published: String,
    modified: String,
    score: Option<f64>,
    severity: Option<&'static str>,
    title: String,
}

fn write_file(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))
}

pub async fn run(config: Config, cmd: ExportCommand) -> anyhow::Result<ExitCode> {
    let app = super::open_app(&config).await?;
    let code = match cmd {
        ExportCommand::Cve(one) => one_document(&app, &config, one, Format::Cve).await?,
        ExportCommand::Osv(one) => one_document(&app, &config, one, Format::Osv).await?,
        ExportCommand::Csaf(one) => one_document(&app, &config, one, Format::Csaf).await?,
        ExportCommand::All { out } => all(&app, &out).await?,
        ExportCommand::List { format } => {
            let rows: Vec<Row> = exports::published(&app)
                .await?
                .into_iter()
                .map(|a| Row {
                    id: a.public_id,
                    cve: a.cve,
                    revision: a.revision,
                    published: a.published_at.to_string(),
                    modified: a.modified_at.to_string(),
                    score: a.score.map(|s| s.0),
                    severity: a.score.map(|s| s.1),
                    title: a.title,
                })
                .collect();
            print_rows(
                format,
                &rows,
                &["id", "cve", "rev", "published", "severity", "title"],
                |r| {
                    vec![
                        r.id.clone(),
                        r.cve.clone().unwrap_or_else(|| "-".to_owned()),
                        r.revision.to_string(),
                        r.published.clone(),
                        match (r.score, r.severity) {
                            (Some(s), Some(sev)) => format!("{s:.1} {sev}"),
                            _ => "-".to_owned(),
                        },
                        r.title.clone(),
                    ]
                },
            )?;
            ExitCode::SUCCESS
        }
    };
    app.db.close().await;
    Ok(code)
}

async fn one_document(
    app: &embargo_service::App,
    config: &Config,
    one: One,
    format: Format,
) -> anyhow::Result<ExitCode> {
    let who = super::operator(app, config, &one.actor).await?;
    let doc = exports::render_as(app, &who, &one.id, format)
        .await
        .with_context(|| format!("exporting {} as {}", one.id, format.as_str()))?;
    let bytes = exports::to_bytes(&doc)?;
    match &one.out {
        Some(path) => {
            write_file(path, &bytes)?;
            eprintln!("wrote {}", path.display());
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(&bytes).context("writing to stdout")?;
            stdout.flush().context("writing to stdout")?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn all(app: &embargo_service::App, out: &Path) -> anyhow::Result<ExitCode> {
    let tty = std::io::stderr().is_terminal();
    let (files, skipped) = exports::all(app, |done, total| {
        if tty {
            eprint!("\rexporting advisories: {done}/{total}");
        }
    })
    .await
    .context("exporting the published advisories")?;
    if tty {
        eprintln!();
    }
    for f in &files {
        write_file(&out.join(&f.path), &f.bytes)?;
    }
    let osv: Vec<&exports::ExportFile> = files.iter().filter(|f| f.format == Format::Osv).collect();
    let zip = exports::zip(&osv)?;
    write_file(&out.join("osv").join("all.zip"), &zip)?;
    for s in &skipped {
        eprintln!(
            "skipped {} as {}: {}",
            s.public_id,
            s.format.as_str(),
            s.reason
        );
    }
    let count = |format: Format| files.iter().filter(|f| f.format == format).count();
    let advisories = {
        let mut ids: Vec<&str> = files.iter().map(|f| f.public_id.as_str()).collect();
        ids.dedup();
        ids.len()
    };
    println!(
        "exported {advisories} published advisories to {}: {} CVE records, {} OSV records \
         (and osv/all.zip), {} CSAF documents; {} skipped",
        out.display(),
        count(Format::Cve),
        count(Format::Osv),
        count(Format::Csaf),
        skipped.len()
    );
    Ok(ExitCode::SUCCESS)
}
