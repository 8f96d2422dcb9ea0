//! The signed-in web application over real HTTP: sign-in, sessions and their revocation,
//! CSRF defences, the TOTP second factor, reporters' single-use sign-in links from real mail,
//! the reporter portal, and the team's queue and case room; including the attempts to break
//! each rule (a foreign case, a replayed code, a reused link, a forged form).

use std::path::Path;
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::{HeaderMap, LOCATION, SET_COOKIE};

use crate::mail::SmtpSink;
use crate::support::{Server, embargo};

const FROM: &str = "security@vendor.test";

pub(crate) struct Web {
    pub(crate) server: Server,
    http: reqwest::Client,
    t: embargo_testkit::TestDb,
    dir: tempfile::TempDir,
    pub(crate) sink: SmtpSink,
}

/// A browser of one user: the session cookie and the page's CSRF token.
#[derive(Debug, Clone, Default)]
pub(crate) struct Browser {
    pub(crate) cookie: Option<String>,
}

fn cli(t: &embargo_testkit::TestDb, dir: &Path) -> std::process::Command {
    let mut cmd = embargo(dir);
    cmd.env("EMBARGO_DATABASE_URL", &t.url)
        .env("EMBARGO_MAIL_FROM", FROM);
    cmd
}

impl Web {
    pub(crate) async fn start() -> Web {
        Web::start_logging(None).await
    }

    /// [`Web::start`], with the server's logs at debug level written to `logs`.
    pub(crate) async fn start_logging(logs: Option<&Path>) -> Web {
        let t = embargo_testkit::TestDb::new().await;
        let dir = tempfile::tempdir().unwrap();
        let sink = SmtpSink::start(&[]);
        let out = cli(&t, dir.path()).arg("demo").output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut cmd = cli(&t, dir.path());
        cmd.env("EMBARGO_SMTP_URL", sink.url())
            .env("EMBARGO_PUBLIC_URL", "http://embargo.test")
            .env("EMBARGO_MAIL__SEND_INTERVAL_MS", "100");
        let server = match logs {
            None => Server::start(cmd),
            Some(path) => {
                cmd.env("EMBARGO_LOG", "debug");
                Server::start_logging(cmd, &[], std::fs::File::create(path).unwrap().into())
            }
        };
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap();
        Web {
            server,
            http,
            t,
            dir,
            sink,
        }
    }

    /// Creates an account; returns its generated password.
    pub(crate) fn user(&self, username: &str, role: &str) -> String {
        let out = cli(&self.t, self.dir.path())
            .args(["user", "add", username, "--role", role])
            .args(["--email", &format!("{username}@vendor.test")])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).unwrap();
        text.lines()
            .find_map(|l| l.trim().strip_prefix("password: "))
            .expect("the password is printed once")
            .to_owned()
    }

    /// Runs `embargo ARGS…` on the server's database; returns stdout.
    pub(crate) fn run(&self, args: &[&str]) -> String {
        let out = cli(&self.t, self.dir.path()).args(args).output().unwrap();
        assert!(
            out.status.success(),
            "embargo {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    pub(crate) async fn get(&self, b: &Browser, path: &str) -> (StatusCode, HeaderMap, String) {
        let mut req = self.http.get(self.server.url(path));
        if let Some(c) = &b.cookie {
            req = req.header("cookie", c);
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        (status, headers, res.text().await.unwrap())
    }

    pub(crate) async fn post(
        &self,
        b: &Browser,
        path: &str,
        form: &[(&str, &str)],
        site: Option<&str>,
    ) -> (StatusCode, HeaderMap, String) {
        let mut req = self
            .http
            .post(self.server.url(path))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(urlencode(form));
        if let Some(c) = &b.cookie {
            req = req.header("cookie", c);
        }
        if let Some(site) = site {
            req = req.header("sec-fetch-site", site);
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        (status, headers, res.text().await.unwrap())
    }

    /// Posts `multipart/form-data`: text `fields` and `files` (field, file name, media type,
    /// bytes), as a browser sends a form with file inputs.
    pub(crate) async fn post_multipart(
        &self,
        b: &Browser,
        path: &str,
        fields: &[(&str, &str)],
        files: &[(&str, &str, &str, &[u8])],
    ) -> (StatusCode, HeaderMap, String) {
        let boundary = "----embargo-test-boundary-7f3a9c";
        let mut body = Vec::new();
        for (name, value) in fields {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                )
                .as_bytes(),
            );
        }
        for (name, file_name, media_type, bytes) in files {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; \
                     filename=\"{file_name}\"\r\nContent-Type: {media_type}\r\n\r\n"
                )
                .as_bytes(),
            );
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let mut req = self
            .http
            .post(self.server.url(path))
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body);
        if let Some(c) = &b.cookie {
            req = req.header("cookie", c);
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        (status, headers, res.text().await.unwrap())
    }

    pub(crate) async fn login(
        &self,
        username: &str,
        password: &str,
        code: Option<&str>,
    ) -> Browser {
        let mut form = vec![("username", username), ("password", password)];
        if let Some(code) = code {
            form.push(("code", code));
        }
        let (status, headers, body) = self
            .post(&Browser::default(), "/login", &form, Some("same-origin"))
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        Browser {
            cookie: Some(session_cookie(&headers)),
        }
    }
}

/// `application/x-www-form-urlencoded`, as a browser sends a form.
fn urlencode(form: &[(&str, &str)]) -> String {
    let enc = |s: &str| -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => {
                    char::from(b).to_string()
                }
                b' ' => "+".to_owned(),
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    form.iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

pub(crate) fn session_cookie(headers: &HeaderMap) -> String {
    let set = headers
        .get(SET_COOKIE)
        .expect("a session cookie")
        .to_str()
        .unwrap();
    assert!(set.contains("HttpOnly"), "{set}");
    assert!(set.contains("SameSite=Lax"), "{set}");
    set.split(';').next().unwrap().to_owned()
}

/// The CSRF token of a page: the value of its first `csrf` field.
pub(crate) fn csrf_of(page: &str) -> String {
    let at = page
        .find("name=\"csrf\" value=\"")
        .expect("a form with a CSRF token");
    let rest = &page[at + "name=\"csrf\" value=\"".len()..];
    rest[..rest.find('"').unwrap()].to_owned()
}

#[tokio::test]
async fn sign_in_rotates_sessions_sign_out_revokes_them_and_forged_forms_are_refused() {
    let web = Web::start().await;
    let password = web.user("dana", "team");

    // Wrong password and unknown user: the same answer, no cookie.
    for (user, pw) in [("dana", "not her password"), ("nobody", "whatever")] {
        let (status, headers, body) = web
            .post(
                &Browser::default(),
                "/login",
                &[("username", user), ("password", pw)],
                Some("same-origin"),
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert!(headers.get(SET_COOKIE).is_none());
        assert!(
            body.contains("unknown username or wrong password"),
            "{body}"
        );
    }
    // A sign-in posted from another site is refused.
    let (status, _, _) = web
        .post(
            &Browser::default(),
            "/login",
            &[("username", "dana"), ("password", &password)],
            Some("cross-site"),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Two sign-ins: two different sessions, both live.
    let first = web.login("dana", &password, None).await;
    let second = web.login("dana", &password, None).await;
    assert_ne!(first.cookie, second.cookie);
    let (status, _, page) = web.get(&first, "/account").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("Choose your own password"),
        "an admin-set password is flagged"
    );
    let csrf = csrf_of(&page);

    // Without the session's token, or from another site, a form changes nothing.
    for (form, site) in [
        (vec![("name", "ci"), ("scope", "read")], Some("same-origin")),
        (
            vec![("name", "ci"), ("scope", "read"), ("csrf", "forged")],
            Some("same-origin"),
        ),
        (
            vec![("name", "ci"), ("scope", "read"), ("csrf", csrf.as_str())],
            Some("cross-site"),
        ),
    ] {
        let (status, _, body) = web.post(&first, "/account/tokens", &form, site).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert!(!body.contains("emb_"));
    }
    // The second session's token does not work for the first session either.
    let (_, _, second_page) = web.get(&second, "/account").await;
    let other_csrf = csrf_of(&second_page);
    assert_ne!(csrf, other_csrf);
    let (status, _, _) = web
        .post(
            &first,
            "/account/tokens",
            &[("name", "ci"), ("scope", "read"), ("csrf", &other_csrf)],
            None,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // With it, a token is created and shown once; it works on the API.
    let (status, _, body) = web
        .post(
            &first,
            "/account/tokens",
            &[("name", "ci"), ("scope", "read"), ("csrf", &csrf)],
            Some("same-origin"),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let at = body.find("emb_").expect("the new token is shown");
    let token = &body[at..at + 36];
    let api = web
        .http
        .get(web.server.url("/api/v1/cases"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), StatusCode::OK);
    let (_, _, again) = web.get(&first, "/account").await;
    assert!(!again.contains(token), "a token is shown only once");
    // The session cookie is not an API credential.
    let api = web
        .http
        .get(web.server.url("/api/v1/cases"))
        .header("cookie", first.cookie.clone().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), StatusCode::UNAUTHORIZED);

    // Changing the password signs the other session out, and the new password works.
    let new_password = "a much longer passphrase 42";
    let (status, _, body) = web
        .post(
            &first,
            "/account/password",
            &[
                ("csrf", &csrf),
                ("current_password", &password),
                ("new_password", new_password),
                ("repeat_password", new_password),
            ],
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(!body.contains("Choose your own password"));
    let (status, headers, _) = web.get(&second, "/account").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(headers[LOCATION].to_str().unwrap().starts_with("/login"));
    let (status, _, _) = web.get(&first, "/account").await;
    assert_eq!(status, StatusCode::OK);

    // Signing out ends the session on the server: the old cookie is worthless afterwards.
    let (status, headers, _) = web.post(&first, "/logout", &[("csrf", &csrf)], None).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(headers[SET_COOKIE].to_str().unwrap().contains("Max-Age=0"));
    let (status, _, _) = web.get(&first, "/account").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    web.login("dana", new_password, None).await;

    // After sign-in only local paths are followed.
    let (status, headers, _) = web
        .post(
            &Browser::default(),
            "/login",
            &[
                ("username", "dana"),
                ("password", new_password),
                ("next", "//evil.example/"),
            ],
            None,
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[LOCATION], "/");
}

#[allow(clippy::disallowed_methods)] // the server checks codes against the real clock
fn totp_now(secret: &str) -> (String, String) {
    let now = jiff::Timestamp::now();
    let code = embargo_service::sessions::totp_code(secret, now).unwrap();
    let next =
        embargo_service::sessions::totp_code(secret, now + jiff::SignedDuration::from_secs(30))
            .unwrap();
    (code, next)
}

#[tokio::test]
async fn a_second_factor_is_required_once_enabled_and_a_code_works_only_once() {
    let web = Web::start().await;
    let password = web.user("erin", "admin");
    let b = web.login("erin", &password, None).await;
    let (_, _, page) = web.get(&b, "/account").await;
    let csrf = csrf_of(&page);
    let (status, _, page) = web
        .post(
            &b,
            "/account/totp",
            &[("csrf", &csrf), ("action", "begin")],
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let at = page.find("<code class=\"secret\">").unwrap() + "<code class=\"secret\">".len();
    let secret = page[at..at + page[at..].find('<').unwrap()].to_owned();
    assert!(page.contains("otpauth://totp/"), "{page}");
    // A wrong code does not enable it.
    let (status, _, _) = web
        .post(
            &b,
            "/account/totp",
            &[("csrf", &csrf), ("action", "confirm"), ("code", "000000")],
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (code, next) = totp_now(&secret);
    let (status, _, page) = web
        .post(
            &b,
            "/account/totp",
            &[("csrf", &csrf), ("action", "confirm"), ("code", &code)],
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Second factor enabled"));

    // Now the password alone is not enough, and the code used to confirm is spent.
    // (Five attempts a minute per username: the limit is part of what this exercises.)
    for code in [None, Some(code.as_str())] {
        let mut form = vec![("username", "erin"), ("password", password.as_str())];
        if let Some(c) = code {
            form.push(("code", c));
        }
        let (status, headers, body) = web.post(&Browser::default(), "/login", &form, None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{code:?}: {body}");
        assert!(headers.get(SET_COOKIE).is_none());
        assert!(body.contains("name=\"code\""), "the form asks for the code");
    }
    // The next step's code signs in once; replaying it fails.
    web.login("erin", &password, Some(&next)).await;
    let (status, _, _) = web
        .post(
            &Browser::default(),
            "/login",
            &[
                ("username", "erin"),
                ("password", &password),
                ("code", &next),
            ],
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

/// Waits until at least `n` mails to `rcpt` arrived (the demo data mails its own reporters
/// too); returns them, oldest first.
pub(crate) fn mails_to(web: &Web, rcpt: &str, n: usize) -> Vec<Vec<u8>> {
    let start = std::time::Instant::now();
    loop {
        let got: Vec<Vec<u8>> = web
            .sink
            .messages()
            .into_iter()
            .filter(|(r, _)| r.contains(rcpt))
            .map(|(_, raw)| raw)
            .collect();
        if got.len() >= n || start.elapsed() > Duration::from_secs(30) {
            return got;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The sign-in link of a mail: `/signin/lnk_…`.
pub(crate) fn link_in(raw: &[u8]) -> String {
    let text = String::from_utf8_lossy(raw).replace("=\r\n", "");
    let at = text
        .find("/signin/lnk_")
        .expect("the mail carries a sign-in link");
    text[at..at + "/signin/".len() + 44].to_owned()
}

pub(crate) async fn submit_report(web: &Web, email: &str, title: &str) -> String {
    let (status, _, page) = web
        .post(
            &Browser::default(),
            "/report",
            &[
                ("title", title),
                ("description", "Steps to reproduce: send a crafted header."),
                ("reporter_email", email),
                ("reporter_name", "Rita"),
            ],
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(
        !page.contains("/signin/lnk_"),
        "a page never shows a sign-in link"
    );
    tracking_in(&page)
}

/// The tracking id a receipt page shows.
pub(crate) fn tracking_in(page: &str) -> String {
    let at = page.find("EMB-").expect("a tracking id");
    page[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect()
}

#[tokio::test]
async fn reporters_follow_their_own_reports_through_single_use_links_and_never_see_internal_notes()
{
    let web = Web::start().await;
    let team_password = web.user("tom", "team");
    let tracking = submit_report(&web, "rita@example.org", "Header smuggling in gateway").await;
    let other = submit_report(&web, "oscar@example.org", "Someone else's report").await;
    let mails = mails_to(&web, "rita@example.org", 1);
    let mail = mails.first().expect("Rita's acknowledgement");
    let link = link_in(mail);
    assert!(String::from_utf8_lossy(mail).contains("http://embargo.test/signin/lnk_"));

    // Following the link (as a mail scanner would) consumes nothing; the click does.
    let (status, _, page) = web.get(&Browser::default(), &link).await;
    assert_eq!(status, StatusCode::OK);
    let secret = link.trim_start_matches("/signin/");
    let (status, _, _) = web.get(&Browser::default(), &link).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(secret));
    let (status, headers, _) = web
        .post(&Browser::default(), "/signin", &[("secret", secret)], None)
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[LOCATION], "/portal");
    let rita = Browser {
        cookie: Some(session_cookie(&headers)),
    };
    // Once only.
    let (status, headers, _) = web
        .post(&Browser::default(), "/signin", &[("secret", secret)], None)
        .await;
    assert_eq!(status, StatusCode::GONE);
    assert!(headers.get(SET_COOKIE).is_none());

    // Her portal lists her report only; the other reporter's is "not found".
    let (status, _, portal) = web.get(&rita, "/portal").await;
    assert_eq!(status, StatusCode::OK);
    assert!(portal.contains(&tracking) && portal.contains("Header smuggling"));
    assert!(!portal.contains(&other) && !portal.contains("Someone else"));
    let (status, _, body) = web.get(&rita, &format!("/portal/{other}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!body.contains("Someone else"));
    // Team pages send her back to the portal.
    for path in ["/queue", &format!("/cases/{tracking}")] {
        let (status, headers, _) = web.get(&rita, path).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(headers[LOCATION], "/portal");
    }

    // The team triages in the case room: an internal note, then a message for the reporter,
    // which needs the explicit confirmation.
    let tom = web.login("tom", &team_password, None).await;
    let (status, _, room) = web.get(&tom, &format!("/cases/{tracking}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        room.contains("Steps to reproduce"),
        "the report as received"
    );
    let csrf = csrf_of(&room);
    let canary = "CANARY-internal-7f3a";
    let (status, _, room) = web
        .post(
            &tom,
            &format!("/cases/{tracking}/message"),
            &[
                ("csrf", &csrf),
                ("body", canary),
                ("visibility", "internal"),
            ],
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(room.contains("class=\"internal\"") && room.contains(canary));
    let (status, _, _) = web
        .post(
            &tom,
            &format!("/cases/{tracking}/message"),
            &[
                ("csrf", &csrf),
                ("body", "Thanks, we can reproduce it."),
                ("visibility", "reporter"),
            ],
            None,
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "no confirmation, nothing sent"
    );
    let (status, _, _) = web
        .post(
            &tom,
            &format!("/cases/{tracking}/message"),
            &[
                ("csrf", &csrf),
                ("body", "Thanks, we can reproduce it."),
                ("visibility", "reporter"),
                ("confirm", "yes"),
            ],
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    // The queue finds the case by a word of the internal note; Rita's API search does not.
    let (_, _, queue) = web.get(&tom, "/queue?q=canary-internal").await;
    assert!(queue.contains("Header smuggling"), "{queue}");

    // Rita reads the message, not the note; she replies and consents to credit.
    let (_, _, page) = web.get(&rita, &format!("/portal/{tracking}")).await;
    assert!(page.contains("Thanks, we can reproduce it."));
    assert!(
        !page.contains(canary),
        "an internal note reached the reporter's view"
    );
    let rita_csrf = csrf_of(&page);
    let (status, _, page) = web
        .post(
            &rita,
            &format!("/portal/{tracking}/reply"),
            &[
                ("csrf", &rita_csrf),
                ("body", "Glad to help; PoC attached later."),
            ],
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Glad to help"));
    let (status, _, page) = web
        .post(
            &rita,
            &format!("/portal/{tracking}/credit"),
            &[
                ("csrf", &rita_csrf),
                ("consent", "yes"),
                ("name", "Rita R."),
            ],
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("value=\"Rita R.\"") && page.contains("checked"));
    // She cannot post into someone else's case even with her own token.
    let (status, _, _) = web
        .post(
            &rita,
            &format!("/portal/{other}/reply"),
            &[("csrf", &rita_csrf), ("body", "hello")],
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The team's next mail carries a new, different link.
    let (_, _, room) = web.get(&tom, &format!("/cases/{tracking}")).await;
    assert!(room.contains("Glad to help"));
    let mails = mails_to(&web, "rita@example.org", 2);
    let links: Vec<String> = mails.iter().map(|raw| link_in(raw)).collect();
    assert!(links.len() >= 2, "{links:?}");
    assert_ne!(links[0], links[1]);
    for (_, raw) in &web.sink.messages() {
        assert!(
            !String::from_utf8_lossy(raw).contains(canary),
            "an internal note was mailed"
        );
    }
}

#[tokio::test]
async fn the_calculator_previews_and_saves_a_score_and_the_reporter_sees_the_new_state_and_estimate()
 {
    let web = Web::start().await;
    let team_password = web.user("tess", "team");
    let tracking = submit_report(&web, "rita@example.org", "Out-of-bounds read").await;
    let tom = web.login("tess", &team_password, None).await;
    let (_, _, room) = web.get(&tom, &format!("/cases/{tracking}")).await;
    let csrf = csrf_of(&room);
    let version_of = |page: &str| -> String {
        let at =
            page.find("name=\"version\" value=\"").unwrap() + "name=\"version\" value=\"".len();
        page[at..at + page[at..].find('"').unwrap()].to_owned()
    };
    let mut form: Vec<(String, String)> = vec![
        ("csrf".into(), csrf.clone()),
        ("version".into(), version_of(&room)),
        ("cvss_version".into(), "3.1".into()),
        ("action".into(), "preview".into()),
    ];
    for (k, v) in [
        ("AV", "N"),
        ("AC", "L"),
        ("PR", "N"),
        ("UI", "N"),
        ("S", "U"),
        ("C", "H"),
        ("I", "H"),
        ("A", "H"),
    ] {
        form.push((format!("m3.1_{k}"), v.into()));
    }
    let as_refs = |f: &[(String, String)]| -> Vec<(String, String)> { f.to_vec() };
    let send = |f: Vec<(String, String)>| {
        let web = &web;
        let tom = tom.clone();
        let tracking = tracking.clone();
        async move {
            let refs: Vec<(&str, &str)> = f.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
            web.post(&tom, &format!("/cases/{tracking}/cvss"), &refs, None)
                .await
        }
    };
    let (status, _, page) = send(as_refs(&form)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(
        page.contains("scores <strong>9.8 (Critical)</strong>"),
        "{page}"
    );
    assert!(page.contains("Not scored yet"), "a preview saves nothing");
    // A missing metric is named, not guessed.
    let partial: Vec<(String, String)> = form
        .iter()
        .filter(|(k, _)| k != "m3.1_A")
        .cloned()
        .collect();
    let (status, _, page) = send(partial).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("pick a value for every base metric"));
    // Save.
    for f in form.iter_mut() {
        if f.0 == "action" {
            f.1 = "save".into();
        }
    }
    let (status, _, page) = send(form.clone()).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("9.8 Critical"), "{page}");

    // Accept, give the estimate: the reporter's portal shows both.
    let (_, _, room) = web.get(&tom, &format!("/cases/{tracking}")).await;
    for to in ["acknowledged", "triage", "accepted"] {
        let (_, _, room_now) = web.get(&tom, &format!("/cases/{tracking}")).await;
        let (status, _, page) = web
            .post(
                &tom,
                &format!("/cases/{tracking}/transition"),
                &[
                    ("csrf", &csrf),
                    ("version", &version_of(&room_now)),
                    ("to", to),
                ],
                None,
            )
            .await;
        if to == "acknowledged" && status == StatusCode::UNPROCESSABLE_ENTITY {
            continue; // already acknowledged on intake
        }
        assert_eq!(status, StatusCode::OK, "{to}: {page}");
    }
    let _ = room;
    let (_, _, room) = web.get(&tom, &format!("/cases/{tracking}")).await;
    assert!(
        room.contains("<strong id=\"case-state\">accepted</strong>"),
        "{room}"
    );
    let (status, _, _) = web
        .post(
            &tom,
            &format!("/cases/{tracking}/estimate"),
            &[("csrf", &csrf), ("version", &version_of(&room))],
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    // Acknowledgement, confirmation, estimate.
    let mails = mails_to(&web, "rita@example.org", 3);
    let link = link_in(mails.last().expect("mail to Rita"));
    let (_, headers, _) = web
        .post(
            &Browser::default(),
            "/signin",
            &[("secret", link.trim_start_matches("/signin/"))],
            None,
        )
        .await;
    let rita = Browser {
        cookie: Some(session_cookie(&headers)),
    };
    let (_, _, page) = web.get(&rita, &format!("/portal/{tracking}")).await;
    assert!(page.contains("<dd id=\"state\">confirmed</dd>"), "{page}");
    assert!(page.contains("fixed versions by 20"), "{page}");
    assert!(
        !page.contains("9.8"),
        "the score is not the reporter's to see"
    );
}

/// The `href` of every link on `page` that starts with `prefix`, in order.
fn hrefs_starting(page: &str, prefix: &str) -> Vec<String> {
    let needle = format!("href=\"{prefix}");
    page.match_indices(&needle)
        .map(|(at, _)| {
            let rest = &page[at + "href=\"".len()..];
            rest[..rest.find('"').unwrap()].to_owned()
        })
        .collect()
}

#[tokio::test]
async fn files_and_a_pgp_key_on_the_form_reach_the_team_as_downloads_and_the_reporter_gets_encrypted_mail()
 {
    let web = Web::start().await;
    let team_password = web.user("tess", "team");
    // Mail to a reporter with a key is encrypted to it and signed with the team key.
    web.run(&["pgp", "generate"]);
    let now: jiff::Timestamp = "2025-01-01T00:00:00Z".parse().unwrap();
    let rita =
        embargo_pgp::TeamKey::generate("Rita Reporter <rita.files@example.org>", now).unwrap();
    let fields = |key: &'static str| {
        vec![
            ("title", "Stored XSS in the upload preview"),
            ("description", "Open the attached SVG in the preview."),
            ("reporter_email", "rita.files@example.org"),
            ("pgp_key", key),
        ]
    };
    let svg: &[u8] =
        b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(document.cookie)\"/>";

    // A key that does not parse is refused by field, and nothing is filed.
    let (status, _, page) = web
        .post_multipart(
            &Browser::default(),
            "/report",
            &fields("-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nnot a key\n"),
            &[("attachments", "pöc.svg", "image/svg+xml", svg)],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("not a readable OpenPGP public key"), "{page}");

    // With her real key: filed with the file, and every mail to her is encrypted to that key.
    let key: &'static str = Box::leak(rita.public_armored().to_owned().into_boxed_str());
    let (status, _, page) = web
        .post_multipart(
            &Browser::default(),
            "/report",
            &fields(key),
            &[("attachments", "pöc.svg", "image/svg+xml", svg)],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let tracking = tracking_in(&page);
    let ack = mails_to(&web, "rita.files@example.org", 1).remove(0);
    let ack_text = String::from_utf8_lossy(&ack);
    assert!(ack_text.contains("multipart/encrypted"), "{ack_text}");
    assert!(
        !ack_text.contains("Stored XSS"),
        "the title leaked in clear"
    );
    let opened = embargo_pgp::decrypt_mail(&rita, &ack, &[])
        .unwrap()
        .expect("an encrypted mail");
    assert!(String::from_utf8_lossy(&opened.plaintext).contains(&tracking));

    // The team sees the file with its hash and downloads it as opaque bytes, never as a page.
    let tess = web.login("tess", &team_password, None).await;
    let (status, _, room) = web.get(&tess, &format!("/cases/{tracking}")).await;
    assert_eq!(status, StatusCode::OK);
    let sha = sha256_hex(svg);
    assert!(room.contains("pöc.svg") && room.contains(&sha), "{room}");
    let links: Vec<String> = hrefs_starting(&room, "/cases/")
        .into_iter()
        .filter(|l| l.contains("/reports/"))
        .collect();
    let raw = links
        .iter()
        .find(|l| l.ends_with("/raw"))
        .expect("a raw link");
    let file = links
        .iter()
        .find(|l| l.ends_with("/files/0"))
        .expect("an attachment link");
    let res = web.get(&tess, file).await;
    assert_eq!(res.0, StatusCode::OK);
    assert_eq!(res.1["content-type"], "application/octet-stream");
    assert_eq!(res.1["x-embargo-media-type"], "image/svg+xml");
    let csp = res.1["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("default-src 'none'") && csp.ends_with("sandbox"),
        "{csp}"
    );
    assert_eq!(res.1["x-content-type-options"], "nosniff");
    let disposition = res.1["content-disposition"].to_str().unwrap();
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    assert!(
        disposition.contains("filename*=UTF-8''p%C3%B6c.svg"),
        "{disposition}"
    );
    assert_eq!(res.2.as_bytes(), svg);
    let (status, _, original) = web.get(&tess, raw).await;
    assert_eq!(status, StatusCode::OK);
    assert!(original.contains("Open the attached SVG"), "{original}");
    // The operator's command line lists and writes the same files.
    let listed: serde_json::Value =
        serde_json::from_str(&web.run(&["cases", "files", &tracking, "--format", "json"])).unwrap();
    let row = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == "report")
        .expect("the attachment")
        .clone();
    assert_eq!(row["name"], "pöc.svg");
    assert_eq!(row["sha256"], sha.as_str());
    let out = tempfile::tempdir().unwrap();
    let path = out.path().join("poc.svg");
    let report = row["id"].as_str().unwrap();
    let path_arg = path.to_str().unwrap();
    web.run(&[
        "cases", "download", &tracking, "report", report, "0", "--out", path_arg,
    ]);
    assert_eq!(std::fs::read(&path).unwrap(), svg);

    // Rita signs in from the decrypted mail and adds a file to her thread; the team gets it,
    // and she cannot reach the report's raw original or attachments (team material).
    let link = link_in(&opened.plaintext);
    let (status, headers, _) = web
        .post(
            &Browser::default(),
            "/signin",
            &[("secret", link.trim_start_matches("/signin/"))],
            None,
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let rita_browser = Browser {
        cookie: Some(session_cookie(&headers)),
    };
    let (_, _, portal) = web.get(&rita_browser, &format!("/portal/{tracking}")).await;
    let csrf = csrf_of(&portal);
    let log: &[u8] = b"GET /preview?id=7 HTTP/1.1\r\n";
    let (status, _, portal) = web
        .post_multipart(
            &rita_browser,
            &format!("/portal/{tracking}/reply"),
            &[("csrf", &csrf), ("body", "")],
            &[("files", "request.log", "text/plain", log)],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{portal}");
    let mine = hrefs_starting(&portal, "/cases/")
        .into_iter()
        .rfind(|l| l.contains("/messages/"))
        .expect("a link to her file");
    let (status, _, got) = web.get(&rita_browser, &mine).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(got.as_bytes(), log);
    for path in [file, raw] {
        let (status, _, body) = web.get(&rita_browser, path).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        assert!(!body.contains("svg"), "{path}: {body}");
    }
    let (_, _, room) = web.get(&tess, &format!("/cases/{tracking}")).await;
    assert!(room.contains("request.log"), "{room}");
    let (status, _, got) = web.get(&tess, &mine).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(got.as_bytes(), log);
    assert_eq!(
        mails_to(&web, "rita.files@example.org", 1).len(),
        1,
        "the refused submission mailed nobody"
    );

    // Sizes: 3 MiB is fine (no framework default gets in the way); one byte over the per-file
    // limit (10 MiB) is refused, naming the field.
    let big = vec![b'x'; 3 * 1024 * 1024];
    let fields = [
        ("title", "Large proof of concept"),
        ("description", "See the capture."),
        ("reporter_email", "big@example.org"),
    ];
    let (status, _, page) = web
        .post_multipart(
            &Browser::default(),
            "/report",
            &fields,
            &[(
                "attachments",
                "capture.pcap",
                "application/vnd.tcpdump.pcap",
                &big,
            )],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page:.300}");
    let huge = vec![b'y'; 10 * 1024 * 1024 + 1];
    let (status, _, page) = web
        .post_multipart(
            &Browser::default(),
            "/report",
            &fields,
            &[("attachments", "huge.bin", "application/octet-stream", &huge)],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page:.300}");
    assert!(page.contains("huge.bin"), "{page}");
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[tokio::test]
async fn the_team_assigns_a_case_in_its_room_and_filters_the_queue_by_assignee_and_release_line() {
    let web = Web::start().await;
    let password = web.user("tia", "team");
    let tracking = submit_report(&web, "ann@example.org", "Queue filter target QF-19").await;
    let tia = web.login("tia", &password, None).await;
    let (_, _, room) = web.get(&tia, &format!("/cases/{tracking}")).await;
    assert!(room.contains("Nobody is assigned."), "{room}");
    let at = room.find("name=\"version\" value=\"").unwrap() + "name=\"version\" value=\"".len();
    let version = &room[at..at + room[at..].find('"').unwrap()];
    let (status, _, room) = web
        .post(
            &tia,
            &format!("/cases/{tracking}/assignee"),
            &[
                ("csrf", &csrf_of(&room)),
                ("version", version),
                ("username", "tia"),
            ],
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{room}");
    assert!(room.contains("Assigned to tia."), "{room}");

    let (_, _, mine) = web.get(&tia, "/queue?assignee=me").await;
    assert!(mine.contains("QF-19"), "{mine}");
    let (_, _, by_name) = web.get(&tia, "/queue?assignee=tia").await;
    assert!(by_name.contains("QF-19"));
    let (_, _, nobody) = web.get(&tia, "/queue?assignee=none").await;
    assert!(!nobody.contains("QF-19"));
    // The new case is on no release line yet: a line filter leaves it out.
    let (_, _, queue) = web.get(&tia, "/queue").await;
    let at = queue.find("<select id=\"f-line\"").unwrap();
    let line = queue[at..]
        .split("<option value=\"")
        .nth(2)
        .and_then(|o| o.split('"').next())
        .expect("a release line to filter on");
    let (status, _, by_line) = web.get(&tia, &format!("/queue?line={line}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!by_line.contains("QF-19"));
    let (status, _, page) = web.get(&tia, "/queue?product=no-such-product").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("product"), "{page}");
}
