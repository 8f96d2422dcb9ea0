//! Taking messages: each one exactly once per successful store, never skipped.

use std::collections::BTreeSet;
use std::future::{Ready, ready};
use std::time::Duration;

use embargo_imap::{FetchedMail, PollStats, poll_once, run_poller};

use crate::dovecot::{Dovecot, Options, PROCESSED, report};

/// A `store` that keeps what it is given; messages containing `fail` are refused.
fn keep<'a>(
    got: &'a mut Vec<FetchedMail>,
    fail: Option<&'a [u8]>,
) -> impl FnMut(FetchedMail) -> Ready<Result<(), String>> + 'a {
    move |mail| {
        if let Some(marker) = fail
            && mail.raw.windows(marker.len()).any(|w| w == marker)
        {
            return ready(Err("database is unavailable".to_owned()));
        }
        got.push(mail);
        ready(Ok(()))
    }
}

fn raws(mails: &[FetchedMail]) -> BTreeSet<Vec<u8>> {
    mails.iter().map(|m| m.raw.clone()).collect()
}

#[tokio::test]
async fn takes_every_message_in_batches_and_moves_it_to_the_processed_folder() {
    let server = Dovecot::start();
    let sent: Vec<Vec<u8>> = (1..=7).map(report).collect();
    server.append_all("INBOX", &sent).await;
    let mut cfg = server.config();
    cfg.fetch_batch = 3;

    let mut got = Vec::new();
    let stats = poll_once(&cfg, keep(&mut got, None)).await.unwrap();

    assert_eq!(
        stats,
        PollStats {
            taken: 7,
            failed: 0,
            left: 0
        }
    );
    assert_eq!(raws(&got), sent.iter().cloned().collect());
    assert!(server.messages("INBOX").await.is_empty());
    let processed = server.messages(PROCESSED).await;
    let processed: BTreeSet<Vec<u8>> = processed.into_iter().map(|m| m.raw).collect();
    assert_eq!(processed, sent.iter().cloned().collect());
}

#[tokio::test]
async fn a_second_poll_takes_nothing() {
    let server = Dovecot::start();
    server.append_all("INBOX", &[report(1), report(2)]).await;
    let cfg = server.config();
    let mut got = Vec::new();
    poll_once(&cfg, keep(&mut got, None)).await.unwrap();

    let mut again = Vec::new();
    let stats = poll_once(&cfg, keep(&mut again, None)).await.unwrap();

    assert_eq!(stats, PollStats::default());
    assert!(again.is_empty());
    assert_eq!(server.messages(PROCESSED).await.len(), 2);
}

#[tokio::test]
async fn a_failed_store_leaves_the_message_unread_in_the_folder_and_the_next_poll_takes_it() {
    let server = Dovecot::start();
    let mut unlucky = report(2);
    unlucky.extend_from_slice(b"FAIL-ME\r\n");
    server
        .append_all("INBOX", &[report(1), unlucky.clone(), report(3)])
        .await;
    let cfg = server.config();

    let mut got = Vec::new();
    let stats = poll_once(&cfg, keep(&mut got, Some(b"FAIL-ME")))
        .await
        .unwrap();

    assert_eq!(
        stats,
        PollStats {
            taken: 2,
            failed: 1,
            left: 1
        }
    );
    assert_eq!(raws(&got), [report(1), report(3)].into_iter().collect());
    let left = server.messages("INBOX").await;
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].raw, unlucky);
    assert!(
        !left[0].flags.iter().any(|f| f.contains("Seen")),
        "fetching must not set \\Seen: {:?}",
        left[0].flags
    );

    let mut retried = Vec::new();
    let stats = poll_once(&cfg, keep(&mut retried, None)).await.unwrap();

    assert_eq!(
        stats,
        PollStats {
            taken: 1,
            failed: 0,
            left: 0
        }
    );
    assert_eq!(retried.len(), 1);
    assert_eq!(retried[0].raw, unlucky);
    assert_eq!(server.messages(PROCESSED).await.len(), 3);
}

#[tokio::test]
async fn messages_appended_between_polls_are_taken() {
    let server = Dovecot::start();
    let cfg = server.config();
    server.append("INBOX", &report(1)).await;
    let mut got = Vec::new();
    poll_once(&cfg, keep(&mut got, None)).await.unwrap();

    server.append_all("INBOX", &[report(2), report(3)]).await;
    let stats = poll_once(&cfg, keep(&mut got, None)).await.unwrap();

    assert_eq!(
        stats,
        PollStats {
            taken: 2,
            failed: 0,
            left: 0
        }
    );
    assert_eq!(raws(&got), (1..=3).map(report).collect());
    let keys: BTreeSet<String> = got.iter().map(FetchedMail::source_key).collect();
    assert_eq!(keys.len(), 3, "source keys must be distinct: {keys:?}");
}

#[tokio::test]
async fn raw_bytes_are_identical_for_8bit_content_and_a_5_mb_message() {
    let server = Dovecot::start();
    // Every byte value an IMAP literal can carry (all but NUL, and CR/LF only as line ends).
    let mut eight_bit =
        b"Subject: =?utf-8?q?8bit?=\r\nContent-Type: application/octet-stream\r\n\r\n".to_vec();
    for chunk in (1u8..=255)
        .filter(|b| *b != b'\r' && *b != b'\n')
        .collect::<Vec<_>>()
        .chunks(60)
    {
        eight_bit.extend_from_slice(chunk);
        eight_bit.extend_from_slice(b"\r\n");
    }
    eight_bit.extend_from_slice("Grüße, 漏洞报告 \u{1F41B}\r\n".as_bytes());
    let mut large = b"Subject: proof of concept\r\n\r\n".to_vec();
    let mut i = 0u32;
    while large.len() < 5 * 1024 * 1024 {
        i = i.wrapping_mul(1_103_515_245).wrapping_add(12345);
        let line: Vec<u8> = (0..76)
            .map(|k| 0x21 + ((i >> (k % 24)) as u8 ^ k as u8) % 0x5e)
            .collect();
        large.extend_from_slice(&line);
        large.extend_from_slice(b"\r\n");
    }
    server
        .append_all("INBOX", &[eight_bit.clone(), large.clone()])
        .await;

    let mut got = Vec::new();
    let stats = poll_once(&server.config(), keep(&mut got, None))
        .await
        .unwrap();

    assert_eq!(stats.taken, 2);
    let find = |wanted: &[u8]| got.iter().find(|m| m.raw == wanted).is_some();
    assert!(find(&eight_bit), "8-bit message came back changed");
    assert!(find(&large), "5 MB message came back changed");
    assert!(
        got.iter()
            .all(|m| !m.truncated && m.size as usize == m.raw.len())
    );
}

#[tokio::test]
async fn a_message_over_the_size_limit_is_handed_over_cut_and_marked_and_kept_whole_on_the_server()
{
    let server = Dovecot::start();
    let mut big = report(1);
    big.extend(std::iter::repeat_n(b'x', 10_000));
    big.extend_from_slice(b"\r\n");
    server.append_all("INBOX", &[big.clone(), report(2)]).await;
    let mut cfg = server.config();
    cfg.max_message_bytes = 1000;

    let mut got = Vec::new();
    let stats = poll_once(&cfg, keep(&mut got, None)).await.unwrap();

    assert_eq!(
        stats,
        PollStats {
            taken: 2,
            failed: 0,
            left: 0
        }
    );
    let cut = got.iter().find(|m| m.truncated).unwrap();
    assert_eq!(cut.raw, big[..1000]);
    assert_eq!(cut.size as usize, big.len());
    let small = got.iter().find(|m| !m.truncated).unwrap();
    assert_eq!(small.raw, report(2));
    let processed = server.messages(PROCESSED).await;
    assert!(
        processed.iter().any(|m| m.raw == big),
        "the full message stays on the server"
    );
}

#[tokio::test]
async fn source_key_names_user_server_folder_uidvalidity_and_uid() {
    let server = Dovecot::start();
    server.append("INBOX", &report(1)).await;
    let uid = server.messages("INBOX").await[0].uid;
    let validity = server.uid_validity("INBOX").await;

    let mut got = Vec::new();
    poll_once(&server.config(), keep(&mut got, None))
        .await
        .unwrap();

    assert_eq!((got[0].uid, got[0].uid_validity), (uid, validity));
    assert_eq!(
        got[0].source_key(),
        format!("imap:reports@127.0.0.1/INBOX:{validity}:{uid}")
    );
}

#[tokio::test]
async fn without_move_support_copy_and_uid_expunge_take_the_messages() {
    let server = Dovecot::start_with(Options {
        capability: Some("IMAP4rev1 LITERAL+ UIDPLUS"),
        ..Options::default()
    });
    let caps = server.capabilities().await;
    assert!(
        caps.contains(&"UIDPLUS".to_owned()) && !caps.contains(&"MOVE".to_owned()),
        "{caps:?}"
    );
    server.append_all("INBOX", &[report(1), report(2)]).await;

    let mut got = Vec::new();
    let stats = poll_once(&server.config(), keep(&mut got, None))
        .await
        .unwrap();

    assert_eq!(
        stats,
        PollStats {
            taken: 2,
            failed: 0,
            left: 0
        }
    );
    assert!(server.messages("INBOX").await.is_empty());
    assert_eq!(server.messages(PROCESSED).await.len(), 2);
}

#[tokio::test]
async fn without_move_or_uidplus_the_expunge_spares_a_failed_message_that_another_client_deleted() {
    let server = Dovecot::start_with(Options {
        capability: Some("IMAP4rev1 LITERAL+"),
        ..Options::default()
    });
    let caps = server.capabilities().await;
    assert!(
        !caps.contains(&"UIDPLUS".to_owned()) && !caps.contains(&"MOVE".to_owned()),
        "{caps:?}"
    );
    let mut unlucky = report(2);
    unlucky.extend_from_slice(b"FAIL-ME\r\n");
    server
        .append_all("INBOX", &[report(1), unlucky.clone(), report(3)])
        .await;
    let unlucky_uid = server.messages("INBOX").await[1].uid;
    server.flag_deleted("INBOX", unlucky_uid).await;

    let mut got = Vec::new();
    let stats = poll_once(&server.config(), keep(&mut got, Some(b"FAIL-ME")))
        .await
        .unwrap();

    assert_eq!(
        stats,
        PollStats {
            taken: 2,
            failed: 1,
            left: 1
        }
    );
    let left = server.messages("INBOX").await;
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].raw, unlucky);
    assert!(
        left[0].flags.iter().any(|f| f.contains("Deleted")),
        "the other client's \\Deleted flag is restored: {:?}",
        left[0].flags
    );
    assert_eq!(server.messages(PROCESSED).await.len(), 2);
}

#[tokio::test]
async fn the_poller_takes_messages_as_they_arrive_until_shut_down() {
    let server = Dovecot::start();
    server.append("INBOX", &report(1)).await;
    let cfg = server.config();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let mut got = Vec::new();

    let poller = run_poller(
        &cfg,
        Duration::from_millis(50),
        keep(&mut got, None),
        async {
            let _ = stopped.await;
        },
    );
    let driver = async {
        wait_for(|| async { server.messages(PROCESSED).await.len() == 1 }).await;
        server.append("INBOX", &report(2)).await;
        wait_for(|| async { server.messages(PROCESSED).await.len() == 2 }).await;
        stop.send(()).unwrap();
    };
    tokio::time::timeout(Duration::from_secs(20), async {
        tokio::join!(poller, driver)
    })
    .await
    .expect("the poller stops when told to");

    assert_eq!(raws(&got), [report(1), report(2)].into_iter().collect());
}

async fn wait_for<F, Fut>(mut condition: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    while !condition().await {
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}
