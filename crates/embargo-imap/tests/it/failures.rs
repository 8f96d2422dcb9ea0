//! Each failing step is reported as itself, and never with the password.

use std::time::Duration;

use embargo_imap::{ImapError, poll_once};
use secrecy::SecretString;

use crate::dovecot::{Dovecot, report};

async fn never_called(_: embargo_imap::FetchedMail) -> Result<(), String> {
    panic!("store must not be called")
}

#[tokio::test]
async fn a_wrong_password_is_a_login_error_that_does_not_contain_the_password() {
    let server = Dovecot::start();
    server.append("INBOX", &report(1)).await;
    let mut cfg = server.config();
    let wrong = "Wr0ng-but-Secret-Guess";
    cfg.password = SecretString::from(wrong.to_owned());

    let err = poll_once(&cfg, never_called).await.unwrap_err();

    assert!(matches!(err, ImapError::Login { .. }), "{err:?}");
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains(wrong), "password leaked: {shown}");
    assert!(shown.contains("reports"), "names the user: {shown}");
    assert!(
        shown.to_ascii_lowercase().contains("authentication failed"),
        "{shown}"
    );
    // (Nothing was touched: `never_called` panics. Dovecot now delays logins from this address,
    // so the test does not log in again to look.)
}

#[tokio::test]
async fn a_password_with_a_line_break_is_refused_without_echoing_it() {
    let server = Dovecot::start();
    let mut cfg = server.config();
    cfg.password = SecretString::from("abc\ndef".to_owned());

    let err = poll_once(&cfg, never_called).await.unwrap_err();

    assert!(matches!(err, ImapError::Login { .. }), "{err:?}");
    assert!(!format!("{err} {err:?}").contains("abc"), "{err}");
}

#[tokio::test]
async fn an_unreachable_port_is_a_connect_error() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let server = Dovecot::start();
    let mut cfg = server.config();
    cfg.port = port;

    let err = poll_once(&cfg, never_called).await.unwrap_err();

    assert!(
        matches!(err, ImapError::Connect { port: p, .. } if p == port),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_server_that_never_greets_is_a_timeout() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = Dovecot::start();
    let mut cfg = server.config();
    cfg.port = port;
    cfg.timeout = Duration::from_millis(200);
    let hold = tokio::spawn(async move {
        let (conn, _) = listener.accept().await.unwrap();
        tokio::time::sleep(Duration::from_secs(5)).await;
        drop(conn);
    });

    let err = poll_once(&cfg, never_called).await.unwrap_err();

    assert!(
        matches!(
            err,
            ImapError::Timeout {
                step: "greeting",
                ..
            }
        ),
        "{err:?}"
    );
    hold.abort();
}

#[tokio::test]
async fn a_missing_folder_is_a_select_error() {
    let server = Dovecot::start();
    let mut cfg = server.config();
    cfg.folder = "Reports".to_owned();

    let err = poll_once(&cfg, never_called).await.unwrap_err();

    assert!(
        matches!(&err, ImapError::Select { folder, .. } if folder == "Reports"),
        "{err:?}"
    );
}

#[tokio::test]
async fn the_processed_folder_must_differ_from_the_polled_one() {
    let server = Dovecot::start();
    let mut cfg = server.config();
    cfg.processed_folder = "inbox".to_owned();

    let err = poll_once(&cfg, never_called).await.unwrap_err();

    assert!(
        matches!(
            err,
            ImapError::Config {
                field: "processed_folder",
                ..
            }
        ),
        "{err:?}"
    );
}
