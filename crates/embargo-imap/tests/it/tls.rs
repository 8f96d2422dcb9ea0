//! TLS through rustls (ring), trusting a private CA from `ca_file`.

use embargo_imap::{ImapError, PollStats, TlsMode, poll_once};

use crate::dovecot::{Dovecot, Options, report};

fn tls_server() -> Dovecot {
    Dovecot::start_with(Options {
        tls: true,
        ..Options::default()
    })
}

async fn keep_all(cfg: &embargo_imap::ImapConfig) -> Result<PollStats, ImapError> {
    poll_once(cfg, |_mail| std::future::ready(Ok::<(), String>(()))).await
}

#[tokio::test]
async fn implicit_tls_with_the_ca_file_takes_the_messages() {
    let server = tls_server();
    server.append("INBOX", &report(1)).await;
    let mut cfg = server.config();
    cfg.tls = TlsMode::Implicit;
    cfg.port = server.tls_port.unwrap();
    cfg.ca_file = Some(server.ca_file());

    let stats = keep_all(&cfg).await.unwrap();

    assert_eq!(stats.taken, 1);
}

#[tokio::test]
async fn implicit_tls_by_host_name_works_too() {
    let server = tls_server();
    let mut cfg = server.config();
    cfg.host = "localhost".to_owned();
    cfg.tls = TlsMode::Implicit;
    cfg.port = server.tls_port.unwrap();
    cfg.ca_file = Some(server.ca_file());

    let stats = keep_all(&cfg).await;

    assert_eq!(stats.unwrap(), PollStats::default());
}

#[tokio::test]
async fn starttls_with_the_ca_file_takes_the_messages() {
    let server = tls_server();
    server.append("INBOX", &report(1)).await;
    let mut cfg = server.config();
    cfg.tls = TlsMode::StartTls;
    cfg.ca_file = Some(server.ca_file());

    let stats = keep_all(&cfg).await.unwrap();

    assert_eq!(stats.taken, 1);
}

#[tokio::test]
async fn tls_without_the_ca_file_fails_on_the_certificate() {
    let server = tls_server();
    server.append("INBOX", &report(1)).await;
    for (tls, port) in [
        (TlsMode::Implicit, server.tls_port.unwrap()),
        (TlsMode::StartTls, server.port),
    ] {
        let mut cfg = server.config();
        cfg.tls = tls;
        cfg.port = port;

        let err = keep_all(&cfg).await.unwrap_err();

        assert!(matches!(err, ImapError::Tls { .. }), "{tls:?}: {err:?}");
        assert!(err.to_string().contains("certificate"), "{tls:?}: {err}");
    }
    assert_eq!(server.messages("INBOX").await.len(), 1);
}

#[tokio::test]
async fn an_unreadable_ca_file_is_reported_as_such() {
    let server = tls_server();
    let mut cfg = server.config();
    cfg.tls = TlsMode::Implicit;
    cfg.port = server.tls_port.unwrap();
    cfg.ca_file = Some("/nonexistent/ca.pem".into());

    let err = keep_all(&cfg).await.unwrap_err();

    assert!(matches!(err, ImapError::CaFile { .. }), "{err:?}");
}
