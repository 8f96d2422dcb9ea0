//! The canary sweep: a unique marker in every embargoed field of one case (report, reporter,
//! attachment, internal note and its file, collaborators' and reporter's messages, an affected
//! line's reason, the embargo's reason, the advisory draft), then everything a lower-privileged
//! principal can receive is searched for the markers they may not read: every page and every
//! API read, searches for each marker (and how many results they count), the public feeds and
//! CSAF provider, `embargo export all`, every mail sent to someone outside the team, and the
//! server's debug logs (which hold no marker at all, nor a sign-in link or an API token).

use std::collections::BTreeMap;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::web_ui::{
    Browser, Web, csrf_of, link_in, mails_to, session_cookie, submit_report, tracking_in,
};

const TITLE: &str = "CNY-TITLE-a1q";
const DESC: &str = "CNY-DESC-b2w";
const NAME: &str = "CNY-NAME-c3e";
const ATT: &str = "CNY-ATT-e5r";
const ATT_NAME: &str = "cny-attname-d4t";
const NOTE: &str = "CNY-NOTE-f6y";
const NOTE_FILE: &str = "CNY-NOTEFILE-h8u";
const NOTE_FILE_NAME: &str = "cny-notefilename-g7i";
const COL: &str = "CNY-COL-i9o";
const TO_REPORTER: &str = "CNY-TOREP-j0p";
const WONT_FIX: &str = "CNY-WONTFIX-k1a";
const EMBARGO_REASON: &str = "CNY-EMBREASON-l2s";
const ADV_TITLE: &str = "CNY-ADVTITLE-m3d";
const ADV_SUMMARY: &str = "CNY-ADVSUM-n4f";
const ADV_TEXT: &str = "CNY-ADVDESC-o5g";
const ADV_WORKAROUND: &str = "CNY-ADVWORK-p6h";

const ALL: [&str; 16] = [
    TITLE,
    DESC,
    NAME,
    ATT,
    ATT_NAME,
    NOTE,
    NOTE_FILE,
    NOTE_FILE_NAME,
    COL,
    TO_REPORTER,
    WONT_FIX,
    EMBARGO_REASON,
    ADV_TITLE,
    ADV_SUMMARY,
    ADV_TEXT,
    ADV_WORKAROUND,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Anonymous,
    /// Reported the case: knows what she sent, reads the messages to her.
    Reporter,
    /// Reported another case.
    OtherReporter,
    /// Invited to the case as collaborator: the case, its collaborators' and reporter's
    /// messages and its release lines; no reporter identity, internal notes, reports as
    /// received, embargo reason or advisory.
    Collaborator,
    EngineerOutsider,
    CollaboratorOutsider,
}

const LOWER: [Who; 6] = [
    Who::Anonymous,
    Who::Reporter,
    Who::OtherReporter,
    Who::Collaborator,
    Who::EngineerOutsider,
    Who::CollaboratorOutsider,
];

/// The markers `who` must never receive.
fn forbidden(who: Who) -> Vec<&'static str> {
    let may: &[&str] = match who {
        Who::Reporter => &[TITLE, DESC, NAME, ATT, ATT_NAME, TO_REPORTER],
        Who::Collaborator => &[TITLE, DESC, COL, TO_REPORTER, WONT_FIX],
        _ => &[],
    };
    ALL.into_iter().filter(|m| !may.contains(m)).collect()
}

fn assert_clean(what: &str, who: Who, body: &str) {
    for marker in forbidden(who) {
        assert!(
            !body.contains(marker),
            "{what} as {who:?} leaks {marker}: {body:.400}"
        );
    }
}

/// Everything a mail shows its reader: headers and every part, decoded.
fn mail_text(raw: &[u8]) -> String {
    let parsed = mail_parser::MessageParser::default()
        .parse(raw)
        .expect("a parsable mail");
    let mut text = String::from_utf8_lossy(raw).replace("=\r\n", "");
    for part in &parsed.parts {
        text.push('\n');
        text.push_str(&String::from_utf8_lossy(part.contents()));
    }
    if let Some(subject) = parsed.subject() {
        text.push('\n');
        text.push_str(subject);
    }
    text
}

#[tokio::test]
async fn no_lower_principal_receives_a_marker_of_an_embargoed_field_anywhere() {
    let logs_dir = tempfile::tempdir().unwrap();
    let log_path = logs_dir.path().join("serve.log");
    let web = Web::start_logging(Some(&log_path)).await;
    let tess_pw = web.user("cn-tess", "team");
    web.user("cn-emil", "engineer");
    let cole_pw = web.user("cn-cole", "collaborator");
    let otto_pw = web.user("cn-otto", "engineer");
    let cora_pw = web.user("cn-cora", "collaborator");
    let token = |name: &str| -> String {
        web.run(&["user", "token", name, "--scopes", "read,write"])
            .trim()
            .to_owned()
    };
    let tess_token = token("cn-tess");

    // The case: Rita's report with a file; Oscar reports another.
    let title = format!("Canary {TITLE} in the session store");
    let description = format!("Steps: {DESC}");
    let name = format!("Rita {NAME}");
    let att_name = format!("{ATT_NAME}.txt");
    let (status, _, page) = web
        .post_multipart(
            &Browser::default(),
            "/report",
            &[
                ("title", &title),
                ("description", &description),
                ("reporter_email", "rita.canary@example.org"),
                ("reporter_name", &name),
            ],
            &[("attachments", &att_name, "text/plain", ATT.as_bytes())],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let case = tracking_in(&page);
    let other = submit_report(&web, "oscar.canary@example.org", "A plain other report").await;

    // The team works on it through the pages …
    let tess = web.login("cn-tess", &tess_pw, None).await;
    let room_path = format!("/cases/{case}");
    let version = |page: &str| -> String {
        let at =
            page.find("name=\"version\" value=\"").unwrap() + "name=\"version\" value=\"".len();
        page[at..at + page[at..].find('"').unwrap()].to_owned()
    };
    for (user, role) in [("cn-emil", "engineer"), ("cn-cole", "collaborator")] {
        let (_, _, room) = web.get(&tess, &room_path).await;
        let (status, _, page) = web
            .post(
                &tess,
                &format!("{room_path}/members"),
                &[
                    ("csrf", &csrf_of(&room)),
                    ("version", &version(&room)),
                    ("username", user),
                    ("role", role),
                ],
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{page}");
    }
    let (_, _, room) = web.get(&tess, &room_path).await;
    let csrf = csrf_of(&room);
    let note_file = format!("{NOTE_FILE_NAME}.log");
    let (status, _, page) = web
        .post_multipart(
            &tess,
            &format!("{room_path}/message"),
            &[
                ("csrf", &csrf),
                ("body", &format!("Root cause: {NOTE}")),
                ("visibility", "internal"),
            ],
            &[("files", &note_file, "text/plain", NOTE_FILE.as_bytes())],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    for (body, visibility) in [
        (format!("For our partners: {COL}"), "collaborators"),
        (format!("Thanks! {TO_REPORTER}"), "reporter"),
    ] {
        let (status, _, page) = web
            .post(
                &tess,
                &format!("{room_path}/message"),
                &[
                    ("csrf", &csrf),
                    ("body", &body),
                    ("visibility", visibility),
                    ("confirm", "yes"),
                ],
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{page}");
    }

    // … and the API: accepted, a line it won't fix, the embargo by hand, the advisory draft.
    let http = reqwest::Client::new();
    let api = |method: reqwest::Method, path: String, token: &str, body: Option<Value>| {
        let mut req = http
            .request(method, web.server.url(&path))
            .bearer_auth(token);
        if let Some(body) = body {
            req = req.json(&body);
        }
        async move {
            let res = req.send().await.unwrap();
            let status = res.status();
            let text = res.text().await.unwrap();
            (status, text)
        }
    };
    let case_json = |token: String| {
        let path = format!("/api/v1/cases/{case}");
        let api = &api;
        async move {
            let (status, text) = api(reqwest::Method::GET, path, &token, None).await;
            assert_eq!(status, StatusCode::OK, "{text}");
            serde_json::from_str::<Value>(&text).unwrap()
        }
    };
    for to in ["triage", "accepted"] {
        let v = case_json(tess_token.clone()).await["version"].clone();
        let (status, text) = api(
            reqwest::Method::POST,
            format!("/api/v1/cases/{case}/transitions"),
            &tess_token,
            Some(json!({ "to": to, "expected_version": v })),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{text}");
    }
    let (_, catalog) = api(
        reqwest::Method::GET,
        "/api/v1/catalog".to_owned(),
        &tess_token,
        None,
    )
    .await;
    let catalog: Value = serde_json::from_str(&catalog).unwrap();
    let line = catalog["products"][0]["editions"][0]["release_lines"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let v = case_json(tess_token.clone()).await["version"].clone();
    let (status, text) = api(
        reqwest::Method::PUT,
        format!("/api/v1/cases/{case}/affected/{line}"),
        &tess_token,
        Some(json!({ "status": "wont-fix", "reason": format!("End of life: {WONT_FIX}"), "expected_version": v })),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let v = case_json(tess_token.clone()).await["version"].clone();
    let (status, text) = api(
        reqwest::Method::PUT,
        format!("/api/v1/cases/{case}/embargo"),
        &tess_token,
        Some(json!({ "at": "2099-01-05T14:00:00Z", "reason": format!("Agreed: {EMBARGO_REASON}"), "expected_version": v })),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let (status, text) = api(
        reqwest::Method::PUT,
        format!("/api/v1/cases/{case}/advisory"),
        &tess_token,
        Some(json!({
            "title": format!("Advisory {ADV_TITLE}"),
            "summary": format!("Summary {ADV_SUMMARY}"),
            "description": format!("Details {ADV_TEXT}"),
            "workarounds": format!("Meanwhile {ADV_WORKAROUND}"),
        })),
    )
    .await;
    assert!(status.is_success(), "{status} {text}");

    // The team reads every marker: the sweep below can find them.
    let case_id = case_json(tess_token.clone()).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let row = format!("/cases/{case_id}\"");
    let (_, _, room) = web.get(&tess, &room_path).await;
    for marker in [
        TITLE,
        DESC,
        NOTE,
        NOTE_FILE_NAME,
        ATT_NAME,
        COL,
        TO_REPORTER,
        WONT_FIX,
        EMBARGO_REASON,
    ] {
        assert!(room.contains(marker), "the team's room lacks {marker}");
    }
    let ids_after = |marker: &str| -> Vec<String> {
        room.match_indices(marker)
            .map(|(at, _)| room[at + marker.len()..at + marker.len() + 36].to_owned())
            .collect()
    };
    let report_id = ids_after(&format!("/cases/{case_id}/reports/"))[0].clone();
    let note_id = ids_after(&format!("/cases/{case_id}/messages/"))[0].clone();

    // The principals and how each one browses.
    let via_link = |email: &'static str| {
        let web = &web;
        async move {
            let mails = mails_to(web, email, 1);
            let link = link_in(mails.last().expect("a mail with a link"));
            let (status, headers, _) = web
                .post(
                    &Browser::default(),
                    "/signin",
                    &[("secret", link.trim_start_matches("/signin/"))],
                    None,
                )
                .await;
            assert_eq!(status, StatusCode::SEE_OTHER);
            Browser {
                cookie: Some(session_cookie(&headers)),
            }
        }
    };
    let mut principals: Vec<(Who, Browser, Option<String>)> = Vec::new();
    for who in LOWER {
        let (browser, token) = match who {
            Who::Anonymous => (Browser::default(), None),
            Who::Reporter => (via_link("rita.canary@example.org").await, None),
            Who::OtherReporter => (via_link("oscar.canary@example.org").await, None),
            Who::Collaborator => (
                web.login("cn-cole", &cole_pw, None).await,
                Some(token("cn-cole")),
            ),
            Who::EngineerOutsider => (
                web.login("cn-otto", &otto_pw, None).await,
                Some(token("cn-otto")),
            ),
            Who::CollaboratorOutsider => (
                web.login("cn-cora", &cora_pw, None).await,
                Some(token("cn-cora")),
            ),
        };
        principals.push((who, browser, token));
    }

    // Every page, with the case and its report and note filled in; plus each marker searched.
    let concrete = |path: &str| -> String {
        path.replace("{case}", &case)
            .replace("{secret}", "lnk_0000000000000000000000000000000000000000")
            .replace("{name}", &case)
            .replace("{year}", "2099")
            .replace("{file}", &format!("{}.json", case.to_lowercase()))
            .replace("{report}", &report_id)
            .replace("{message}", &note_id)
            .replace("{n}", "0")
    };
    let mut pages: Vec<String> = embargo_web::page_paths()
        .iter()
        .map(|p| concrete(p))
        .collect();
    pages.push(format!("/portal/{other}"));
    let mut swept = 0;
    for (who, browser, _) in &principals {
        for path in &pages {
            let (_, _, body) = web.get(browser, path).await;
            assert_clean(&format!("GET {path}"), *who, &body);
            swept += 1;
        }
        for marker in ALL {
            for path in [
                format!("/queue?q={marker}"),
                format!("/queue?q={marker}&all=1"),
                format!("/advisories?q={marker}"),
            ] {
                let (_, _, body) = web.get(browser, &path).await;
                // The search box shows what they typed; nothing else may.
                let body = body.replace(&format!("value=\"{marker}\""), "");
                assert_clean(&format!("GET {path}"), *who, &body);
                // A search for what they may not read finds nothing: the count gives nothing
                // away either.
                if forbidden(*who).contains(&marker) && path.starts_with("/queue") {
                    assert!(!body.contains(&row), "GET {path} as {who:?} finds the case");
                }
                swept += 1;
            }
        }
    }
    // The search itself works: the invited collaborator finds the case by its title, the team
    // by its internal note.
    let (_, col_browser, _) = &principals[3];
    let (_, _, found) = web.get(col_browser, &format!("/queue?q={TITLE}")).await;
    assert!(found.contains(&row), "{found}");
    let (_, _, found) = web.get(&tess, &format!("/queue?q={NOTE}")).await;
    assert!(found.contains(&row), "{found}");
    let (_, cole_token) = (principals[3].0, principals[3].2.clone().unwrap());
    let (_, body) = api(
        reqwest::Method::GET,
        format!("/api/v1/cases?q={COL}"),
        &cole_token,
        None,
    )
    .await;
    assert!(body.contains(&case_id), "{body}");

    // Every API read the document lists, and the searches with their counts.
    let (_, doc) = api(
        reqwest::Method::GET,
        "/api/openapi.json".to_owned(),
        "",
        None,
    )
    .await;
    let doc: Value = serde_json::from_str(&doc).unwrap();
    let fill: BTreeMap<&str, String> = [
        ("{case}", case.clone()),
        ("{line}", line.clone()),
        ("{version}", "3.1".to_owned()),
        ("{kind}", "acknowledgement".to_owned()),
        ("{release}", uuid_like(1)),
        ("{id}", uuid_like(2)),
        ("{report}", report_id.clone()),
        ("{message}", note_id.clone()),
        ("{n}", "0".to_owned()),
    ]
    .into_iter()
    .collect();
    let mut reads = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        if item.get("get").is_none() {
            continue;
        }
        let mut url = format!("/api/v1{path}");
        for (k, v) in &fill {
            url = url.replace(k, v);
        }
        assert!(!url.contains('{'), "no value to fill {url} with");
        reads.push(url);
    }
    assert!(reads.len() >= 15, "{reads:?}");
    for (who, _, token) in &principals {
        let Some(token) = token else { continue };
        for url in &reads {
            let (_, body) = api(reqwest::Method::GET, url.clone(), token, None).await;
            assert_clean(&format!("GET {url}"), *who, &body);
            swept += 1;
        }
        for marker in ALL {
            let url = format!("/api/v1/cases?q={marker}&limit=500");
            let (status, body) = api(reqwest::Method::GET, url.clone(), token, None).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            assert_clean(&format!("GET {url}"), *who, &body);
            let hits = serde_json::from_str::<Value>(&body).unwrap();
            let hits = hits.as_array().unwrap().len();
            if forbidden(*who).contains(&marker) {
                assert_eq!(hits, 0, "GET {url} as {who:?} counts {hits}");
            }
        }
    }

    // Exports and the public documents hold nothing of a case under embargo.
    let out = tempfile::tempdir().unwrap();
    web.run(&["export", "all", "--out", out.path().to_str().unwrap()]);
    let mut files = vec![out.path().to_path_buf()];
    while let Some(p) = files.pop() {
        if p.is_dir() {
            files.extend(std::fs::read_dir(&p).unwrap().map(|e| e.unwrap().path()));
        } else {
            let bytes = std::fs::read(&p).unwrap();
            assert_clean(
                &format!("export {}", p.display()),
                Who::Anonymous,
                &String::from_utf8_lossy(&bytes),
            );
            swept += 1;
        }
    }

    // Mails: the reporter's carry only what she may read; nobody outside the team gets more.
    let _ = mails_to(&web, "rita.canary@example.org", 3);
    let mut secrets = Vec::new();
    for (rcpt, raw) in web.sink.messages() {
        let text = mail_text(&raw);
        if text.contains("/signin/lnk_") {
            secrets.push(link_in(&raw).trim_start_matches("/signin/").to_owned());
        }
        let who = if rcpt.contains("rita.canary@") {
            Who::Reporter
        } else if rcpt.contains("cn-cole@") {
            Who::Collaborator
        } else if rcpt.contains("@vendor.test")
            && !rcpt.contains("cn-cora")
            && !rcpt.contains("cn-otto")
        {
            continue;
        } else {
            Who::OtherReporter
        };
        assert_clean(&format!("mail to {rcpt}"), who, &text);
        swept += 1;
    }
    assert!(!secrets.is_empty());

    // The logs, at debug level, hold no marker, no sign-in secret and no API token.
    drop(principals);
    let logs = std::fs::read_to_string(&log_path).unwrap();
    assert!(logs.len() > 1000, "debug logs were written: {logs}");
    for marker in ALL {
        let line = logs.lines().find(|l| l.contains(marker));
        assert!(line.is_none(), "the logs hold {marker}: {line:?}");
    }
    for secret in secrets.iter().chain([&tess_token]) {
        assert!(!logs.contains(secret.as_str()), "the logs hold a secret");
    }
    assert!(swept > 500, "{swept}");
}

/// A well-formed id that names nothing.
fn uuid_like(n: u8) -> String {
    format!("00000000-0000-4000-8000-0000000000{n:02}")
}
