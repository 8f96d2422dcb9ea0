//! `embargo`: the one binary. Parses the command line, loads the configuration, wires the
//! crates together and runs one subcommand. No product logic lives here.

mod cli;
mod commands;
mod config;
mod output;
mod telemetry;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    if matches!(cli.command, Command::Mailgate { .. }) {
        // The MTA keeps and retries a message on exit 75; any other failure would bounce it.
        // A panic must not bounce the message either.
        return match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(cli))) {
            Ok(Ok(code)) => code,
            Ok(Err(e)) => {
                eprintln!("error: {e:#}");
                ExitCode::from(commands::mailgate::EX_TEMPFAIL)
            }
            Err(_) => ExitCode::from(commands::mailgate::EX_TEMPFAIL),
        };
    }
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            // User errors are one line naming the setting and the problem; no backtrace.
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    // Pure commands need neither configuration nor storage.
    let command = match cli.command {
        Command::Cvss(cmd) => return commands::cvss::run(cmd),
        other => other,
    };
    let cli = Cli { command, ..cli };
    let config = config::load(&cli.global, cli.command.listen_override())?;
    telemetry::init(&config, cli.command.is_server());
    match cli.command {
        Command::Serve(args) => runtime()?.block_on(commands::serve::run(config, args)),
        Command::Migrate => runtime()?.block_on(commands::migrate::run(config)),
        Command::Demo => runtime()?.block_on(commands::demo::run(config)),
        Command::Config => commands::show_config(&config),
        Command::User(cmd) => runtime()?.block_on(commands::user::run(config, cmd)),
        Command::Settings(cmd) => runtime()?.block_on(commands::settings::run(config, cmd)),
        Command::Reports(cmd) => runtime()?.block_on(commands::reports::run(config, cmd)),
        Command::Cases(cmd) => runtime()?.block_on(commands::cases::run(config, cmd)),
        Command::Catalog(cmd) => runtime()?.block_on(commands::catalog::run(config, cmd)),
        Command::Advisories(cmd) => runtime()?.block_on(commands::advisories::run(config, cmd)),
        Command::Prenotify(cmd) => runtime()?.block_on(commands::prenotify::run(config, cmd)),
        Command::Export(cmd) => runtime()?.block_on(commands::export::run(config, cmd)),
        Command::Import(cmd) => runtime()?.block_on(commands::import::run(config, cmd)),
        Command::CvePool(cmd) => runtime()?.block_on(commands::advisories::run_pool(config, cmd)),
        Command::Releases(cmd) => runtime()?.block_on(commands::releases::run(config, cmd)),
        Command::Cvss(cmd) => commands::cvss::run(cmd),
        Command::Mailgate { source } => {
            runtime()?.block_on(commands::mailgate::run(config, source))
        }
        Command::Mail(cmd) => runtime()?.block_on(commands::mail::run(config, cmd)),
        Command::Pgp(cmd) => runtime()?.block_on(commands::pgp::run(config, cmd)),
    }
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
}
