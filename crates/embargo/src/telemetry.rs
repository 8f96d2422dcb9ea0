//! Structured logs on stderr through `tracing`. `EMBARGO_LOG` takes a filter
//! (`info`, `embargo_web=debug,…`). Request and response bodies and secrets are never logged.

use tracing_subscriber::EnvFilter;

use crate::config::{Config, LogFormat};

pub fn init(config: &Config, server: bool) {
    let default = if server { "info" } else { "warn" };
    let filter = EnvFilter::try_from_env("EMBARGO_LOG").unwrap_or_else(|_| EnvFilter::new(default));
    // Crates that log what they handle, whatever the filter asks: the IMAP client logs every
    // command (the password included) at TRACE; the HTML parser under the Markdown sanitizer
    // logs the text it parses (embargoed messages) at DEBUG.
    let filter = [
        "async_imap=off",
        "html5ever=info",
        "markup5ever=info",
        "ammonia=info",
    ]
    .into_iter()
    .filter_map(|d| d.parse().ok())
    .fold(filter, EnvFilter::add_directive);
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    // A second init (tests) keeps the first subscriber.
    let _ = match config.log_format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}
