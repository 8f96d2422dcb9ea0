//! `embargo cvss`: score and explain CVSS vectors.
//!
//! All CVSS logic lives in `embargo-cvss` (`embargo_cvss::report` builds the
//! JSON and the explanation); this module only reads input and writes output.

use anyhow::Context as _;
use embargo_cvss::Cvss;
use embargo_cvss::report::{explain, score_line};
use std::io::{self, BufRead as _, BufWriter, Write as _};
use std::process::ExitCode;

#[derive(clap::Subcommand, Debug)]
pub enum CvssCommand {
    /// Score vectors: one JSON object per vector on standard output, in input
    /// order. Invalid vectors get `{"input","error"}` objects; the exit code is
    /// 1 if any input was invalid.
    Score {
        /// Read vectors from standard input, one per line (blank lines
        /// skipped), after any given as arguments.
        #[arg(long)]
        stdin: bool,
        /// Vector strings, e.g. CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H
        vectors: Vec<String>,
    },
    /// Explain one vector: its metrics, sub-scores or MacroVector, and scores.
    Explain {
        /// The vector string.
        vector: String,
    },
}

pub fn run(cmd: CvssCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        CvssCommand::Score { stdin, vectors } => score(stdin, &vectors),
        CvssCommand::Explain { vector } => {
            let cvss: Cvss = vector.parse().context("invalid CVSS vector")?;
            print!("{}", explain(&cvss));
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn score(from_stdin: bool, vectors: &[String]) -> anyhow::Result<ExitCode> {
    if !from_stdin && vectors.is_empty() {
        anyhow::bail!("no vectors given: pass vector strings or --stdin");
    }
    let mut out = BufWriter::with_capacity(1 << 16, io::stdout().lock());
    let mut any_invalid = false;
    for vector in vectors {
        any_invalid |= !write_report(&mut out, vector)?;
    }
    if from_stdin {
        let mut input = io::stdin().lock();
        let mut line = Vec::with_capacity(256);
        loop {
            line.clear();
            let read = input
                .read_until(b'\n', &mut line)
                .context("reading standard input")?;
            if read == 0 {
                break;
            }
            // Invalid UTF-8 becomes U+FFFD and is reported as an invalid vector.
            let text = String::from_utf8_lossy(&line);
            let vector = text.trim_end_matches(['\n', '\r']);
            if vector.trim().is_empty() {
                continue;
            }
            any_invalid |= !write_report(&mut out, vector)?;
        }
    }
    out.flush().context("writing standard output")?;
    Ok(if any_invalid {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// Writes the JSON report of one vector as a line; returns whether it was valid.
fn write_report(out: &mut impl io::Write, vector: &str) -> anyhow::Result<bool> {
    let report = score_line(vector);
    writeln!(out, "{report}").context("writing standard output")?;
    Ok(report.is_valid())
}
