//! `embargo cases`: the work queue, one case, and moving a case.

use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;
use embargo_service::cases::{self, CaseQuery, CaseRef, CaseView};
use serde::Serialize;

use crate::config::Config;
use crate::output::{Format, print_rows};

#[derive(Debug, Subcommand)]
pub enum CasesCommand {
    /// List open cases in work-queue order (overdue first)
    List {
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        /// Only these states, comma-separated (e.g. triage,accepted)
        #[arg(long)]
        state: Option<String>,
        #[arg(long = "as", default_value = "admin", value_name = "USER")]
        actor: String,
    },
    /// Show one case by id or tracking id
    Show {
        case: String,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        #[arg(long = "as", default_value = "admin", value_name = "USER")]
        actor: String,
    },
    /// Move a case to another state
    Transition {
        case: String,
        /// The new state, e.g. triage, accepted, rejected, fix-in-progress, released
        state: String,
        #[arg(long)]
        reason: Option<String>,
        /// For rejected: not-a-vulnerability, duplicate, out-of-scope, informative
        #[arg(long)]
        reject_reason: Option<String>,
        /// For a duplicate: the case it duplicates
        #[arg(long)]
        duplicate_of: Option<String>,
        /// For disclosed while a supported affected line has no fix: an admin's reason to
        /// disclose anyway (recorded in the audit trail)
        #[arg(long)]
        override_reason: Option<String>,
        /// Refuse if the case changed since this version was read
        #[arg(long)]
        expected_version: Option<i64>,
        #[arg(long = "as", default_value = "admin", value_name = "USER")]
        actor: String,
    },
    /// Assign a case to a team member or an engineer invited to it, or (--nobody) unassign it
    Assign {
        case: String,
        /// A username
        #[arg(required_unless_present = "nobody", conflicts_with = "nobody")]
        user: Option<String>,
        #[arg(long)]
        nobody: bool,
        /// Refuse if the case changed since this version was read
        #[arg(long)]
        expected_version: Option<i64>,
        #[arg(long = "as", default_value = "admin", value_name = "USER")]
        actor: String,
    },
    /// List a case's files: each report's raw original and attachments (the team and the case's
    /// engineers) and the files of the thread messages the account may read
    Files {
        case: String,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        #[arg(long = "as", default_value = "admin", value_name = "USER")]
        actor: String,
    },
    /// Write one file of a case to --out: `raw REPORT`, `report REPORT N` or `message MESSAGE N`
    /// (as `cases files` lists them)
    Download {
        case: String,
        /// raw, report or message
        kind: String,
        /// A report id (raw, report) or a message id (message)
        id: String,
        /// The file's position (report, message)
        n: Option<usize>,
        #[arg(long)]
        out: std::path::PathBuf,
        #[arg(long = "as", default_value = "admin", value_name = "USER")]
        actor: String,
    },
    /// Set a case's embargo by hand (with a reason), or give it back to the default: the later
    /// of its last patch release and the upstream's public date
    Embargo {
        case: String,
        /// When the advisory goes public (RFC 3339, e.g. 2026-12-08T14:00:00Z)
        #[arg(long, conflicts_with = "default", required_unless_present_any = ["default", "clear"])]
        at: Option<String>,
        /// Clear the embargo by hand (no date agreed)
        #[arg(long, conflicts_with_all = ["default", "at"])]
        clear: bool,
        /// Why the embargo is set by hand (required with --at and --clear)
        #[arg(long, required_unless_present = "default")]
        reason: Option<String>,
        /// Back to the default embargo
        #[arg(long)]
        default: bool,
        /// Refuse if the case changed since this version was read
        #[arg(long)]
        expected_version: Option<i64>,
        #[arg(long = "as", default_value = "admin", value_name = "USER")]
        actor: String,
    },
}

/// One file of a case, as `cases files` lists it.
#[derive(Serialize)]
struct FileRow {
    /// raw, report or message: the first argument of `cases download`.
    kind: &'static str,
    id: String,
    n: Option<usize>,
    name: String,
    media_type: String,
    size: Option<u64>,
    sha256: String,
}

impl FileRow {
    fn of(kind: &'static str, id: String, n: usize, a: &embargo_domain::Attachment) -> FileRow {
        FileRow {
            kind,
            id,
            n: Some(n),
            name: a.name.clone(),
            media_type: a.media_type.as_ref().to_owned(),
            size: Some(a.size),
            sha256: a.sha256.as_ref().to_owned(),
        }
    }
}

#[derive(Serialize)]
struct Summary {
    id: String,
    title: String,
    state: &'static str,
    severity: Option<&'static str>,
    score: Option<f64>,
    next_deadline: Option<String>,
    overdue: bool,
}

#[derive(Serialize)]
struct Detail {
    id: String,
    version: i64,
    title: String,
    state: &'static str,
    access: String,
    allowed_transitions: Vec<&'static str>,
    cvss_v31: Option<String>,
    cvss_v40: Option<String>,
    score: Option<f64>,
    severity: Option<&'static str>,
    fix_deadline: String,
    disclose_deadline: String,
    embargo: Option<String>,
    /// Why the embargo was set by hand; `None` while the default applies.
    embargo_reason: Option<String>,
    messages: usize,
}

fn detail(view: &CaseView) -> Detail {
    let c = &view.case;
    let score = c.cvss.score();
    Detail {
        id: c.id.to_string(),
        version: c.version,
        title: c.title.clone(),
        state: c.state.kind().as_str(),
        access: format!("{:?}", view.access).to_lowercase(),
        allowed_transitions: view.allowed.iter().map(|k| k.as_str()).collect(),
        cvss_v31: c.cvss.v3_1.as_ref().map(ToString::to_string),
        cvss_v40: c.cvss.v4_0.as_ref().map(ToString::to_string),
        score: score.map(|s| s.value()),
        severity: score.map(|s| s.severity().as_str()),
        fix_deadline: c.deadlines.fix.to_string(),
        disclose_deadline: c.deadlines.disclose.to_string(),
        embargo: c.embargo.map(|t| t.to_string()),
        embargo_reason: c.embargo_reason.clone(),
        messages: c.messages.len(),
    }
}

fn print_detail(format: Format, d: &Detail) -> anyhow::Result<()> {
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(d)?),
        Format::Table => {
            let none = || "-".to_owned();
            for (k, v) in [
                ("id", d.id.clone()),
                ("version", d.version.to_string()),
                ("title", d.title.clone()),
                ("state", d.state.to_owned()),
                ("next states", d.allowed_transitions.join(", ")),
                ("cvss 3.1", d.cvss_v31.clone().unwrap_or_else(none)),
                ("cvss 4.0", d.cvss_v40.clone().unwrap_or_else(none)),
                (
                    "score",
                    d.score
                        .map(|s| format!("{s:.1} {}", d.severity.unwrap_or_default()))
                        .unwrap_or_else(none),
                ),
                ("fix by", d.fix_deadline.clone()),
                ("disclose by", d.disclose_deadline.clone()),
                (
                    "embargo",
                    match (&d.embargo, &d.embargo_reason) {
                        (None, None) => "- (default: no release planned)".to_owned(),
                        (None, Some(r)) => format!("- (set by hand: {r})"),
                        (Some(t), None) => format!("{t} (default)"),
                        (Some(t), Some(r)) => format!("{t} (set by hand: {r})"),
                    },
                ),
                ("messages", d.messages.to_string()),
            ] {
                println!("{k:<12} {v}");
            }
        }
    }
    Ok(())
}

pub async fn run(config: Config, cmd: CasesCommand) -> anyhow::Result<ExitCode> {
    let app = super::open_app(&config).await?;
    match cmd {
        CasesCommand::List {
            format,
            state,
            actor,
        } => {
            let who = super::operator(&app, &config, &actor).await?;
            let states = state
                .as_deref()
                .unwrap_or("")
                .split(',')
                .filter(|s| !s.is_empty())
                .map(cases::parse_state)
                .collect::<Result<Vec<_>, _>>()?;
            let rows: Vec<Summary> = cases::list(
                &app,
                &who,
                CaseQuery {
                    states,
                    ..CaseQuery::default()
                },
            )
            .await?
            .into_iter()
            .map(|s| Summary {
                id: s.id.to_string(),
                title: s.title,
                state: s.state.kind().as_str(),
                severity: s.severity.map(|x| x.as_str()),
                score: s.score.map(|x| x.value()),
                next_deadline: s.next_deadline.map(|t| t.to_string()),
                overdue: s.overdue,
            })
            .collect();
            print_rows(
                format,
                &rows,
                &["id", "state", "severity", "next deadline", "title"],
                |r| {
                    vec![
                        r.id.clone(),
                        r.state.to_owned(),
                        r.severity.unwrap_or("-").to_owned(),
                        match (&r.next_deadline, r.overdue) {
                            (Some(t), true) => format!("{t} OVERDUE"),
                            (Some(t), false) => t.clone(),
                            (None, _) => "-".to_owned(),
                        },
                        r.title.chars().take(60).collect(),
                    ]
                },
            )?;
        }
        CasesCommand::Show {
            case,
            format,
            actor,
        } => {
            let who = super::operator(&app, &config, &actor).await?;
            let view = cases::get(&app, &who, CaseRef::parse(&case)?).await?;
            print_detail(format, &detail(&view))?;
        }
        CasesCommand::Transition {
            case,
            state,
            reason,
            reject_reason,
            duplicate_of,
            override_reason,
            expected_version,
            actor,
        } => {
            let who = super::operator(&app, &config, &actor).await?;
            let to =
                cases::parse_target(&state, reject_reason.as_deref(), duplicate_of.as_deref())?;
            let view = cases::transition(
                &app,
                &who,
                CaseRef::parse(&case)?,
                expected_version,
                to,
                reason.as_deref(),
                override_reason.as_deref(),
            )
            .await?;
            println!(
                "case {} is now {} (version {})",
                view.case.id,
                view.case.state.kind().as_str(),
                view.case.version
            );
        }
        CasesCommand::Assign {
            case,
            user,
            nobody: _,
            expected_version,
            actor,
        } => {
            let who = super::operator(&app, &config, &actor).await?;
            let case = CaseRef::parse(&case)?;
            let version = match expected_version {
                Some(v) => v,
                None => cases::get(&app, &who, case).await?.case.version,
            };
            let view = cases::assign(&app, &who, case, version, user.as_deref()).await?;
            println!(
                "case {} assigned to {}",
                view.case.id,
                user.as_deref().unwrap_or("nobody")
            );
        }
        CasesCommand::Files {
            case,
            format,
            actor,
        } => {
            let who = super::operator(&app, &config, &actor).await?;
            let case = CaseRef::parse(&case)?;
            let mut rows = Vec::new();
            // The reports as received are the team's and the engineers' only: others list the
            // thread's files.
            match cases::reports(&app, &who, case).await {
                Ok(reports) => {
                    for r in &reports {
                        rows.push(FileRow {
                            kind: "raw",
                            id: r.id().to_string(),
                            n: None,
                            name: format!("{} as received", r.tracking_id()),
                            media_type: String::new(),
                            size: None,
                            sha256: String::new(),
                        });
                        for (n, a) in r.attachments().iter().enumerate() {
                            rows.push(FileRow::of("report", r.id().to_string(), n, a));
                        }
                    }
                }
                Err(embargo_service::ServiceError::Forbidden) => {}
                Err(e) => return Err(e.into()),
            }
            for f in embargo_service::files::thread_files(&app, &who, case).await? {
                rows.push(FileRow::of(
                    "message",
                    f.message.to_string(),
                    f.position,
                    &f.file,
                ));
            }
            print_rows(format, &rows, &["kind", "id", "n", "size", "name"], |r| {
                vec![
                    r.kind.to_owned(),
                    r.id.clone(),
                    r.n.map(|n| n.to_string()).unwrap_or_default(),
                    r.size.map(|n| n.to_string()).unwrap_or_default(),
                    r.name.clone(),
                ]
            })?;
        }
        CasesCommand::Download {
            case,
            kind,
            id,
            n,
            out,
            actor,
        } => {
            let who = super::operator(&app, &config, &actor).await?;
            let case = CaseRef::parse(&case)?;
            let position = || n.context("give the file's position N (see `cases files`)");
            let not_an_id = |what: &str| format!("{id:?} is not a {what} id");
            let download = match kind.as_str() {
                "raw" => {
                    let report = id
                        .parse()
                        .map_err(|_| anyhow::anyhow!(not_an_id("report")))?;
                    embargo_service::files::report_raw(&app, &who, case, report).await?
                }
                "report" => {
                    let report = id
                        .parse()
                        .map_err(|_| anyhow::anyhow!(not_an_id("report")))?;
                    embargo_service::files::report_attachment(&app, &who, case, report, position()?)
                        .await?
                }
                "message" => {
                    let message = id
                        .parse()
                        .map_err(|_| anyhow::anyhow!(not_an_id("message")))?;
                    embargo_service::files::message_file(&app, &who, case, message, position()?)
                        .await?
                }
                other => anyhow::bail!("{other:?}: the kind is raw, report or message"),
            };
            std::fs::write(&out, &download.bytes)
                .with_context(|| format!("writing {}", out.display()))?;
            println!(
                "{} ({}, {} bytes) written to {}",
                download.name,
                download.media_type,
                download.bytes.len(),
                out.display()
            );
        }
        CasesCommand::Embargo {
            case,
            at,
            clear,
            reason,
            default,
            expected_version,
            actor,
        } => {
            let who = super::operator(&app, &config, &actor).await?;
            let case = CaseRef::parse(&case)?;
            let view = if default {
                cases::reset_embargo(&app, &who, case, expected_version).await?
            } else {
                let at = match (at.as_deref(), clear) {
                    (Some(t), _) => Some(
                        t.parse::<jiff::Timestamp>()
                            .with_context(|| format!("--at {t:?}: use RFC 3339"))?,
                    ),
                    (None, _) => None,
                };
                cases::set_embargo(
                    &app,
                    &who,
                    case,
                    expected_version,
                    at,
                    reason.as_deref().unwrap_or_default(),
                )
                .await?
            };
            let c = &view.case;
            println!(
                "case {} embargo: {} ({})",
                c.id,
                c.embargo
                    .map_or_else(|| "none".to_owned(), |t| t.to_string()),
                c.embargo_reason
                    .as_deref()
                    .map_or_else(|| "default".to_owned(), |r| format!("set by hand: {r}"))
            );
        }
    }
    app.db.close().await;
    Ok(ExitCode::SUCCESS)
}
