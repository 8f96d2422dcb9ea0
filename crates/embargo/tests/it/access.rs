//! Access rules of the case API, each tried by someone it should stop: no token, a non-member,
//! a collaborator, a read-only token, an engineer reaching for the team's decisions. And a
//! canary sweep: marker strings in every embargoed field must never reach a non-member.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{Account, Reply, Site};

/// One request to a case route.
struct Route {
    method: Method,
    path: String,
    body: Option<Value>,
}

impl Route {
    fn describe(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

/// Every route that reads or changes one case, named by `case` (an id or a tracking id), with
/// a body that would be accepted from the team at `version`.
fn case_routes(case: &str, line: &str, version: i64) -> Vec<Route> {
    let r = |method: Method, rest: &str, body: Option<Value>| Route {
        method,
        path: format!("/api/v1/cases/{case}{rest}"),
        body,
    };
    vec![
        r(Method::GET, "", None),
        r(Method::GET, "/audit", None),
        r(
            Method::POST,
            "/transitions",
            Some(json!({ "to": "triage", "expected_version": version })),
        ),
        r(
            Method::POST,
            "/transitions",
            Some(
                json!({ "to": "rejected", "reject_reason": "informative", "expected_version": version }),
            ),
        ),
        r(
            Method::PUT,
            "/cvss",
            Some(json!({
                "vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L",
                "expected_version": version,
            })),
        ),
        r(
            Method::DELETE,
            &format!("/cvss/4.0?expected_version={version}"),
            None,
        ),
        r(
            Method::PUT,
            &format!("/affected/{line}"),
            Some(json!({ "status": "affected", "expected_version": version })),
        ),
        r(
            Method::POST,
            "/messages",
            Some(json!({ "visibility": "collaborators", "body": "hello" })),
        ),
        r(
            Method::POST,
            "/messages",
            Some(json!({ "visibility": "internal", "body": "hello" })),
        ),
        r(
            Method::POST,
            "/members",
            Some(json!({ "user": "otto", "role": "engineer", "expected_version": version })),
        ),
    ]
}

async fn send(site: &Site, token: Option<&str>, route: &Route) -> Reply {
    site.call(route.method.clone(), token, &route.path, route.body.clone())
        .await
}

async fn case_id(site: &Site, tracking: &str) -> String {
    site.case(tracking).await["id"].as_str().unwrap().to_owned()
}

async fn any_line(site: &Site) -> String {
    site.lines().await[0].1["id"].as_str().unwrap().to_owned()
}

/// The case and its audit trail as the team sees them, to prove that nothing changed.
async fn snapshot(site: &Site, id: &str) -> (Value, Value) {
    let case = site.case(id).await;
    let audit = site
        .get(&site.team, &format!("/api/v1/cases/{id}/audit"))
        .await
        .expect(200)
        .json;
    (case, audit)
}

#[tokio::test]
async fn every_route_but_intake_refuses_a_request_without_a_valid_token() {
    let site = Site::start().await;
    let tracking = site.report("Case", "Details.", "r@r.test").await;
    let id = case_id(&site, &tracking).await;
    let line = any_line(&site).await;
    let before = snapshot(&site, &id).await;

    let mut routes = case_routes(&id, &line, 2);
    routes.extend(case_routes(&tracking, &line, 2));
    for path in [
        "/api/v1/cases",
        "/api/v1/cases?state=acknowledged",
        "/api/v1/reports",
        "/api/v1/catalog",
        "/api/v1/me",
    ] {
        routes.push(Route {
            method: Method::GET,
            path: path.to_owned(),
            body: None,
        });
    }
    let forged = format!("emb_{}", "a".repeat(32));
    let mangled = format!("{}x", site.admin.token);
    for route in &routes {
        for token in [None, Some(forged.as_str()), Some(mangled.as_str())] {
            let r = send(&site, token, route).await;
            assert_eq!(
                r.status,
                401,
                "{} with {token:?}: {}",
                route.describe(),
                r.text
            );
            assert_eq!(r.code(), "unauthenticated");
            assert!(!r.text.contains("Case"), "{}", r.text);
        }
    }
    // A token sent another way than as a bearer token does not count either.
    let r = site
        .http
        .get(site.server.url(&format!("/api/v1/cases/{id}")))
        .header("authorization", format!("Token {}", site.admin.token))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(snapshot(&site, &id).await, before, "nothing changed");
}

#[tokio::test]
async fn a_non_member_gets_the_same_not_found_for_a_case_as_for_one_that_does_not_exist() {
    let site = Site::start().await;
    let tracking = site.report("Case", "Details.", "r@r.test").await;
    let id = case_id(&site, &tracking).await;
    site.invite(&id).await;
    let line = any_line(&site).await;
    let version = site.version(&id).await;
    let before = snapshot(&site, &id).await;
    // The members do see it, so the case is really there.
    for member in [&site.engineer, &site.collaborator] {
        site.get(member, &format!("/api/v1/cases/{id}"))
            .await
            .expect(200);
    }

    let missing = "0190f3c4-0000-7000-8000-00000000beef";
    let missing_tracking = "EMB-ZZZZZZZZ";
    for outsider in [&site.outsider_engineer, &site.outsider_collaborator] {
        for (case, absent) in [
            (id.as_str(), missing),
            (tracking.as_str(), missing_tracking),
        ] {
            let routes = case_routes(case, &line, version);
            let absent_routes = case_routes(absent, &line, version);
            for (route, absent_route) in routes.iter().zip(&absent_routes) {
                let r = send(&site, Some(&outsider.token), route).await;
                let a = send(&site, Some(&outsider.token), absent_route).await;
                assert_eq!(
                    r.status,
                    404,
                    "{} by {}: {}",
                    route.describe(),
                    outsider.username,
                    r.text
                );
                assert_eq!(r.code(), "not_found");
                assert_eq!(
                    (r.status, &r.text),
                    (a.status, &a.text),
                    "{} answers differently for an existing case",
                    route.describe()
                );
            }
        }
        let list = site.get(outsider, "/api/v1/cases").await.expect(200);
        assert_eq!(list.json, json!([]), "{}", list.text);
        for filter in [
            "?state=acknowledged",
            "?state=acknowledged,triage&limit=500",
            "?upstream=false",
        ] {
            let list = site
                .get(outsider, &format!("/api/v1/cases{filter}"))
                .await
                .expect(200);
            assert!(!list.text.contains(&id), "{filter}: {}", list.text);
        }
    }
    assert_eq!(snapshot(&site, &id).await, before, "nothing changed");
}

#[tokio::test]
async fn a_collaborator_member_never_sees_internal_messages_or_reporter_identities() {
    let site = Site::start().await;
    let tracking = site
        .report("Case", "Details.", "hidden.reporter@researcher.test")
        .await;
    let id = case_id(&site, &tracking).await;
    site.invite(&id).await;
    // An engineer invited only as a collaborator is a collaborator on this case.
    let version = site.version(&id).await;
    site.post(
        &site.team,
        &format!("/api/v1/cases/{id}/members"),
        json!({ "user": site.outsider_engineer.username, "role": "collaborator", "expected_version": version }),
    )
    .await
    .expect(200);
    let messages = format!("/api/v1/cases/{id}/messages");
    for (who, visibility, body) in [
        (&site.team, "internal", "INTERNAL-by-team-7f3a"),
        (&site.engineer, "internal", "INTERNAL-by-engineer-7f3a"),
        (&site.team, "collaborators", "for collaborators"),
        (&site.team, "reporter", "for the reporter"),
    ] {
        site.post(
            who,
            &messages,
            json!({ "visibility": visibility, "body": body }),
        )
        .await
        .expect(201);
    }
    let secrets = [
        "INTERNAL-by",
        "hidden.reporter",
        "Rae Porter",
        site.engineer.email.as_str(),
    ];

    for collaborator in [&site.collaborator, &site.outsider_engineer] {
        let mut replies = vec![
            site.get(collaborator, &format!("/api/v1/cases/{id}"))
                .await
                .expect(200),
            site.get(collaborator, &format!("/api/v1/cases/{tracking}"))
                .await
                .expect(200),
            site.get(collaborator, "/api/v1/cases").await.expect(200),
            site.post(
                collaborator,
                &messages,
                json!({ "visibility": "collaborators", "body": "a patch" }),
            )
            .await
            .expect(201),
            site.post(
                collaborator,
                &messages,
                json!({ "visibility": "reporter", "body": "a question" }),
            )
            .await
            .expect(201),
        ];
        let audit = site
            .get(collaborator, &format!("/api/v1/cases/{id}/audit"))
            .await
            .expect(403);
        replies.push(audit);
        let view = &replies[0].json;
        assert_eq!(view["access"], "collaborator", "{view}");
        assert!(view.get("reporters").is_none(), "{view}");
        assert!(view.get("deadlines").is_none(), "{view}");
        assert_eq!(view["allowed_transitions"], json!([]));
        let visibilities: Vec<&str> = view["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["visibility"].as_str().unwrap())
            .collect();
        assert!(!visibilities.contains(&"internal"), "{view}");
        assert!(visibilities.contains(&"collaborators"), "{view}");
        assert_eq!(
            replies[2].json.as_array().unwrap().len(),
            1,
            "{}",
            replies[2].text
        );
        for reply in &replies {
            for secret in secrets {
                assert!(
                    !reply.text.contains(secret),
                    "{} saw {secret:?}: {}",
                    collaborator.username,
                    reply.text
                );
            }
        }
    }
    // The team still sees everything.
    let case = site.case(&id).await.to_string();
    for secret in [
        "INTERNAL-by-team",
        "INTERNAL-by-engineer",
        "hidden.reporter",
    ] {
        assert!(case.contains(secret), "{case}");
    }
}

#[tokio::test]
async fn a_collaborator_cannot_post_internally_or_change_the_case() {
    let site = Site::start().await;
    let tracking = site.report("Case", "Details.", "r@r.test").await;
    let id = case_id(&site, &tracking).await;
    site.invite(&id).await;
    let line = any_line(&site).await;
    let version = site.version(&id).await;
    let before = snapshot(&site, &id).await;

    for route in case_routes(&id, &line, version) {
        if route.method == Method::GET {
            continue;
        }
        let internal = route
            .body
            .as_ref()
            .is_some_and(|b| b["visibility"] == "internal");
        if route.path.ends_with("/messages") && !internal {
            continue; // collaborators may post to collaborators
        }
        let r = send(&site, Some(&site.collaborator.token), &route).await;
        assert_eq!(r.status, 403, "{}: {}", route.describe(), r.text);
        assert_eq!(r.code(), "forbidden");
    }
    assert_eq!(snapshot(&site, &id).await, before, "nothing changed");
}

#[tokio::test]
async fn a_read_only_token_reads_but_cannot_change_anything() {
    let site = Site::start().await;
    let tracking = site.report("Case", "Details.", "r@r.test").await;
    let id = case_id(&site, &tracking).await;
    let line = any_line(&site).await;
    let version = site.version(&id).await;
    let before = snapshot(&site, &id).await;

    for route in case_routes(&id, &line, version) {
        let r = send(&site, Some(&site.read_only.token), &route).await;
        if route.method == Method::GET {
            assert_eq!(r.status, 200, "{}: {}", route.describe(), r.text);
        } else {
            assert_eq!(r.status, 403, "{}: {}", route.describe(), r.text);
            assert_eq!(r.code(), "forbidden");
        }
    }
    site.get(&site.read_only, "/api/v1/cases").await.expect(200);
    site.get(&site.read_only, "/api/v1/reports")
        .await
        .expect(200);
    assert_eq!(snapshot(&site, &id).await, before, "nothing changed");
}

/// Moves the case as `who` and returns the answer's status.
async fn try_move(site: &Site, who: &Account, id: &str, body: Value) -> Reply {
    let mut body = body;
    body["expected_version"] = json!(site.version(id).await);
    site.post(who, &format!("/api/v1/cases/{id}/transitions"), body)
        .await
}

#[tokio::test]
async fn an_engineer_member_builds_and_verifies_fixes_but_only_the_team_accepts_rejects_and_discloses()
 {
    let site = Site::start().await;
    let tracking = site.report("Case", "Details.", "r@r.test").await;
    let id = case_id(&site, &tracking).await;
    site.invite(&id).await;
    let engineer = &site.engineer;
    let reject = json!({ "to": "rejected", "reject_reason": "not-a-vulnerability" });
    let refused = |r: Reply| {
        let r = r.expect(403);
        assert_eq!(r.code(), "forbidden");
    };

    refused(try_move(&site, engineer, &id, json!({ "to": "triage" })).await);
    refused(try_move(&site, engineer, &id, reject.clone()).await);
    try_move(&site, &site.team, &id, json!({ "to": "triage" }))
        .await
        .expect(200);
    let view = site
        .get(engineer, &format!("/api/v1/cases/{id}"))
        .await
        .expect(200)
        .json;
    assert_eq!(view["access"], "engineer");
    assert_eq!(view["allowed_transitions"], json!([]), "{view}");
    refused(try_move(&site, engineer, &id, json!({ "to": "accepted" })).await);
    refused(try_move(&site, engineer, &id, reject.clone()).await);
    refused(try_move(&site, engineer, &id, json!({ "to": "needs-info" })).await);
    // An engineer member edits the assessment, but does not manage the case.
    let version = site.version(&id).await;
    site.put(
        engineer,
        &format!("/api/v1/cases/{id}/cvss"),
        json!({ "vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", "expected_version": version }),
    )
    .await
    .expect(200);
    refused(
        site.post(
            engineer,
            &format!("/api/v1/cases/{id}/members"),
            json!({ "user": site.outsider_engineer.username, "role": "engineer", "expected_version": version + 1 }),
        )
        .await,
    );
    try_move(&site, &site.team, &id, json!({ "to": "accepted" }))
        .await
        .expect(200);

    try_move(&site, engineer, &id, json!({ "to": "fix-in-progress" }))
        .await
        .expect(200);
    refused(try_move(&site, engineer, &id, reject.clone()).await);
    try_move(&site, engineer, &id, json!({ "to": "fix-verified" }))
        .await
        .expect(200);
    // Verification failed: back to fixing, and verified again.
    try_move(&site, engineer, &id, json!({ "to": "fix-in-progress" }))
        .await
        .expect(200);
    try_move(&site, engineer, &id, json!({ "to": "fix-verified" }))
        .await
        .expect(200);
    refused(try_move(&site, engineer, &id, json!({ "to": "released" })).await);
    try_move(&site, &site.team, &id, json!({ "to": "released" }))
        .await
        .expect(200);
    refused(try_move(&site, engineer, &id, json!({ "to": "disclosed" })).await);
    assert_eq!(site.case(&id).await["state"]["name"], "released");
    try_move(&site, &site.admin, &id, json!({ "to": "disclosed" }))
        .await
        .expect(200);

    // The team rejects: a second report of the same issue is a duplicate.
    let second = site.report("Same case", "Details.", "s@r.test").await;
    let second_id = case_id(&site, &second).await;
    site.invite(&second_id).await;
    refused(
        try_move(
            &site,
            engineer,
            &second_id,
            json!({ "to": "rejected", "reject_reason": "duplicate", "duplicate_of": id }),
        )
        .await,
    );
    let rejected = try_move(
        &site,
        &site.team,
        &second_id,
        json!({ "to": "rejected", "reject_reason": "duplicate", "duplicate_of": id }),
    )
    .await
    .expect(200);
    assert_eq!(rejected.json["state"]["duplicate_of"], id.as_str());
}

/// Every embargoed field of a case carries a unique marker; none may reach an outsider.
#[tokio::test]
async fn no_embargoed_marker_reaches_a_non_member_through_any_route() {
    let site = Site::start().await;
    let reply = site
        .call(
            Method::POST,
            None,
            "/api/v1/reports",
            Some(json!({
                "title": "CANARY-TITLE-q8w2 remote code execution",
                "description": "CANARY-DESCRIPTION-z7x1: send a crafted header.",
                "reporter_email": "canary-reporter-m4n6@researcher.test",
                "reporter_name": "CANARY-NAME-p0o9",
                "product": "CANARY-PRODUCT-l3k5",
                "version": "CANARY-VERSION-j2h8",
                "credit_consent": true,
            })),
        )
        .await
        .expect(201);
    let tracking = reply.json["tracking_id"].as_str().unwrap().to_owned();
    let id = case_id(&site, &tracking).await;
    site.invite(&id).await;
    let lines = site.lines().await;
    let path = |rest: &str| format!("/api/v1/cases/{id}{rest}");
    let version = site.version(&id).await;
    let cvss_v31 = "CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:C/C:L/I:N/A:L";
    let cvss_v40 = "CVSS:4.0/AV:P/AC:H/AT:P/PR:H/UI:A/VC:L/VI:N/VA:L/SC:L/SI:N/SA:N";
    let v = site
        .put(
            &site.team,
            &path("/cvss"),
            json!({ "vector": cvss_v31, "expected_version": version }),
        )
        .await
        .expect(200)
        .json["version"]
        .as_i64()
        .unwrap();
    let v = site
        .put(
            &site.team,
            &path("/cvss"),
            json!({ "vector": cvss_v40, "expected_version": v }),
        )
        .await
        .expect(200)
        .json["version"]
        .as_i64()
        .unwrap();
    let fixed_line = &lines[0].1;
    let v = site
        .put(
            &site.team,
            &path(&format!("/affected/{}", fixed_line["id"].as_str().unwrap())),
            json!({
                "status": "fixed",
                "fixed_in": fixed_line["next_patch"],
                "links": ["https://git.vendor.test/CANARY-LINK-g5f4"],
                "expected_version": v,
            }),
        )
        .await
        .expect(200)
        .json["version"]
        .as_i64()
        .unwrap();
    site.put(
        &site.team,
        &path(&format!("/affected/{}", lines[1].1["id"].as_str().unwrap())),
        json!({ "status": "wont-fix", "reason": "CANARY-WONTFIX-d1s3", "expected_version": v }),
    )
    .await
    .expect(200);
    for (who, visibility, body) in [
        (&site.team, "internal", "CANARY-INTERNAL-a9s8"),
        (&site.engineer, "internal", "CANARY-ENGINEER-NOTE-b7v6"),
        (&site.team, "collaborators", "CANARY-COLLAB-c5x4"),
        (
            &site.collaborator,
            "collaborators",
            "CANARY-COLLAB-REPLY-e3r2",
        ),
        (&site.team, "reporter", "CANARY-REPORTER-MSG-f1t0"),
    ] {
        site.post(
            who,
            &path("/messages"),
            json!({ "visibility": visibility, "body": body }),
        )
        .await
        .expect(201);
    }
    site.transition(&site.team, &id, "triage").await.expect(200);

    // The outsiders work on another case of their own, so their lists are not empty.
    let theirs = site
        .report("Harmless other case", "Details.", "o@r.test")
        .await;
    let theirs_id = case_id(&site, &theirs).await;
    for (user, role) in [
        (site.outsider_engineer.username, "engineer"),
        (site.outsider_collaborator.username, "collaborator"),
    ] {
        let version = site.version(&theirs_id).await;
        site.post(
            &site.team,
            &format!("/api/v1/cases/{theirs_id}/members"),
            json!({ "user": user, "role": role, "expected_version": version }),
        )
        .await
        .expect(200);
    }

    let markers = [
        "CANARY",
        "canary",
        "q8w2",
        "z7x1",
        "m4n6",
        cvss_v31,
        cvss_v40,
        "AV:P/AC:H",
        id.as_str(),
        tracking.as_str(),
    ];
    // The team does see every marker, so the sweep below can fail.
    let team_view = site.case(&id).await.to_string();
    for marker in [
        "CANARY-TITLE",
        "CANARY-DESCRIPTION",
        "canary-reporter",
        "CANARY-NAME",
        "CANARY-PRODUCT",
        "CANARY-VERSION",
        "CANARY-LINK",
        "CANARY-WONTFIX",
        "CANARY-INTERNAL",
        "CANARY-ENGINEER-NOTE",
        "CANARY-COLLAB-REPLY",
        "CANARY-REPORTER-MSG",
        cvss_v31,
        cvss_v40,
    ] {
        assert!(
            team_view.contains(marker),
            "{marker} missing in {team_view}"
        );
    }

    let line = lines[2].1["id"].as_str().unwrap().to_owned();
    let version = site.version(&id).await;
    for outsider in [&site.outsider_engineer, &site.outsider_collaborator] {
        let mut routes = case_routes(&id, &line, version);
        routes.extend(case_routes(&tracking, &line, version));
        for path in [
            "/api/v1/cases",
            "/api/v1/cases?state=triage",
            "/api/v1/cases?severity=low,medium,high,critical,none",
            &format!(
                "/api/v1/cases?release_line={}",
                fixed_line["id"].as_str().unwrap()
            ),
            "/api/v1/cases?upstream=false&limit=500",
            "/api/v1/reports",
            "/api/v1/catalog",
            "/api/v1/me",
        ] {
            routes.push(Route {
                method: Method::GET,
                path: path.to_owned(),
                body: None,
            });
        }
        let mut seen_theirs = false;
        for route in &routes {
            let r = send(&site, Some(&outsider.token), route).await;
            assert!(
                r.status < 500,
                "{} by {}: {}",
                route.describe(),
                outsider.username,
                r.text
            );
            seen_theirs |= r.text.contains(&theirs_id);
            for marker in markers {
                assert!(
                    !r.text.contains(marker),
                    "{} by {} leaks {marker:?}: {}",
                    route.describe(),
                    outsider.username,
                    r.text
                );
            }
        }
        assert!(
            seen_theirs,
            "{} never saw their own case",
            outsider.username
        );
    }
    assert_eq!(
        site.version(&id).await,
        version,
        "the outsiders changed nothing"
    );
}

#[tokio::test]
async fn nobody_outside_a_case_can_probe_which_accounts_exist_through_its_members() {
    let site = Site::start().await;
    let tracking = site.report("Case", "Details.", "r@r.test").await;
    let id = case_id(&site, &tracking).await;
    let version = site.version(&id).await;
    let path = format!("/api/v1/cases/{id}/members");
    let mut answers = Vec::new();
    for user in ["erin-does-not-exist", site.engineer.username] {
        let body = json!({ "user": user, "role": "engineer", "expected_version": version });
        let outsider = site
            .post(&site.outsider_engineer, &path, body.clone())
            .await;
        assert_eq!(outsider.status, 404, "{user}: {}", outsider.text);
        let read_only = site.post(&site.read_only, &path, body).await;
        assert_eq!(read_only.status, 403, "{user}: {}", read_only.text);
        answers.push((outsider.text, read_only.text));
    }
    assert_eq!(
        answers[0], answers[1],
        "an existing and a missing account answer alike"
    );
}
