//! `embargo demo`: seed the demo data and exit.

use std::process::ExitCode;

use anyhow::Context;

use crate::config::Config;

pub async fn run(config: Config) -> anyhow::Result<ExitCode> {
    let app = super::open_app(&config).await?;
    let summary = embargo_service::demo::seed(&app)
        .await
        .context("seeding demo data")?;
    println!(
        "demo data in place: product Gateway, {} release lines, {} new demo cases",
        summary.release_lines, summary.cases
    );
    app.db.close().await;
    Ok(ExitCode::SUCCESS)
}
