//! `embargo migrate`: apply migrations alone, e.g. before rolling out new `serve` instances.

use std::process::ExitCode;

use crate::config::Config;

pub async fn run(config: Config) -> anyhow::Result<ExitCode> {
    let app = super::open_app(&config).await?;
    println!(
        "database ({}) is at migration {}",
        app.db.dialect().as_str(),
        app.db.expected_migration()
    );
    app.db.close().await;
    Ok(ExitCode::SUCCESS)
}
