//! `embargo import`: upstream advisories (OSV or CVE JSON 5 records) from files, directories
//! and zip archives, and the list of those imported.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Subcommand;
use embargo_service::upstream::{self, Outcome};

use crate::config::Config;
use crate::output::{Format as Output, print_rows};

/// The largest document read from a zip entry or a file; a record is a few kilobytes.
const MAX_DOCUMENT_BYTES: u64 = 16 * 1024 * 1024;

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// OSV records: files, directories (every *.json, recursively) or zip archives
    Osv(Paths),
    /// CVE JSON 5 records: files, directories (every *.json, recursively) or zip archives
    Cve(Paths),
    /// The upstream advisories imported so far
    List {
        #[arg(long, value_enum, default_value_t = Output::Table)]
        format: Output,
        #[arg(long = "as", default_value = "admin", value_name = "USER")]
        actor: String,
    },
}

#[derive(Debug, clap::Args)]
pub struct Paths {
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Print a line for every document, not only for failures
    #[arg(long, short)]
    verbose: bool,
    #[arg(long = "as", default_value = "admin", value_name = "USER")]
    actor: String,
}

/// One document to import: where it came from and its bytes, or why it could not be read.
struct Document {
    source: String,
    bytes: Result<Vec<u8>, String>,
}

fn is_zip(path: &Path) -> bool {
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("zip"))
    {
        return true;
    }
    let mut magic = [0u8; 4];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut magic))
        .is_ok_and(|()| magic == *b"PK\x03\x04")
}

fn read_limited(mut r: impl Read, what: &str) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    r.by_ref()
        .take(MAX_DOCUMENT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read {what}: {e}"))?;
    if bytes.len() as u64 > MAX_DOCUMENT_BYTES {
        return Err(format!(
            "{what} is larger than {MAX_DOCUMENT_BYTES} bytes; not a single record"
        ));
    }
    Ok(bytes)
}

fn zip_documents(path: &Path, out: &mut Vec<Document>) {
    let source = path.display().to_string();
    let archive = std::fs::File::open(path)
        .map_err(|e| format!("cannot open it: {e}"))
        .and_then(|f| zip::ZipArchive::new(f).map_err(|e| format!("not a zip archive: {e}")));
    let mut archive = match archive {
        Ok(a) => a,
        Err(reason) => {
            out.push(Document {
                source,
                bytes: Err(reason),
            });
            return;
        }
    };
    for i in 0..archive.len() {
        let entry = match archive.by_index(i) {
            Ok(e) => e,
            Err(e) => {
                out.push(Document {
                    source: format!("{source}!#{i}"),
                    bytes: Err(format!("unreadable zip entry: {e}")),
                });
                continue;
            }
        };
        let name = match entry.name() {
            Ok(n) => n.into_owned(),
            Err(e) => {
                out.push(Document {
                    source: format!("{source}!#{i}"),
                    bytes: Err(format!("zip entry with an unusable name: {e}")),
                });
                continue;
            }
        };
        if entry.is_dir() || !name.to_ascii_lowercase().ends_with(".json") {
            continue;
        }
        out.push(Document {
            source: format!("{source}!{name}"),
            bytes: read_limited(entry, "the zip entry"),
        });
    }
}

fn dir_documents(dir: &Path, out: &mut Vec<Document>) {
    let mut entries: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
        Err(e) => {
            out.push(Document {
                source: dir.display().to_string(),
                bytes: Err(format!("cannot read the directory: {e}")),
            });
            return;
        }
    };
    entries.sort();
    for path in entries {
        if path.is_dir() {
            dir_documents(&path, out);
        } else if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"))
        {
            out.push(file_document(&path));
        }
    }
}

fn file_document(path: &Path) -> Document {
    Document {
        source: path.display().to_string(),
        bytes: std::fs::File::open(path)
            .map_err(|e| format!("cannot open it: {e}"))
            .and_then(|f| read_limited(f, "the file")),
    }
}

/// Every document `paths` name, in order: a directory's *.json files recursively (sorted), a
/// zip archive's *.json entries, any other file as one document.
fn documents(paths: &[PathBuf]) -> Vec<Document> {
    let mut out = Vec::new();
    for path in paths {
        if path.is_dir() {
            dir_documents(path, &mut out);
        } else if !path.exists() {
            out.push(Document {
                source: path.display().to_string(),
                bytes: Err("no such file or directory".to_owned()),
            });
        } else if is_zip(path) {
            zip_documents(path, &mut out);
        } else {
            out.push(file_document(path));
        }
    }
    out
}

#[derive(serde::Serialize)]
struct Row {
    format: &'static str,
    id: String,
    aliases: Vec<String>,
    published: Option<String>,
    modified: Option<String>,
    withdrawn: Option<String>,
    affected: usize,
    title: Option<String>,
    sha256: String,
    source: String,
    /// Everything the record states, as stored (JSON output only).
    advisory: serde_json::Value,
}

pub async fn run(config: Config, cmd: ImportCommand) -> anyhow::Result<ExitCode> {
    let app = super::open_app(&config).await?;
    let code = match cmd {
        ImportCommand::Osv(p) => {
            import(&app, &config, embargo_export::import::Format::Osv, p).await?
        }
        ImportCommand::Cve(p) => {
            import(&app, &config, embargo_export::import::Format::Cve, p).await?
        }
        ImportCommand::List { format, actor } => {
            let who = super::operator(&app, &config, &actor).await?;
            let rows: Vec<Row> = upstream::list(&app, &who)
                .await?
                .into_iter()
                .map(|a| {
                    Ok(Row {
                        advisory: serde_json::to_value(&a.advisory)?,
                        format: upstream::format_name(a.format),
                        id: a.upstream_id,
                        aliases: a.aliases,
                        published: a.published.map(|t| t.to_string()),
                        modified: a.modified.map(|t| t.to_string()),
                        withdrawn: a.withdrawn.map(|t| t.to_string()),
                        affected: a.advisory.affected.len(),
                        title: a.title,
                        sha256: a.sha256,
                        source: a.source,
                    })
                })
                .collect::<Result<_, serde_json::Error>>()?;
            print_rows(
                format,
                &rows,
                &["format", "id", "aliases", "published", "title"],
                |r| {
                    vec![
                        r.format.to_owned(),
                        r.id.clone(),
                        r.aliases.join(","),
                        r.published.clone().unwrap_or_else(|| "-".to_owned()),
                        r.title.clone().unwrap_or_default(),
                    ]
                },
            )?;
            ExitCode::SUCCESS
        }
    };
    app.db.close().await;
    Ok(code)
}

async fn import(
    app: &embargo_service::App,
    config: &Config,
    format: embargo_export::import::Format,
    p: Paths,
) -> anyhow::Result<ExitCode> {
    let who = super::operator(app, config, &p.actor).await?;
    let (mut new, mut updated, mut unchanged, mut failed) = (0usize, 0usize, 0usize, 0usize);
    for doc in documents(&p.paths) {
        let result = match doc.bytes {
            Ok(bytes) => upstream::import(app, &who, format, &bytes, &doc.source)
                .await
                .map_err(|e| e.to_string()),
            Err(reason) => Err(reason),
        };
        match result {
            Ok(done) => {
                match done.outcome {
                    Outcome::New => new += 1,
                    Outcome::Updated => updated += 1,
                    Outcome::Unchanged => unchanged += 1,
                }
                if p.verbose {
                    println!(
                        "{:<9} {} ({})",
                        done.outcome.as_str(),
                        done.upstream_id,
                        doc.source
                    );
                }
            }
            Err(reason) => {
                failed += 1;
                eprintln!("failed    {}: {reason}", doc.source);
            }
        }
    }
    println!(
        "{} {} document(s): {new} new, {updated} updated, {unchanged} unchanged, {failed} failed",
        upstream::format_name(format),
        new + updated + unchanged + failed
    );
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_path_is_one_failed_document_naming_it() {
        let docs = documents(&[PathBuf::from("/nonexistent/advisory.json")]);
        assert_eq!(docs.len(), 1);
        assert_eq!(docs[0].source, "/nonexistent/advisory.json");
        assert!(docs[0].bytes.is_err());
    }
}
