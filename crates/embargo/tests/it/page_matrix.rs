//! The access matrix of the pages (every route outside `/api/v1`, which `access_matrix.rs`
//! covers): every path × every kind of visitor, own and foreign case, asserting the answer and
//! that no marker of a case (or an internal note) the visitor may not read appears in any body.
//! The paths come from `embargo_web::page_paths()`, the list the router is built from: a page
//! without a row here fails the test, naming it.

use reqwest::StatusCode;

use crate::web_ui::{
    Browser, Web, csrf_of, link_in, mails_to, session_cookie, submit_report, tracking_in,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Anonymous,
    /// Reported case A.
    ReporterOwn,
    /// Reported case B only.
    ReporterOther,
    Admin,
    Team,
    EngineerInvited,
    EngineerOutsider,
    CollaboratorInvited,
    CollaboratorOutsider,
}

const EVERYONE: [Who; 9] = [
    Who::Anonymous,
    Who::ReporterOwn,
    Who::ReporterOther,
    Who::Admin,
    Who::Team,
    Who::EngineerInvited,
    Who::EngineerOutsider,
    Who::CollaboratorInvited,
    Who::CollaboratorOutsider,
];

/// What `GET path` answers `who`; `None` for paths that take no GET (only POST).
fn expected_get(path: &str, who: Who) -> Option<u16> {
    use Who::*;
    let signed_in = who != Anonymous;
    let reporter = matches!(who, ReporterOwn | ReporterOther);
    Some(match path {
        "/healthz"
        | "/readyz"
        | "/report"
        | "/disclosure-policy"
        | "/static/site.css"
        | "/.well-known/security.txt"
        | "/advisories"
        | "/advisories/feed.atom"
        | "/.well-known/csaf/provider-metadata.json"
        | "/.well-known/csaf/clear/index.txt"
        | "/.well-known/csaf/clear/changes.csv"
        | "/api/openapi.json"
        | "/signin/{secret}" => 200,
        "/favicon.ico" => 204,
        // No team key in this test; an unknown advisory or CSAF file.
        "/.well-known/openpgp-key.asc"
        | "/advisories/{name}"
        | "/.well-known/csaf/clear/{year}/{file}" => 404,
        "/" => 303,
        "/login" => {
            if signed_in {
                303
            } else {
                200
            }
        }
        "/account" => {
            if signed_in {
                200
            } else {
                303
            }
        }
        "/portal" => {
            if reporter {
                200
            } else {
                303
            }
        }
        "/portal/{case}" => match who {
            ReporterOwn => 200,
            ReporterOther => 404,
            _ => 303,
        },
        "/queue" => {
            if signed_in && !reporter {
                200
            } else {
                303
            }
        }
        "/cases/{case}" => match who {
            Admin | Team | EngineerInvited | CollaboratorInvited => 200,
            EngineerOutsider | CollaboratorOutsider => 404,
            _ => 303,
        },
        "/logout"
        | "/signin"
        | "/account/password"
        | "/account/totp"
        | "/account/sessions/revoke"
        | "/account/tokens"
        | "/portal/{case}/reply"
        | "/portal/{case}/credit"
        | "/cases/{case}/message"
        | "/cases/{case}/cvss"
        | "/cases/{case}/transition"
        | "/cases/{case}/affected"
        | "/cases/{case}/members"
        | "/cases/{case}/assignee"
        | "/cases/{case}/estimate"
        | "/cases/{case}/embargo" => return None,
        // Report originals and attachments: the team and the case's engineers. The thread file
        // here is an internal note's: the same readers.
        "/cases/{case}/reports/{report}/raw" | "/cases/{case}/reports/{report}/files/{n}" => {
            match who {
                Admin | Team | EngineerInvited => 200,
                // They see the case, not its reports as received.
                CollaboratorInvited | ReporterOwn => 403,
                Anonymous => 303,
                _ => 404,
            }
        }
        "/cases/{case}/messages/{message}/files/{n}" => match who {
            Admin | Team | EngineerInvited => 200,
            Anonymous => 303,
            _ => 404,
        },
        "/prenotify" => match who {
            Admin | Team => 200,
            Anonymous => 303,
            _ => 404,
        },
        // The admins' settings pages: to everyone else they do not exist.
        "/admin"
        | "/admin/users"
        | "/admin/catalog"
        | "/admin/security-txt"
        | "/admin/policy"
        | "/admin/templates" => match who {
            Admin => 200,
            Anonymous => 303,
            _ => 404,
        },
        other => panic!("page {other} has no row in the page access matrix"),
    })
}

/// Whether `POST path` exists (the rest answer 405).
fn takes_post(path: &str) -> bool {
    matches!(
        path,
        "/report"
            | "/login"
            | "/logout"
            | "/signin"
            | "/account/password"
            | "/account/totp"
            | "/account/sessions/revoke"
            | "/account/tokens"
            | "/portal/{case}/reply"
            | "/portal/{case}/credit"
            | "/cases/{case}/message"
            | "/cases/{case}/cvss"
            | "/cases/{case}/transition"
            | "/cases/{case}/affected"
            | "/cases/{case}/members"
            | "/cases/{case}/assignee"
            | "/cases/{case}/estimate"
            | "/cases/{case}/embargo"
            | "/prenotify"
            | "/admin/users"
            | "/admin/catalog"
            | "/admin/security-txt"
            | "/admin/policy"
            | "/admin/templates"
    )
}

#[tokio::test]
async fn every_page_answers_every_visitor_as_the_matrix_says_and_leaks_nothing() {
    let web = Web::start().await;
    let team_pw = web.user("pm-team", "team");
    let admin_pw = web.user("pm-admin", "admin");
    let eng_pw = web.user("pm-eng", "engineer");
    let eng_out_pw = web.user("pm-eng-out", "engineer");
    let col_pw = web.user("pm-col", "collaborator");
    let col_out_pw = web.user("pm-col-out", "collaborator");

    // Case A (Rita's) and case B (Oscar's), each with a marker in its title; A gets an
    // internal note and a collaborators' message with markers of their own.
    // Rita's report carries a file.
    let (status, _, page) = web
        .post_multipart(
            &Browser::default(),
            "/report",
            &[
                ("title", "MARKA-7c1 request smuggling"),
                ("description", "Steps to reproduce: see the file."),
                ("reporter_email", "rita@example.org"),
            ],
            &[(
                "attachments",
                "poc.html",
                "text/html",
                b"<script>MARKATT-6c0</script>",
            )],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let a = tracking_in(&page);
    submit_report(&web, "oscar@example.org", "MARKB-91f cache poisoning").await;
    let team = web.login("pm-team", &team_pw, None).await;
    let (_, _, room) = web.get(&team, &format!("/cases/{a}")).await;
    let csrf = csrf_of(&room);
    let version = |page: &str| -> String {
        let at =
            page.find("name=\"version\" value=\"").unwrap() + "name=\"version\" value=\"".len();
        page[at..at + page[at..].find('"').unwrap()].to_owned()
    };
    for (user, role) in [("pm-eng", "engineer"), ("pm-col", "collaborator")] {
        let (_, _, room) = web.get(&team, &format!("/cases/{a}")).await;
        let (status, _, page) = web
            .post(
                &team,
                &format!("/cases/{a}/members"),
                &[
                    ("csrf", &csrf),
                    ("version", &version(&room)),
                    ("username", user),
                    ("role", role),
                ],
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{page}");
    }
    for (body, visibility) in [
        ("MARKNOTE-3d2 internal", "internal"),
        ("MARKCOL-5e8 for collaborators", "collaborators"),
    ] {
        let (status, _, _) = web
            .post(
                &team,
                &format!("/cases/{a}/message"),
                &[("csrf", &csrf), ("body", body), ("visibility", visibility)],
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK);
    }
    // An internal note with a file.
    let (status, _, page) = web
        .post_multipart(
            &team,
            &format!("/cases/{a}/message"),
            &[("csrf", &csrf), ("body", ""), ("visibility", "internal")],
            &[("files", "trace.txt", "text/plain", b"MARKNOTEFILE-4b1")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let (_, _, room) = web.get(&team, &format!("/cases/{a}")).await;
    let id_after = |marker: &str| -> String {
        let at = room
            .find(marker)
            .unwrap_or_else(|| panic!("{marker} in {room}"))
            + marker.len();
        room[at..at + 36].to_owned()
    };
    let report_id = id_after("/reports/");
    let message_id = id_after("/messages/");

    // One browser per visitor.
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
    let mut browsers = Vec::new();
    for who in EVERYONE {
        let b = match who {
            Who::Anonymous => Browser::default(),
            Who::ReporterOwn => via_link("rita@example.org").await,
            Who::ReporterOther => via_link("oscar@example.org").await,
            Who::Admin => web.login("pm-admin", &admin_pw, None).await,
            Who::Team => team.clone(),
            Who::EngineerInvited => web.login("pm-eng", &eng_pw, None).await,
            Who::EngineerOutsider => web.login("pm-eng-out", &eng_out_pw, None).await,
            Who::CollaboratorInvited => web.login("pm-col", &col_pw, None).await,
            Who::CollaboratorOutsider => web.login("pm-col-out", &col_out_pw, None).await,
        };
        browsers.push((who, b));
    }

    // What each visitor must never receive.
    let forbidden = |who: Who| -> Vec<&'static str> {
        match who {
            Who::Anonymous | Who::EngineerOutsider | Who::CollaboratorOutsider => vec![
                "MARKA-7c1",
                "MARKB-91f",
                "MARKNOTE-3d2",
                "MARKCOL-5e8",
                "MARKATT-6c0",
                "MARKNOTEFILE-4b1",
            ],
            Who::ReporterOwn => vec![
                "MARKB-91f",
                "MARKNOTE-3d2",
                "MARKCOL-5e8",
                "MARKNOTEFILE-4b1",
            ],
            Who::ReporterOther => vec![
                "MARKA-7c1",
                "MARKNOTE-3d2",
                "MARKCOL-5e8",
                "MARKATT-6c0",
                "MARKNOTEFILE-4b1",
            ],
            Who::EngineerInvited => vec!["MARKB-91f"],
            Who::CollaboratorInvited => {
                vec![
                    "MARKB-91f",
                    "MARKNOTE-3d2",
                    "MARKATT-6c0",
                    "MARKNOTEFILE-4b1",
                ]
            }
            Who::Admin | Who::Team => vec![],
        }
    };
    let concrete = |path: &str| -> String {
        path.replace("{case}", &a)
            .replace("{secret}", "lnk_0000000000000000000000000000000000000000")
            .replace("{name}", "EMB-2099-9999")
            .replace("{year}", "2099")
            .replace("{file}", "emb-2099-9999.json")
            .replace("{report}", &report_id)
            .replace("{message}", &message_id)
            .replace("{n}", "0")
    };

    let paths = embargo_web::page_paths();
    assert!(paths.len() >= 30, "{paths:?}");
    let mut checked = 0;
    for path in &paths {
        let url = concrete(path);
        for (who, browser) in &browsers {
            let (status, _, body) = web.get(browser, &url).await;
            match expected_get(path, *who) {
                Some(expected) => assert_eq!(
                    status.as_u16(),
                    expected,
                    "GET {path} as {who:?}: {body:.300}"
                ),
                None => assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "GET {path}"),
            }
            for marker in forbidden(*who) {
                assert!(
                    !body.contains(marker),
                    "GET {path} as {who:?} leaks {marker}"
                );
            }
            // A POST without the session's token changes nothing and leaks nothing; one on a
            // path without POST is the router's 405.
            let (status, _, body) = web
                .post(
                    browser,
                    &url,
                    &[
                        ("body", "MARKPOST-x"),
                        ("visibility", "reporter"),
                        ("confirm", "yes"),
                    ],
                    None,
                )
                .await;
            if takes_post(path) {
                assert!(
                    !status.is_success() || *path == "/report",
                    "POST {path} as {who:?} without a CSRF token succeeded: {status}"
                );
            } else {
                assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "POST {path}");
            }
            for marker in forbidden(*who) {
                assert!(
                    !body.contains(marker),
                    "POST {path} as {who:?} leaks {marker}"
                );
            }
            checked += 1;
        }
    }
    // No forged POST reached a case.
    let (_, _, room) = web.get(&team, &format!("/cases/{a}")).await;
    assert!(
        !room.contains("MARKPOST-x"),
        "a POST without a CSRF token was applied"
    );
    assert_eq!(checked, paths.len() * EVERYONE.len());
}
