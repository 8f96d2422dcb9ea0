use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// The `embargo` binary with a clean environment: no `EMBARGO_*` settings leak in from the
/// developer's shell, only what the test sets.
pub fn embargo(data_dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_embargo"));
    for (key, _) in std::env::vars() {
        if key.starts_with("EMBARGO_") {
            cmd.env_remove(key);
        }
    }
    cmd.env("EMBARGO_DATA_DIR", data_dir);
    cmd.env("EMBARGO_LOG", "warn");
    cmd
}

/// A running `embargo serve`; killed when dropped.
pub struct Server {
    pub child: Child,
    pub base: String,
    /// Lines printed on stdout before the server announced its address.
    pub banner: Vec<String>,
}

impl Server {
    /// Starts `embargo serve` on a free port and waits until it listens.
    pub fn start(cmd: Command) -> Server {
        Server::start_with(cmd, &[])
    }

    /// Starts `embargo serve` with extra `serve` options.
    pub fn start_with(cmd: Command, serve_args: &[&str]) -> Server {
        Server::start_logging(cmd, serve_args, Stdio::inherit())
    }

    /// Starts `embargo serve` with its logs (stderr) going to `logs`.
    pub fn start_logging(mut cmd: Command, serve_args: &[&str], logs: Stdio) -> Server {
        cmd.args(["serve", "--listen", "127.0.0.1:0"])
            .args(serve_args)
            .stdout(Stdio::piped())
            .stderr(logs);
        let mut child = cmd.spawn().expect("starting embargo serve");
        let stdout = child.stdout.take().expect("stdout is piped");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut banner = Vec::new();
        loop {
            let line = match rx.recv_timeout(Duration::from_secs(60)) {
                Ok(line) => line,
                Err(e) => {
                    let _ = child.kill();
                    let status = child.wait();
                    panic!("embargo serve did not announce its address ({e}); exit: {status:?}");
                }
            };
            if let Some(addr) = line.strip_prefix("Embargo is listening on ") {
                return Server {
                    child,
                    base: addr.to_owned(),
                    banner,
                };
            }
            banner.push(line);
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Sends SIGTERM and waits for the exit status.
    pub fn terminate(mut self) -> std::process::ExitStatus {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("running kill");
        assert!(status.success());
        let exit = self.child.wait().expect("waiting for embargo serve");
        std::mem::forget(self);
        exit
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("building an HTTP client")
}

/// An HTTP client whose connections come from `source`, a loopback address other than
/// 127.0.0.1, so that per-address limits can be exercised from one machine.
pub fn client_from(source: std::net::IpAddr) -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .local_address(source)
        .build()
        .expect("building an HTTP client")
}

/// An account of a [`Site`] and its API token.
pub struct Account {
    pub username: &'static str,
    pub email: String,
    pub token: String,
}

/// `embargo serve` on a fresh test database with the demo catalog and one account per role,
/// each with a read-and-write API token:
///
/// - `admin`, `team`: the security team;
/// - `engineer`, `collaborator`: meant to be invited to the case under test ([`Site::invite`]);
/// - `outsider_engineer`, `outsider_collaborator`: the same roles, never invited;
/// - `read_only`: a team account's token with the read scope only.
pub struct Site {
    pub t: embargo_testkit::TestDb,
    pub server: Server,
    pub http: reqwest::Client,
    pub admin: Account,
    pub team: Account,
    pub engineer: Account,
    pub outsider_engineer: Account,
    pub collaborator: Account,
    pub outsider_collaborator: Account,
    pub read_only: Account,
    _dir: tempfile::TempDir,
}

/// What the API answered: the status, the body as JSON (`Null` when it is not JSON) and the
/// body as text, for searching.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub json: serde_json::Value,
    pub text: String,
}

impl Reply {
    /// The error code of an error reply.
    pub fn code(&self) -> &str {
        self.json["error"]["code"].as_str().unwrap_or("")
    }

    /// The field an error reply names.
    pub fn field(&self) -> &str {
        self.json["error"]["field"].as_str().unwrap_or("")
    }

    /// The error message of an error reply.
    pub fn message(&self) -> &str {
        self.json["error"]["message"].as_str().unwrap_or("")
    }

    /// Fails the test unless the status is `status`.
    #[track_caller]
    pub fn expect(self, status: u16) -> Reply {
        assert_eq!(self.status, status, "unexpected answer: {}", self.text);
        self
    }
}

impl Site {
    pub async fn start() -> Site {
        let t = embargo_testkit::TestDb::new().await;
        let dir = tempfile::tempdir().expect("creating a data directory");
        let run = |args: &[&str]| -> String {
            let out = embargo(dir.path())
                .env("EMBARGO_DATABASE_URL", &t.url)
                .args(args)
                .output()
                .expect("running embargo");
            assert!(
                out.status.success(),
                "embargo {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            String::from_utf8(out.stdout).expect("UTF-8 output")
        };
        run(&["demo"]);
        let account = |username: &'static str, role: &str, scopes: &str| -> Account {
            let email = format!("{username}@vendor.test");
            run(&["user", "add", username, "--email", &email, "--role", role]);
            let token = run(&["user", "token", username, "--scopes", scopes])
                .trim()
                .to_owned();
            Account {
                username,
                email,
                token,
            }
        };
        let admin = account("ada", "admin", "read,write");
        let team = account("tess", "team", "read,write");
        let engineer = account("emil", "engineer", "read,write");
        let outsider_engineer = account("otto", "engineer", "read,write");
        let collaborator = account("cole", "collaborator", "read,write");
        let outsider_collaborator = account("cora", "collaborator", "read,write");
        let read_only = account("rita", "team", "read");
        let server = Server::start({
            let mut cmd = embargo(dir.path());
            cmd.env("EMBARGO_DATABASE_URL", &t.url);
            cmd
        });
        Site {
            t,
            server,
            http: client(),
            admin,
            team,
            engineer,
            outsider_engineer,
            collaborator,
            outsider_collaborator,
            read_only,
            _dir: dir,
        }
    }

    /// Sends one request; `token` `None` sends none.
    pub async fn call(
        &self,
        method: reqwest::Method,
        token: Option<&str>,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> Reply {
        let mut req = self.http.request(method, self.server.url(path));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        let resp = req.send().await.expect("sending a request");
        let status = resp.status().as_u16();
        let text = resp.text().await.expect("reading a response body");
        let json = serde_json::from_str(&text).unwrap_or(serde_json::Value::Null);
        Reply { status, json, text }
    }

    pub async fn get(&self, who: &Account, path: &str) -> Reply {
        self.call(reqwest::Method::GET, Some(&who.token), path, None)
            .await
    }

    pub async fn post(&self, who: &Account, path: &str, body: serde_json::Value) -> Reply {
        self.call(reqwest::Method::POST, Some(&who.token), path, Some(body))
            .await
    }

    pub async fn put(&self, who: &Account, path: &str, body: serde_json::Value) -> Reply {
        self.call(reqwest::Method::PUT, Some(&who.token), path, Some(body))
            .await
    }

    pub async fn delete(&self, who: &Account, path: &str) -> Reply {
        self.call(reqwest::Method::DELETE, Some(&who.token), path, None)
            .await
    }

    /// Submits a report through the public API, without a token; returns its tracking id.
    pub async fn report(&self, title: &str, description: &str, email: &str) -> String {
        let reply = self
            .call(
                reqwest::Method::POST,
                None,
                "/api/v1/reports",
                Some(serde_json::json!({
                    "title": title,
                    "description": description,
                    "reporter_email": email,
                    "reporter_name": "Rae Porter",
                    "product": "Gateway",
                    "version": "3.4.1",
                    "credit_consent": true,
                })),
            )
            .await
            .expect(201);
        reply.json["tracking_id"]
            .as_str()
            .expect("a tracking id")
            .to_owned()
    }

    /// The case as the team sees it.
    pub async fn case(&self, case: &str) -> serde_json::Value {
        self.get(&self.team, &format!("/api/v1/cases/{case}"))
            .await
            .expect(200)
            .json
    }

    /// The case's current version, as the team reads it.
    pub async fn version(&self, case: &str) -> i64 {
        self.case(case).await["version"]
            .as_i64()
            .expect("a version")
    }

    /// Moves the case as `who`, from the version the team reads now.
    pub async fn transition(&self, who: &Account, case: &str, to: &str) -> Reply {
        let version = self.version(case).await;
        self.post(
            who,
            &format!("/api/v1/cases/{case}/transitions"),
            serde_json::json!({ "to": to, "expected_version": version }),
        )
        .await
    }

    /// Invites the site's `engineer` as engineer and `collaborator` as collaborator.
    pub async fn invite(&self, case: &str) {
        for (user, role) in [
            (self.engineer.username, "engineer"),
            (self.collaborator.username, "collaborator"),
        ] {
            let version = self.version(case).await;
            self.post(
                &self.team,
                &format!("/api/v1/cases/{case}/members"),
                serde_json::json!({ "user": user, "role": role, "expected_version": version }),
            )
            .await
            .expect(200);
        }
    }

    /// The account's user id, from `GET /api/v1/me`.
    pub async fn id_of(&self, who: &Account) -> String {
        self.get(who, "/api/v1/me").await.expect(200).json["id"]
            .as_str()
            .expect("an id")
            .to_owned()
    }

    /// The demo catalog's release lines: (edition, line name) → the line's JSON.
    pub async fn lines(&self) -> Vec<(String, serde_json::Value)> {
        let catalog = self
            .get(&self.team, "/api/v1/catalog")
            .await
            .expect(200)
            .json;
        let mut lines = Vec::new();
        for product in catalog["products"].as_array().expect("products") {
            for edition in product["editions"].as_array().expect("editions") {
                for line in edition["release_lines"].as_array().expect("lines") {
                    lines.push((
                        edition["name"].as_str().expect("a name").to_owned(),
                        line.clone(),
                    ));
                }
            }
        }
        lines
    }
}
