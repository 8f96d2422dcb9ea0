//! Structured logs on stderr through `tracing`. `EMBARGO_LOG` takes a filter
//! (`info`, `embargo_web=debug,…`). Request and response bodies and secrets are never logged.

use tracing_subscriber::EnvFilter;

use crate::config::{Config, LogFormat};

pub fn init(config: &Config, server: bool) {
    let default = if server { "info" } else { "warn" };
    let filter = EnvFilter::try_from_env("EMBARGO_LOG").unwrap_or_else(|_| EnvFilter::new(default));
    // The IMAP client logs every command, the password included, at TRACE: never let it through.
    let filter = match "async_imap=off".parse() {
        Ok(directive) => filter.add_directive(directive),
        Err(_) => filter,
    };
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    // A second init (tests) keeps the first subscriber.
    let _ = match config.log_format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}
