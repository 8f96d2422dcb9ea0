//! `embargo serve`: the web UI, the REST API and the background jobs.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

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

    // Background jobs: the outbox sender and the retry of stored mail still pending.
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let mut jobs = Vec::new();
    match &config.smtp_url {
        Some(url) => {
            let tuning = embargo_service::mail::sender::Tuning {
                lease: jiff::SignedDuration::from_millis(
                    i64::try_from(config.mail.claim_lease_ms).unwrap_or(i64::MAX),
                ),
                first_backoff: jiff::SignedDuration::from_millis(
                    i64::try_from(config.mail.retry_initial_ms).unwrap_or(i64::MAX),
                ),
            };
            let sender = embargo_service::mail::sender::Sender::from_url(
                url.as_str(),
                &config.mail_from,
                tuning,
            )?;
            jobs.push(tokio::spawn(embargo_service::mail::sender::run(
                app.clone(),
                sender,
                Duration::from_millis(config.mail.send_interval_ms.max(50)),
                stopped.clone(),
            )));
            tracing::info!(smtp = ?url, from = %config.mail_from, "sending mail");
        }
        None => tracing::warn!("smtp_url is not set: mails are queued but not sent"),
    }
    if let Some(imap) = &config.imap {
        let cfg = imap.poller(config.mail.max_message_bytes)?;
        let interval = Duration::from_secs(imap.poll_interval_secs.max(1));
        let poller_app = app.clone();
        let mut stop_imap = stopped.clone();
        jobs.push(tokio::spawn(async move {
            embargo_imap::run_poller(
                &cfg,
                interval,
                |m| super::imap_store(poller_app.clone(), m),
                async move {
                    let _ = stop_imap.changed().await;
                },
            )
            .await;
        }));
        tracing::info!(imap = ?imap, "polling the intake mailbox");
    }
    jobs.push(tokio::spawn(embargo_service::mail::inbound::run_pending(
        app.clone(),
        Duration::from_secs(30),
        stopped.clone(),
    )));

    // Advisories are published at their case's embargo instant (and at start, what was missed).
    jobs.push(tokio::spawn(embargo_service::advisories::run_publisher(
        app.clone(),
        Duration::from_secs(1),
        stopped.clone(),
    )));

    let local = listener.local_addr().context("reading the bound address")?;
    let router = embargo_web::router(
        embargo_web::AppState::new(app.clone()).with_public_url(config.public_url()),
    );
    tracing::info!(addr = %local, database = app.db.dialect().as_str(), "serving");
    println!("Embargo is listening on http://{local}");
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
    .context("serving HTTP")?;
    let _ = stop.send(true);
    for job in jobs {
        // A job in the middle of an SMTP exchange gets a moment to finish; a mail cut off here
        // is resent after its lease expires.
        let _ = tokio::time::timeout(Duration::from_secs(10), job).await;
    }
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
