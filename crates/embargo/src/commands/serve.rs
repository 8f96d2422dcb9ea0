//! `embargo serve`: the web UI, the REST API and the background jobs.

use std::net::SocketAddr;
use std::process::ExitCode;

use anyhow::Context;
use tokio::net::TcpListener;

use crate::cli::ServeArgs;
use crate::config::Config;

pub async fn run(config: Config, args: ServeArgs) -> anyhow::Result<ExitCode> {
    let shutdown = shutdown_signal()?;
    // Bind first: a port in use is reported before anything else happens.
    let listener = TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("listen {}: cannot bind", config.listen))?;
    let app = super::open_app(&config).await?;

    let admin = embargo_service::bootstrap::ensure_first_admin(&app, &config.admin_email)
        .await
        .context("creating the first admin account")?;
    // Shown once on stdout for whoever started the server; never logged.
    super::announce_first_admin(admin, false);
    let moved = embargo_service::cases::apply_policy(&app)
        .await
        .context("applying the timeline policy to open cases")?;
    if moved > 0 {
        tracing::info!(
            cases = moved,
            "deadlines recomputed under the current timeline policy"
        );
    }
    if args.demo {
        let summary = embargo_service::demo::seed(&app)
            .await
            .context("seeding demo data")?;
        tracing::info!(release_lines = summary.release_lines, "demo data in place");
    }

    let local = listener.local_addr().context("reading the bound address")?;
    let router = embargo_web::router(embargo_web::AppState::new(app.clone()));
    tracing::info!(addr = %local, database = app.db.dialect().as_str(), "serving");
    println!("Embargo is listening on http://{local}");
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
    .context("serving HTTP")?;
    app.db.close().await;
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}

/// Registers for SIGINT and SIGTERM now, so a signal that arrives while starting up is not
/// lost; the returned future resolves on either, and requests in flight then finish before
/// the server stops.
fn shutdown_signal() -> anyhow::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut interrupt = signal(SignalKind::interrupt()).context("listening for SIGINT")?;
    let mut terminate = signal(SignalKind::terminate()).context("listening for SIGTERM")?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => {},
            _ = terminate.recv() => {},
        }
        tracing::info!("shutting down: finishing requests in flight");
    })
}
