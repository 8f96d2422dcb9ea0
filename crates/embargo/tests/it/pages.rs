//! The public report form, over HTTP as a browser sends it.

use sqlx::Row;

use crate::support::{Server, client, embargo};

fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", urlencode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            b' ' => "+".to_owned(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn the_report_form_files_a_report_and_shows_the_acknowledgement() {
    let t = embargo_testkit::TestDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = embargo(dir.path());
    cmd.env("EMBARGO_DATABASE_URL", &t.url)
        .env("EMBARGO_MAIL_FROM", "security@vendor.test");
    let server = Server::start(cmd);
    let http = client();

    let page = http.get(server.url("/report")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(
        page.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("script-src 'self'")
    );
    let html = page.text().await.unwrap();
    for field in [
        "title",
        "description",
        "reporter_email",
        "reporter_name",
        "product",
        "version",
    ] {
        assert!(
            html.contains(&format!("<label for=\"{field}\"")),
            "no label for {field}"
        );
        assert!(
            html.contains(&format!("id=\"{field}\"")),
            "no input {field}"
        );
    }
    assert!(!html.contains("<script"), "readable without JavaScript");

    let post = |body: String, site: &'static str| {
        http.post(server.url("/report"))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("sec-fetch-site", site)
            .body(body)
            .send()
    };
    let hostile = "<script>alert(1)</script> & \"quotes\"";
    let ok = post(
        form(&[
            ("title", hostile),
            ("description", "Stored XSS in the profile page."),
            ("reporter_email", "wanda@example.org"),
            ("reporter_name", "Wanda"),
            ("credit_consent", "yes"),
        ]),
        "same-origin",
    )
    .await
    .unwrap();
    assert_eq!(ok.status(), 200);
    let received = ok.text().await.unwrap();
    assert!(!received.contains("<script>alert"), "user text is escaped");
    let tracking = received
        .split("<strong>")
        .nth(1)
        .and_then(|s| s.split("</strong>").next())
        .unwrap()
        .to_owned();
    assert!(tracking.starts_with("EMB-"), "{tracking}");
    assert!(received.contains("do not publicise"));

    // The page shows the acknowledgement mail's text, and that mail is queued.
    let raw: Vec<u8> = sqlx::query("SELECT raw FROM outbox WHERE recipient = 'wanda@example.org'")
        .fetch_one(t.db.pool())
        .await
        .unwrap()
        .get(0);
    let mail = String::from_utf8_lossy(&raw);
    assert!(mail.contains(&tracking));
    let consent: i64 =
        sqlx::query("SELECT credit_consent FROM case_reporters WHERE email = 'wanda@example.org'")
            .fetch_one(t.db.pool())
            .await
            .unwrap()
            .get(0);
    assert_eq!(consent, 1);

    // A bad field comes back on the form, named, with everything typed kept (escaped).
    let bad = post(
        form(&[
            ("title", hostile),
            ("description", "details"),
            ("reporter_email", "not-an-address"),
        ]),
        "same-origin",
    )
    .await
    .unwrap();
    assert_eq!(bad.status(), 422);
    let html = bad.text().await.unwrap();
    assert!(html.contains("href=\"#reporter_email\""), "{html}");
    assert!(
        html.contains("&#60;script&#62;alert(1)&#60;/script&#62; &#38; &#34;quotes&#34;"),
        "{html}"
    );
    assert!(html.contains("value=\"not-an-address\""));

    // A cross-site post (a forged form elsewhere) is refused and files nothing.
    let forged = post(
        form(&[
            ("title", "x"),
            ("description", "y"),
            ("reporter_email", "a@example.org"),
        ]),
        "cross-site",
    )
    .await
    .unwrap();
    assert_eq!(forged.status(), 403);
    let reports: i64 = sqlx::query("SELECT COUNT(*) FROM reports")
        .fetch_one(t.db.pool())
        .await
        .unwrap()
        .get(0);
    assert_eq!(reports, 1);

    let css = http
        .get(server.url("/static/site.css"))
        .send()
        .await
        .unwrap();
    assert_eq!(css.status(), 200);
    assert!(
        css.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
}
