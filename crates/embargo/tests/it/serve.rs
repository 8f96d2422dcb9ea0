//! `embargo serve`, `migrate` and `demo` against the test backend.

use std::time::Duration;

use embargo_store::Dialect;
use embargo_testkit::{TestDb, backend};
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};

use crate::support::{Server, client, embargo};

/// `embargo` pointed at the test database (and a temporary data dir).
fn embargo_on(t: &TestDb, data_dir: &std::path::Path) -> std::process::Command {
    let mut cmd = embargo(data_dir);
    cmd.env("EMBARGO_DATABASE_URL", &t.url);
    cmd
}

async fn count(t: &TestDb, table: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
        .fetch_one(t.db.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn health_and_readiness_answer_once_serving() {
    let t = TestDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(embargo_on(&t, dir.path()));
    let http = client();

    let health = http.get(server.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    let csp = health.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains("default-src 'none'"), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");

    let ready = http.get(server.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200);
    let body: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(body["status"], "ready");

    let exit = server.terminate();
    assert!(
        exit.success(),
        "SIGTERM should stop the server cleanly: {exit:?}"
    );
}

#[tokio::test]
async fn the_first_start_prints_the_admin_password_once_and_a_restart_keeps_the_data() {
    let t = TestDb::new().await;
    let dir = tempfile::tempdir().unwrap();

    let first = Server::start(embargo_on(&t, dir.path()));
    let banner = first.banner.join("\n");
    assert!(banner.contains("username: admin"), "{banner}");
    let password = first
        .banner
        .iter()
        .find_map(|l| l.trim().strip_prefix("password: "))
        .expect("a one-time password line")
        .to_owned();
    assert!(password.len() >= 20, "password too short");
    assert!(first.terminate().success());

    let hash: String =
        sqlx::query_scalar("SELECT password_hash FROM users WHERE username = 'admin'")
            .fetch_one(t.db.pool())
            .await
            .unwrap();
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(!hash.contains(&password));

    let second = Server::start(embargo_on(&t, dir.path()));
    let banner = second.banner.join("\n");
    assert!(
        !banner.contains("password"),
        "password shown again: {banner}"
    );
    assert!(!banner.contains(&password));
    assert!(second.terminate().success());
    assert_eq!(count(&t, "users WHERE role = 'admin'").await, 1);
}

#[tokio::test]
async fn the_default_sqlite_file_lives_in_the_data_dir_and_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let first = Server::start(embargo(dir.path()));
    assert!(first.banner.join("\n").contains("username: admin"));
    assert!(first.terminate().success());
    assert!(dir.path().join("embargo.db").is_file());

    let second = Server::start(embargo(dir.path()));
    assert!(!second.banner.join("\n").contains("password"));
    assert!(second.terminate().success());
}

#[tokio::test]
async fn demo_seeding_is_idempotent() {
    let t = TestDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    for _ in 0..2 {
        let out = embargo_on(&t, dir.path()).arg("demo").output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stdout).contains("8 release lines"));
    }
    assert_eq!(count(&t, "products").await, 1);
    assert_eq!(count(&t, "editions").await, 2);
    assert_eq!(count(&t, "release_lines").await, 8);
    assert_eq!(count(&t, "components").await, 24);
    assert_eq!(count(&t, "cases").await, 12);
    let states: Vec<String> = sqlx::query_scalar("SELECT DISTINCT state FROM cases ORDER BY state")
        .fetch_all(t.db.pool())
        .await
        .unwrap();
    assert_eq!(states.len(), 10, "a demo case in every state: {states:?}");
    // Its patch releases shipped, its advisories published (one revised) or under embargo.
    assert_eq!(count(&t, "releases").await, 4);
    assert_eq!(count(&t, "advisories").await, 4);
    assert_eq!(count(&t, "advisory_revisions").await, 4);
    assert_eq!(count(&t, "messages").await, 7);
    assert!(count(&t, "audit_events").await >= 40);
    let lts: Vec<(String, String)> = sqlx::query_as(
        "SELECT e.name, l.latest_version FROM release_lines l JOIN editions e ON e.id = l.edition_id \
         WHERE l.lts = 1",
    )
    .fetch_all(t.db.pool())
    .await
    .unwrap();
    assert_eq!(lts, vec![("Enterprise".to_owned(), "2.8.14.1".to_owned())]);

    let server = Server::start_with(embargo_on(&t, dir.path()), &["--demo"]);
    drop(server);
    assert_eq!(count(&t, "release_lines").await, 8);
    assert_eq!(count(&t, "cases").await, 12);
}

#[tokio::test]
async fn migrate_alone_prepares_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("m.db").display());
    let out = embargo(dir.path())
        .args(["--database-url", &url, "migrate"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("is at migration"));
    assert!(dir.path().join("m.db").is_file());
}

/// A TCP relay in front of PostgreSQL that the test can cut, to make the database
/// unreachable while `embargo serve` runs.
struct Relay {
    addr: std::net::SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl Relay {
    async fn start(upstream: String, listener: Option<TcpListener>) -> Relay {
        let listener = match listener {
            Some(l) => l,
            None => TcpListener::bind("127.0.0.1:0").await.unwrap(),
        };
        let addr = listener.local_addr().unwrap();
        let task = tokio::spawn(async move {
            let mut pipes = tokio::task::JoinSet::new();
            loop {
                let Ok((mut inbound, _)) = listener.accept().await else {
                    break;
                };
                let upstream = upstream.clone();
                pipes.spawn(async move {
                    if let Ok(mut outbound) = TcpStream::connect(&upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                    let _ = inbound.shutdown().await;
                });
            }
        });
        Relay { addr, task }
    }

    /// Stops accepting and cuts every open connection (dropping the JoinSet aborts them).
    fn cut(self) -> std::net::SocketAddr {
        self.task.abort();
        self.addr
    }
}

// Several workers: the relay must run while the test thread waits on the server's banner.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readiness_is_503_while_the_database_is_unreachable() {
    if backend() != Dialect::Postgres {
        // An embedded SQLite file cannot become unreachable; the PostgreSQL pass tests this.
        return;
    }
    let t = TestDb::new().await;
    let parsed = url::Url::parse(&t.url).unwrap();
    let upstream = format!(
        "{}:{}",
        parsed.host_str().unwrap(),
        parsed.port().unwrap_or(5432)
    );
    let relay = Relay::start(upstream.clone(), None).await;
    let mut via_relay = parsed.clone();
    via_relay.set_port(Some(relay.addr.port())).unwrap();

    let dir = tempfile::tempdir().unwrap();
    let mut cmd = embargo(dir.path());
    cmd.env("EMBARGO_DATABASE_URL", via_relay.as_str())
        .env("EMBARGO_DATABASE__ACQUIRE_TIMEOUT_SECS", "1");
    let server = Server::start(cmd);
    let http = client();
    assert_eq!(
        http.get(server.url("/readyz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );

    let addr = relay.cut();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let down = http.get(server.url("/readyz")).send().await.unwrap();
    assert_eq!(down.status(), 503);
    let body = down.text().await.unwrap();
    assert!(body.contains("database unreachable"), "{body}");
    assert!(!body.contains("postgres://"), "URL leaked: {body}");
    assert_eq!(
        http.get(server.url("/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );

    // The database comes back on the same address: readiness recovers.
    let listener = TcpListener::bind(addr).await.unwrap();
    let _relay = Relay::start(upstream, Some(listener)).await;
    let mut recovered = false;
    for _ in 0..50 {
        if http
            .get(server.url("/readyz"))
            .send()
            .await
            .unwrap()
            .status()
            == 200
        {
            recovered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(recovered, "readiness did not recover");
}

#[tokio::test]
async fn a_changed_timeline_policy_moves_the_deadlines_of_open_cases_at_start() {
    let t = TestDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    let out = embargo_on(&t, dir.path()).arg("demo").output().unwrap();
    assert!(out.status.success());
    let show = |dir: &std::path::Path, case: &str| -> serde_json::Value {
        let out = embargo_on(&t, dir)
            .args(["cases", "show", case, "--format", "json"])
            .output()
            .unwrap();
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let list = embargo_on(&t, dir.path())
        .args(["cases", "list", "--state", "triage", "--format", "json"])
        .output()
        .unwrap();
    let list: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    let id = list[0]["id"].as_str().unwrap().to_owned();
    let before = show(dir.path(), &id);

    let policy = dir.path().join("policy.toml");
    std::fs::write(
        &policy,
        "[default]\nacknowledge = \"24h\"\ntriage = \"5d\"\nfix = \"10d\"\ndisclose_after_fix = \"7d\"\n",
    )
    .unwrap();
    let mut cmd = embargo_on(&t, dir.path());
    cmd.env("EMBARGO_POLICY_FILE", &policy);
    let server = Server::start(cmd);
    drop(server);

    let after = show(dir.path(), &id);
    assert_ne!(before["fix_deadline"], after["fix_deadline"]);
    let opened: jiff::Timestamp =
        sqlx::query_scalar::<_, i64>("SELECT clock_start FROM cases WHERE id = $1")
            .bind(&id)
            .fetch_one(t.db.pool())
            .await
            .map(|m| jiff::Timestamp::from_microsecond(m).unwrap())
            .unwrap();
    let fix: jiff::Timestamp = after["fix_deadline"].as_str().unwrap().parse().unwrap();
    assert_eq!(fix, opened + jiff::SignedDuration::from_hours(240));
    let events: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_events WHERE case_id = $1 AND action = 'deadlines-changed'",
    )
    .bind(&id)
    .fetch_one(t.db.pool())
    .await
    .unwrap();
    assert!(events >= 1);
}
