//! Admin settings: the security.txt fields and disclosure-policy text (CLI, API, admin page),
//! the served `security.txt` checked by the `sectxt` validator (PyPI, installed by
//! `scripts/test`) unsigned and signed, and the timeline policy stored in the settings.

use std::path::Path;
use std::process::{Command, Stdio};

use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::Row;

use crate::support::{Server, client, embargo};
use crate::web_ui::{Web, csrf_of};

const PUBLIC: &str = "https://security.vendor.test";
const FROM: &str = "security@vendor.test";

fn cli(t: &embargo_testkit::TestDb, dir: &Path) -> Command {
    let mut cmd = embargo(dir);
    cmd.env("EMBARGO_DATABASE_URL", &t.url)
        .env("EMBARGO_MAIL_FROM", FROM)
        .env("EMBARGO_PUBLIC_URL", PUBLIC);
    cmd
}

fn run(t: &embargo_testkit::TestDb, dir: &Path, args: &[&str]) -> String {
    let out = cli(t, dir).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "embargo {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The wall-clock now: the server under test runs on the system clock.
#[allow(clippy::disallowed_methods)]
fn wall_now() -> jiff::Timestamp {
    jiff::Timestamp::now()
}

/// What the `sectxt` validator says of `text` served at the canonical URL: whether it is
/// valid, its errors and its recommendations.
fn sectxt(text: &str) -> Value {
    let script = "import json, sys, sectxt\n\
                  p = sectxt.Parser(sys.stdin.buffer.read(), urls=sys.argv[1])\n\
                  print(json.dumps({'valid': p.is_valid(), 'errors': p.errors, \
                  'recommendations': p.recommendations}))";
    let mut child = Command::new("python3")
        .args(["-c", script, &format!("{PUBLIC}/.well-known/security.txt")])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("running python3 (scripts/test installs it and sectxt)");
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), text.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "sectxt failed (is it installed? scripts/test does): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[tokio::test]
async fn security_txt_from_the_settings_passes_the_sectxt_validator_unsigned_and_signed() {
    let t = embargo_testkit::TestDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    // Demo data: published advisories, so the file names the CSAF provider too.
    run(&t, dir.path(), &["demo"]);
    let policy = dir.path().join("policy.md");
    std::fs::write(
        &policy,
        "We follow **coordinated disclosure**. MARK-POLICY-5q1\n\n<script>alert(1)</script>\n",
    )
    .unwrap();
    let shown = run(
        &t,
        dir.path(),
        &[
            "settings",
            "security-txt",
            "--contact",
            "mailto:security@vendor.test",
            "--contact",
            "https://vendor.test/security",
            "--expires-days",
            "90",
            "--acknowledgments",
            "https://vendor.test/thanks",
            "--languages",
            "en, de",
            "--hiring",
            "https://vendor.test/jobs",
            "--policy-file",
            policy.to_str().unwrap(),
        ],
    );
    assert!(shown.contains("expires_days: 90"), "{shown}");

    // A field at fault is named, and nothing changes.
    let out = cli(&t, dir.path())
        .args(["settings", "security-txt", "--hiring", "http://jobs.test"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("invalid hiring"), "{err}");

    let server = Server::start(cli(&t, dir.path()));
    let http = client();
    let fetch = |path: &'static str| {
        let http = http.clone();
        let url = server.url(path);
        async move {
            let r = http.get(url).send().await.unwrap();
            assert_eq!(r.status(), 200, "{path}");
            r.text().await.unwrap()
        }
    };

    let unsigned = fetch("/.well-known/security.txt").await;
    for line in [
        "Contact: mailto:security@vendor.test\n",
        "Contact: https://vendor.test/security\n",
        "Acknowledgments: https://vendor.test/thanks\n",
        "Preferred-Languages: en, de\n",
        "Hiring: https://vendor.test/jobs\n",
        "Policy: https://security.vendor.test/disclosure-policy\n",
        "CSAF: https://security.vendor.test/.well-known/csaf/provider-metadata.json\n",
        "Canonical: https://security.vendor.test/.well-known/security.txt\n",
    ] {
        assert!(unsigned.contains(line), "{line:?} in {unsigned}");
    }
    assert!(!unsigned.contains("Encryption:"), "{unsigned}");
    let expires = unsigned
        .lines()
        .find_map(|l| l.strip_prefix("Expires: "))
        .expect("an Expires line");
    let expires: jiff::Timestamp = expires.parse().unwrap();
    let days = expires.duration_since(wall_now()).as_hours() / 24;
    assert!((89..=90).contains(&days), "{expires}");
    let verdict = sectxt(&unsigned);
    assert_eq!(verdict["valid"], true, "{verdict}\n{unsigned}");
    assert_eq!(verdict["errors"], json!([]), "{verdict}");

    // The disclosure-policy page shows the text, rendered and sanitized.
    let page = fetch("/disclosure-policy").await;
    assert!(
        page.contains("<strong>coordinated disclosure</strong>"),
        "{page}"
    );
    assert!(page.contains("MARK-POLICY-5q1"), "{page}");
    assert!(!page.contains("<script>alert"), "{page}");

    // With a team key the file is signed, names the key, and is still valid.
    run(&t, dir.path(), &["pgp", "generate"]);
    let signed = fetch("/.well-known/security.txt").await;
    assert!(
        signed.starts_with("-----BEGIN PGP SIGNED MESSAGE-----\n"),
        "{signed}"
    );
    assert!(
        signed.contains("Encryption: https://security.vendor.test/.well-known/openpgp-key.asc\n"),
        "{signed}"
    );
    let verdict = sectxt(&signed);
    assert_eq!(verdict["valid"], true, "{verdict}\n{signed}");
    assert_eq!(verdict["errors"], json!([]), "{verdict}");
    let recommendations: Vec<&str> = verdict["recommendations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert!(!recommendations.contains(&"not_signed"), "{verdict}");
    assert!(!recommendations.contains(&"no_encryption"), "{verdict}");

    // The change is in the audit trail, as the admin.
    let rows = sqlx::query(
        "SELECT action, actor_role FROM audit_events WHERE case_id IS NULL ORDER BY id",
    )
    .fetch_all(t.db.pool())
    .await
    .unwrap();
    let rows: Vec<(String, String)> = rows
        .iter()
        .map(|r| (r.get::<String, _>(0), r.get::<String, _>(1)))
        .collect();
    assert_eq!(
        rows,
        [(
            "setting-changed:security-txt".to_owned(),
            "admin".to_owned()
        )]
    );
}

#[tokio::test]
async fn security_txt_settings_over_the_api_are_the_admins_and_name_the_field_at_fault() {
    let t = embargo_testkit::TestDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    run(
        &t,
        dir.path(),
        &[
            "user",
            "add",
            "ada",
            "--email",
            "ada@vendor.test",
            "--role",
            "admin",
        ],
    );
    run(
        &t,
        dir.path(),
        &[
            "user",
            "add",
            "tess",
            "--email",
            "tess@vendor.test",
            "--role",
            "team",
        ],
    );
    let admin = run(
        &t,
        dir.path(),
        &["user", "token", "ada", "--scopes", "read,write,admin"],
    )
    .trim()
    .to_owned();
    let admin_without_scope = run(
        &t,
        dir.path(),
        &["user", "token", "ada", "--scopes", "read,write"],
    )
    .trim()
    .to_owned();
    let team = run(
        &t,
        dir.path(),
        &["user", "token", "tess", "--scopes", "read,write"],
    )
    .trim()
    .to_owned();
    let server = Server::start(cli(&t, dir.path()));
    let http = client();
    let call = |method: reqwest::Method, token: &str, path: &str, body: Option<Value>| {
        let mut req = http.request(method, server.url(path)).bearer_auth(token);
        if let Some(body) = body {
            req = req.json(&body);
        }
        async move {
            let r = req.send().await.unwrap();
            let status = r.status().as_u16();
            (status, r.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let path = "/api/v1/settings/security-txt";

    // The defaults until set: the security address as contact, 180 days, English.
    let (status, body) = call(reqwest::Method::GET, &admin, path, None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["contacts"], json!([]));
    assert_eq!(body["expires_days"], 180);
    assert_eq!(body["preferred_languages"], json!(["en"]));

    for token in [&team, &admin_without_scope] {
        let (status, _) = call(reqwest::Method::GET, token, path, None).await;
        assert_eq!(status, 403);
        let (status, _) = call(
            reqwest::Method::PUT,
            token,
            path,
            Some(json!({ "expires_days": 30 })),
        )
        .await;
        assert_eq!(status, 403);
    }

    for (body, field) in [
        (json!({ "contacts": ["security@vendor.test"] }), "contacts"),
        (json!({ "expires_days": 0 }), "expires_days"),
        (json!({ "expires_days": 366 }), "expires_days"),
        (
            json!({ "acknowledgments": "http://vendor.test/" }),
            "acknowledgments",
        ),
        (
            json!({ "preferred_languages": ["english!"] }),
            "preferred_languages",
        ),
        (json!({ "hiring": "https://" }), "hiring"),
        (
            json!({ "contacts": ["https://vendor.test/\nCSAF: x"] }),
            "contacts",
        ),
        (json!({ "colour": "red" }), "body"),
    ] {
        let (status, reply) = call(reqwest::Method::PUT, &admin, path, Some(body.clone())).await;
        assert_eq!(status, 400, "{body}: {reply}");
        assert_eq!(reply["error"]["field"], field, "{body}: {reply}");
    }

    let (status, stored) = call(
        reqwest::Method::PUT,
        &admin,
        path,
        Some(json!({
            "contacts": ["https://vendor.test/report", " mailto:psirt@vendor.test "],
            "expires_days": 30,
            "preferred_languages": ["en, fr"],
            "policy_text": "Be kind.",
        })),
    )
    .await;
    assert_eq!(status, 200, "{stored}");
    assert_eq!(
        stored["contacts"],
        json!(["https://vendor.test/report", "mailto:psirt@vendor.test"])
    );
    assert_eq!(stored["preferred_languages"], json!(["en", "fr"]));
    let (_, again) = call(reqwest::Method::GET, &admin, path, None).await;
    assert_eq!(again, stored);
    let txt = http
        .get(server.url("/.well-known/security.txt"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        txt.starts_with(
            "Contact: https://vendor.test/report\nContact: mailto:psirt@vendor.test\nExpires: "
        ),
        "{txt}"
    );
    assert!(txt.contains("Preferred-Languages: en, fr\n"), "{txt}");
}

/// A policy like the shipped one, but acknowledging within 2 days.
fn slower_policy() -> String {
    let default = embargo_domain::DEFAULT_POLICY_TOML;
    let line = default
        .lines()
        .find(|l| l.trim_start().starts_with("acknowledge"))
        .expect("the default policy sets acknowledge");
    default.replacen(line, "acknowledge = \"2d\"", 1)
}

#[tokio::test]
async fn the_timeline_policy_is_stored_checked_by_the_parser_and_used_instead_of_the_default() {
    let t = embargo_testkit::TestDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    run(&t, dir.path(), &["demo"]);

    // Nothing stored: show says so.
    let out = cli(&t, dir.path())
        .args(["settings", "policy", "show"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(out.stdout.is_empty());

    // The parser's message for a broken policy; nothing is stored.
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "acknowledge = 12\n").unwrap();
    let out = cli(&t, dir.path())
        .args(["settings", "policy", "set", bad.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("invalid policy"), "{err}");

    let good = dir.path().join("policy.toml");
    std::fs::write(&good, slower_policy()).unwrap();
    run(
        &t,
        dir.path(),
        &["settings", "policy", "set", good.to_str().unwrap()],
    );
    assert_eq!(
        run(&t, dir.path(), &["settings", "policy", "show"]),
        slower_policy()
    );

    // The server uses it: the disclosure policy promises 2 days.
    let server = Server::start(cli(&t, dir.path()));
    let page = client()
        .get(server.url("/disclosure-policy"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("We acknowledge your report within 2 days."),
        "{page}"
    );
}

#[tokio::test]
async fn the_admin_pages_change_settings_for_admins_and_do_not_exist_for_others() {
    let web = Web::start().await;
    let admin_pw = web.user("adm-ui", "admin");
    let team_pw = web.user("team-ui", "team");
    let admin = web.login("adm-ui", &admin_pw, None).await;
    let team = web.login("team-ui", &team_pw, None).await;

    let (status, _, home) = web.get(&admin, "/queue").await;
    assert_eq!(status, StatusCode::OK);
    assert!(home.contains("<a href=\"/admin\">Admin</a>"), "{home}");
    let (_, _, home) = web.get(&team, "/queue").await;
    assert!(!home.contains("href=\"/admin\""), "{home}");
    for path in ["/admin", "/admin/security-txt", "/admin/policy"] {
        let (status, _, _) = web.get(&team, path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }

    let (status, _, page) = web.get(&admin, "/admin/security-txt").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("<label for=\"st-contacts\">"), "{page}");
    let csrf = csrf_of(&page);
    let form = |contacts: &'static str, days: &'static str| {
        let csrf = csrf.clone();
        move |policy: &'static str| {
            vec![
                ("csrf", csrf.clone()),
                ("contacts", contacts.to_owned()),
                ("expires_days", days.to_owned()),
                ("acknowledgments", String::new()),
                ("preferred_languages", "en".to_owned()),
                ("hiring", String::new()),
                ("policy_text", policy.to_owned()),
            ]
        }
    };
    let post = |fields: Vec<(&'static str, String)>| {
        let web = &web;
        let admin = admin.clone();
        async move {
            let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            web.post(&admin, "/admin/security-txt", &pairs, Some("same-origin"))
                .await
        }
    };
    // A bad value: refused, the field named, the input kept (escaped).
    let (status, _, page) = post(form("mailto:nobody", "30")("<b>x</b>")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("contacts: "), "{page}");
    assert!(page.contains("&#60;b&#62;x&#60;/b&#62;"), "{page}");
    let (status, _, page) = post(form("", "soon")("")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("expires_days: "), "{page}");
    // Without the session's token: refused.
    let mut forged = form("https://vendor.test/x", "30")("");
    forged[0].1 = "wrong".to_owned();
    let (status, _, _) = post(forged).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // A good one.
    let (status, _, page) = post(form(
        "https://vendor.test/report\nmailto:psirt@vendor.test",
        "45",
    )("Hi."))
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let (_, _, txt) = web.get(&admin, "/.well-known/security.txt").await;
    assert!(
        txt.starts_with("Contact: https://vendor.test/report\nContact: mailto:psirt@vendor.test\n"),
        "{txt}"
    );

    // The policy page: the parser's error is shown; a good policy is stored and listed.
    let (status, _, page) = web.get(&admin, "/admin/policy").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("[disclosure]") || page.contains("acknowledge"),
        "{page}"
    );
    let csrf = csrf_of(&page);
    let (status, _, page) = web
        .post(
            &admin,
            "/admin/policy",
            &[("csrf", &csrf), ("toml", "acknowledge = [")],
            Some("same-origin"),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("policy: "), "{page}");
    let slower = slower_policy();
    let (status, _, page) = web
        .post(
            &admin,
            "/admin/policy",
            &[("csrf", &csrf), ("toml", &slower)],
            Some("same-origin"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let (_, _, public) = web.get(&team, "/disclosure-policy").await;
    assert!(public.contains("within 2 days"), "{public}");
    let (_, _, landing) = web.get(&admin, "/admin").await;
    assert!(landing.contains("security-txt by an admin"), "{landing}");
    assert!(landing.contains("policy by an admin"), "{landing}");
}

async fn post_users(
    web: &Web,
    admin: &crate::web_ui::Browser,
    csrf: String,
    fields: &[(&str, &str)],
) -> (StatusCode, reqwest::header::HeaderMap, String) {
    let mut all = vec![("csrf", csrf.as_str())];
    all.extend_from_slice(fields);
    web.post(admin, "/admin/users", &all, Some("same-origin"))
        .await
}

#[tokio::test]
async fn admins_create_accounts_change_roles_and_disable_them_but_never_their_own() {
    let web = Web::start().await;
    let admin_pw = web.user("adm-users", "admin");
    let team_pw = web.user("team-users", "team");
    let admin = web.login("adm-users", &admin_pw, None).await;
    let team = web.login("team-users", &team_pw, None).await;
    let (status, _, _) = web.get(&team, "/admin/users").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (status, _, page) = web.get(&admin, "/admin/users").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("team-users"), "{page}");
    assert!(!page.contains(">system<"), "{page}");
    let csrf = csrf_of(&page);
    let post = |fields: &'static [(&'static str, &'static str)]| {
        post_users(&web, &admin, csrf.clone(), fields)
    };

    let (status, _, page) = post(&[
        ("action", "create"),
        ("username", "newbie"),
        ("email", "newbie@vendor.test"),
        ("name", "<i>New</i>"),
        ("role", "engineer"),
    ])
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("one-time password"), "{page}");
    assert!(page.contains("&#60;i&#62;New&#60;/i&#62;"), "{page}");
    let (status, _, page) = post(&[
        ("action", "create"),
        ("username", "bad name"),
        ("email", "x@vendor.test"),
        ("role", "team"),
    ])
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("username: "), "{page}");

    let (status, _, page) =
        post(&[("action", "role"), ("username", "newbie"), ("role", "team")]).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("newbie is now team."), "{page}");
    let (status, _, page) = post(&[("action", "disable"), ("username", "team-users")]).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    // The disabled account's session no longer works.
    let (status, _, _) = web.get(&team, "/queue").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _, page) = post(&[("action", "enable"), ("username", "team-users")]).await;
    assert_eq!(status, StatusCode::OK, "{page}");

    // Not your own account; not an unknown one.
    let (status, _, page) = post(&[
        ("action", "role"),
        ("username", "adm-users"),
        ("role", "team"),
    ])
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    let (status, _, _) = post(&[("action", "disable"), ("username", "nobody-here")]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The CLI does the same as the operator; the last enabled admin stays one.
    assert!(
        web.run(&["user", "role", "newbie", "engineer", "--as", "adm-users"])
            .contains("newbie is now engineer")
    );
    let out = web.run(&["user", "list", "--format", "json"]);
    assert!(out.contains("newbie"), "{out}");

    let (_, _, landing) = web.get(&admin, "/admin").await;
    assert!(landing.contains("account-created:newbie"), "{landing}");
}

#[tokio::test]
async fn admins_add_release_lines_and_change_support_releases_and_components_on_the_catalog_page() {
    let web = Web::start().await;
    let admin_pw = web.user("adm-cat", "admin");
    let team_pw = web.user("team-cat", "team");
    let admin = web.login("adm-cat", &admin_pw, None).await;
    let team = web.login("team-cat", &team_pw, None).await;
    let (status, _, _) = web.get(&team, "/admin/catalog").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (status, _, page) = web.get(&admin, "/admin/catalog").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let csrf = csrf_of(&page);
    let post = |fields: Vec<(&'static str, String)>| {
        let web = &web;
        let admin = admin.clone();
        let csrf = csrf.clone();
        async move {
            let mut all: Vec<(&str, &str)> = vec![("csrf", csrf.as_str())];
            all.extend(fields.iter().map(|(k, v)| (*k, v.as_str())));
            web.post(&admin, "/admin/catalog", &all, Some("same-origin"))
                .await
        }
    };
    let add = |ends: &str| {
        vec![
            ("action", "add-line".to_owned()),
            ("product", "widget".to_owned()),
            ("edition", "oss".to_owned()),
            ("line", "9.1.x".to_owned()),
            ("scheme", "three-part".to_owned()),
            ("latest", "9.1.4".to_owned()),
            ("supported", "1".to_owned()),
            ("support_ends", ends.to_owned()),
        ]
    };
    let (status, _, page) = post(add("someday")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("support_ends: "), "{page}");
    let (status, _, page) = post(add("2030-06-30")).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Widget Oss 9.1.x"), "{page}");
    assert!(page.contains("next patch 9.1.5"), "{page}");

    // The line's section, and its id from the section's forms.
    let section = |page: &str| -> String {
        let at = page.find("9.1.x</h2>").expect("the new line's section");
        page[at..at + page[at..].find("</section>").unwrap()].to_owned()
    };
    let id = {
        let s = section(&page);
        let at = s.find("name=\"line\" value=\"").unwrap() + "name=\"line\" value=\"".len();
        s[at..at + 36].to_owned()
    };
    let (status, _, page) = post(vec![
        ("action", "support".to_owned()),
        ("line", id.clone()),
        ("support_ends", String::new()),
    ])
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(section(&page).contains("not supported"), "{page}");
    let (status, _, page) = post(vec![
        ("action", "latest".to_owned()),
        ("line", id.clone()),
        ("version", "9.2.0".to_owned()),
    ])
    .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a version of another line: {page}"
    );
    let (status, _, page) = post(vec![
        ("action", "latest".to_owned()),
        ("line", id.clone()),
        ("version", "9.1.5".to_owned()),
    ])
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(section(&page).contains("next patch 9.1.6"), "{page}");
    let (status, _, page) = post(vec![
        ("action", "component".to_owned()),
        ("line", id.clone()),
        ("name", "openssl".to_owned()),
        ("version", "3.0.13".to_owned()),
    ])
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(section(&page).contains("openssl 3.0.13"), "{page}");
    let (status, _, _) = post(vec![
        ("action", "latest".to_owned()),
        ("line", "0190f3c4-0000-7000-8000-00000000beef".to_owned()),
        ("version", "1.0.0".to_owned()),
    ])
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn admins_edit_the_mail_templates_on_their_page_and_the_next_mail_uses_the_new_text() {
    let web = Web::start().await;
    let admin_pw = web.user("adm-tpl", "admin");
    let team_pw = web.user("team-tpl", "team");
    let admin = web.login("adm-tpl", &admin_pw, None).await;
    let team = web.login("team-tpl", &team_pw, None).await;
    let (status, _, _) = web.get(&team, "/admin/templates").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (status, _, page) = web.get(&admin, "/admin/templates").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(
        page.contains("<label for=\"body-acknowledgement\">"),
        "{page}"
    );
    assert!(
        page.contains("{{ tracking_id }}"),
        "the placeholders are listed: {page}"
    );
    let csrf = csrf_of(&page);
    let save = |subject: &'static str, body: &'static str| {
        let csrf = csrf.clone();
        let (web, admin) = (&web, admin.clone());
        async move {
            web.post(
                &admin,
                "/admin/templates",
                &[
                    ("csrf", &csrf),
                    ("kind", "acknowledgement"),
                    ("action", "save"),
                    ("subject", subject),
                    ("body", body),
                ],
                Some("same-origin"),
            )
            .await
        }
    };
    // A placeholder this mail does not fill is refused by name, and the text stays as typed.
    let (status, _, page) = save("Got it: {{ tracking_id }}", "Case {{ cvss_score }}").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("cvss_score"), "{page}");
    assert!(page.contains("Got it: {{ tracking_id }}"), "{page}");
    let (status, _, page) = save(
        "Received {{ tracking_id }} (TPL-7q)",
        "Thanks {{ reporter_name }}, we have {{ tracking_id }}.",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");

    let tracking = crate::web_ui::submit_report(&web, "tina@example.org", "Template check").await;
    let ack = crate::web_ui::mails_to(&web, "tina@example.org", 1).remove(0);
    let subject = crate::mail::header(&ack, "Subject").unwrap();
    assert!(
        subject.contains("(TPL-7q)") && subject.contains(&tracking),
        "{subject}"
    );

    // Reset: the shipped text again.
    let (status, _, page) = web
        .post(
            &admin,
            "/admin/templates",
            &[
                ("csrf", &csrf),
                ("kind", "acknowledgement"),
                ("action", "reset"),
            ],
            Some("same-origin"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(!page.contains("(TPL-7q)"), "{page}");
}

#[tokio::test]
async fn admins_manage_accounts_and_the_catalog_over_the_api_and_nobody_else_can() {
    let web = Web::start().await;
    web.user("adm-api", "admin");
    web.user("team-api", "team");
    let token = |name: &str, scopes: &str| {
        web.run(&["user", "token", name, "--scopes", scopes])
            .trim()
            .to_owned()
    };
    let admin = token("adm-api", "read,write,admin");
    let admin_no_scope = token("adm-api", "read,write");
    let team = token("team-api", "read,write");
    let http = client();
    let call = |method: reqwest::Method, path: &str, token: &str, body: Option<Value>| {
        let mut req = http
            .request(method, web.server.url(path))
            .bearer_auth(token);
        if let Some(body) = body {
            req = req.json(&body);
        }
        async move {
            let res = req.send().await.unwrap();
            let status = res.status().as_u16();
            let json: Value = res.json().await.unwrap_or(Value::Null);
            (status, json)
        }
    };
    use reqwest::Method;

    let new_user = json!({ "username": "nell", "email": "nell@vendor.test", "role": "engineer" });
    for t in [&team, &admin_no_scope] {
        let (status, _) = call(Method::POST, "/api/v1/users", t, Some(new_user.clone())).await;
        assert_eq!(status, 403);
    }
    let (status, created) = call(Method::POST, "/api/v1/users", &admin, Some(new_user)).await;
    assert_eq!(status, 201, "{created}");
    let password = created["password"].as_str().unwrap();
    assert!(password.len() >= 16, "{created}");
    let (status, body) = call(
        Method::POST,
        "/api/v1/users",
        &admin,
        Some(json!({ "username": "x", "email": "x@vendor.test", "role": "overlord" })),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["field"], "role");
    let (status, changed) = call(
        Method::PATCH,
        "/api/v1/users/nell",
        &admin,
        Some(json!({ "role": "team", "disabled": true })),
    )
    .await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["role"], "team");
    assert_eq!(changed["disabled"], true);
    let (status, body) = call(
        Method::PATCH,
        "/api/v1/users/adm-api",
        &admin,
        Some(json!({ "role": "team" })),
    )
    .await;
    assert_eq!(status, 400, "never one's own account: {body}");
    let (status, list) = call(Method::GET, "/api/v1/users", &admin, None).await;
    assert_eq!(status, 200);
    let nell = list
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "nell")
        .expect("the new account");
    assert_eq!(nell["role"], "team");
    assert!(!list.to_string().contains("argon2"), "no password hashes");
    let (status, _) = call(Method::GET, "/api/v1/users", &team, None).await;
    assert_eq!(status, 403);

    // The catalog: a new line, its latest release (the next patch follows), a component.
    let (status, _) = call(
        Method::POST,
        "/api/v1/catalog/lines",
        &team,
        Some(json!({ "product": "gateway", "edition": "oss", "line": "7.1.x", "scheme": "three-part" })),
    )
    .await;
    assert_eq!(status, 403);
    let (status, catalog) = call(
        Method::POST,
        "/api/v1/catalog/lines",
        &admin,
        Some(json!({ "product": "gateway", "edition": "oss", "line": "7.1.x", "scheme": "three-part" })),
    )
    .await;
    assert_eq!(status, 200, "{catalog}");
    let find = |catalog: &Value| -> Value {
        catalog["products"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|p| p["editions"].as_array().unwrap())
            .flat_map(|e| e["release_lines"].as_array().unwrap())
            .find(|l| l["name"] == "7.1.x")
            .expect("the new line")
            .clone()
    };
    let id = find(&catalog)["id"].as_str().unwrap().to_owned();
    let (status, catalog) = call(
        Method::PATCH,
        &format!("/api/v1/catalog/lines/{id}"),
        &admin,
        Some(json!({ "latest_version": "7.1.4" })),
    )
    .await;
    assert_eq!(status, 200, "{catalog}");
    assert_eq!(find(&catalog)["next_patch"], "7.1.5");
    let (status, body) = call(
        Method::PATCH,
        &format!("/api/v1/catalog/lines/{id}"),
        &admin,
        Some(json!({ "latest_version": "8.0.0" })),
    )
    .await;
    assert_eq!(status, 400, "not a version of 7.1.x: {body}");
    let (status, catalog) = call(
        Method::PUT,
        &format!("/api/v1/catalog/lines/{id}/components/openssl"),
        &admin,
        Some(json!({ "version": "3.0.15" })),
    )
    .await;
    assert_eq!(status, 200, "{catalog}");
    assert!(find(&catalog)["components"].to_string().contains("3.0.15"));
}
