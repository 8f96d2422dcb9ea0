//! Release plans through the API and the CLI: plan the next patch of a line, add cases, ship;
//! shipping marks the cases fixed on the line and releases those fixed everywhere; disclosure
//! waits for every supported affected line unless an admin overrides with a reason. And who may
//! touch releases at all.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{Account, Site, embargo};

/// A new case moved to `state` by the team, affected on the named (edition, line) pairs.
async fn case_on(site: &Site, title: &str, lines: &[(&str, &str)], path: &[&str]) -> String {
    let tracking = site.report(title, "Details.", "r@r.test").await;
    let id = site.case(&tracking).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for (edition, name) in lines {
        let line = line_id(site, edition, name).await;
        let version = site.version(&id).await;
        site.put(
            &site.team,
            &format!("/api/v1/cases/{id}/affected/{line}"),
            json!({ "status": "affected", "expected_version": version }),
        )
        .await
        .expect(200);
    }
    for state in path {
        site.transition(&site.team, &id, state).await.expect(200);
    }
    id
}

async fn line_id(site: &Site, edition: &str, name: &str) -> String {
    line(site, edition, name).await["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn line(site: &Site, edition: &str, name: &str) -> Value {
    site.lines()
        .await
        .into_iter()
        .find(|(e, l)| e == edition && l["name"] == name)
        .map(|(_, l)| l)
        .unwrap()
}

const TO_VERIFIED: [&str; 4] = ["triage", "accepted", "fix-in-progress", "fix-verified"];

/// The patch releases `embargo demo` ships (Enterprise 3.4.x, 3.3.x, 2.8.x and OSS 3.4.x).
const DEMO_RELEASES: usize = 4;

async fn plan(site: &Site, who: &Account, line: &str, target: Option<&str>) -> Value {
    let mut body = json!({ "release_line": line });
    if let Some(t) = target {
        body["target"] = json!(t);
    }
    site.post(who, "/api/v1/releases", body)
        .await
        .expect(201)
        .json
}

async fn add(site: &Site, release: &Value, case: &str) {
    let id = release["id"].as_str().unwrap();
    site.post(
        &site.team,
        &format!("/api/v1/releases/{id}/cases"),
        json!({ "case": case }),
    )
    .await
    .expect(200);
}

fn audit_has(audit: &Value, action: &str, needle: &str) -> bool {
    audit
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["action"] == action && e.to_string().contains(needle))
}

#[tokio::test]
async fn shipping_releases_fixes_their_cases_line_by_line_and_releases_a_case_once_every_line_is_fixed()
 {
    let site = Site::start().await;
    let both = case_on(
        &site,
        "Header smuggling",
        &[("OSS", "3.4.x"), ("Enterprise", "3.4.x")],
        &TO_VERIFIED,
    )
    .await;
    let oss_only = case_on(&site, "Log injection", &[("OSS", "3.4.x")], &TO_VERIFIED).await;

    // Plans default to each line's next patch version, in either version scheme.
    let oss = plan(&site, &site.team, "gateway/oss/3.4.x", Some("2026-07-01")).await;
    assert_eq!(oss["version"], "3.4.2");
    assert_eq!(oss["state"], "planned");
    assert_eq!(oss["target"], "2026-07-01");
    let enterprise_line = line_id(&site, "Enterprise", "3.4.x").await;
    let ent = plan(&site, &site.admin, &enterprise_line, None).await;
    assert_eq!(ent["version"], "3.4.1.2");
    assert_eq!(ent["edition"], "Enterprise");
    // One release per version and line.
    let again = site
        .post(
            &site.team,
            "/api/v1/releases",
            json!({ "release_line": "gateway/oss/3.4.x" }),
        )
        .await
        .expect(409);
    assert!(again.message().contains("3.4.2"), "{}", again.text);

    // Several cases ship in one release; adding twice changes nothing.
    add(&site, &oss, &both).await;
    add(&site, &oss, &oss_only).await;
    add(&site, &oss, &both).await;
    add(&site, &ent, &both).await;
    let oss_id = oss["id"].as_str().unwrap();
    let shown = site
        .get(&site.team, &format!("/api/v1/releases/{oss_id}"))
        .await
        .expect(200);
    let ids: Vec<&str> = shown.json["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [both.as_str(), oss_only.as_str()]);

    // Not yet: the Enterprise line has no fix.
    let early = site.transition(&site.team, &both, "disclosed").await;
    assert_eq!(early.status, 409, "{}", early.text);

    let shipped = site
        .post(
            &site.team,
            &format!("/api/v1/releases/{oss_id}/ship"),
            json!({ "date": "2026-06-30" }),
        )
        .await
        .expect(200)
        .json;
    assert_eq!(shipped["release"]["state"], "shipped");
    assert_eq!(shipped["release"]["shipped_on"], "2026-06-30");
    let outcome = |id: &str| {
        shipped["cases"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(outcome(&oss_only)["released"], true);
    assert_eq!(outcome(&both)["released"], false);
    assert_eq!(outcome(&both)["state"], "fix-verified");

    let oss_line = line_id(&site, "OSS", "3.4.x").await;
    let case = site.case(&both).await;
    assert_eq!(case["affected"][&oss_line]["status"], "fixed");
    assert_eq!(case["affected"][&oss_line]["fixed_in"], "3.4.2");
    assert_eq!(case["affected"][&enterprise_line]["status"], "affected");
    assert_eq!(case["state"]["name"], "fix-verified");
    assert_eq!(site.case(&oss_only).await["state"]["name"], "released");
    // The line moved on: its next patch follows the shipped release.
    let l = line(&site, "OSS", "3.4.x").await;
    assert_eq!(l["latest_version"], "3.4.2");
    assert_eq!(l["next_patch"], "3.4.3");

    // A shipped release is final.
    site.post(
        &site.team,
        &format!("/api/v1/releases/{oss_id}/ship"),
        json!({}),
    )
    .await
    .expect(409);
    site.post(
        &site.team,
        &format!("/api/v1/releases/{oss_id}/cases"),
        json!({ "case": both }),
    )
    .await
    .expect(409);

    // The Enterprise release fixes the last line: the case is released, then disclosable.
    let ent_id = ent["id"].as_str().unwrap();
    let shipped = site
        .post(
            &site.admin,
            &format!("/api/v1/releases/{ent_id}/ship"),
            json!({}),
        )
        .await
        .expect(200)
        .json;
    assert_eq!(shipped["cases"][0]["released"], true);
    let case = site.case(&both).await;
    assert_eq!(case["state"]["name"], "released");
    assert_eq!(case["affected"][&enterprise_line]["fixed_in"], "3.4.1.2");
    site.transition(&site.team, &both, "disclosed")
        .await
        .expect(200);

    // Every step is in the case's audit trail.
    let audit = site
        .get(&site.team, &format!("/api/v1/cases/{both}/audit"))
        .await
        .expect(200)
        .json;
    assert!(audit_has(&audit, "affected-changed", "3.4.2"), "{audit}");
    assert!(audit_has(&audit, "affected-changed", "3.4.1.2"), "{audit}");
    assert!(
        audit_has(&audit, "state-changed", "release 3.4.1.2 shipped"),
        "{audit}"
    );

    // Lists: planned first, filtered by state and line.
    let all = site.get(&site.team, "/api/v1/releases").await.expect(200);
    assert_eq!(all.json.as_array().unwrap().len(), 2 + DEMO_RELEASES);
    let planned = site
        .get(&site.team, "/api/v1/releases?state=planned")
        .await
        .expect(200);
    assert_eq!(planned.json, json!([]));
    let on_line = site
        .get(
            &site.team,
            &format!("/api/v1/releases?release_line={oss_line}"),
        )
        .await
        .expect(200);
    // Ours, then the demo's 3.4.1: shipped releases newest first.
    assert_eq!(on_line.json.as_array().unwrap().len(), 2);
    assert_eq!(on_line.json[0]["version"], "3.4.2");
    assert_eq!(on_line.json[1]["version"], "3.4.1");
}

#[tokio::test]
async fn a_case_is_disclosed_with_an_unfixed_line_only_by_an_admin_with_a_recorded_reason() {
    let site = Site::start().await;
    let id = case_on(
        &site,
        "Exploited in the wild",
        &[("OSS", "3.4.x"), ("Enterprise", "3.3.x")],
        &TO_VERIFIED,
    )
    .await;
    let oss = plan(&site, &site.team, "gateway/oss/3.4.x", None).await;
    add(&site, &oss, &id).await;
    site.post(
        &site.team,
        &format!("/api/v1/releases/{}/ship", oss["id"].as_str().unwrap()),
        json!({}),
    )
    .await
    .expect(200);
    // Released only once every line is fixed; the team releases by hand here.
    assert_eq!(site.case(&id).await["state"]["name"], "fix-verified");
    site.transition(&site.team, &id, "released")
        .await
        .expect(200);

    let disclose = |who: &'static str, reason: Option<&str>| {
        let mut body = json!({ "to": "disclosed" });
        if let Some(r) = reason {
            body["override_reason"] = json!(r);
        }
        (who, body)
    };
    for (who, mut body) in [
        disclose("team", None),
        disclose("admin", None),
        disclose("admin", Some("   ")),
    ] {
        body["expected_version"] = json!(site.version(&id).await);
        let account = if who == "team" {
            &site.team
        } else {
            &site.admin
        };
        let r = site
            .post(account, &format!("/api/v1/cases/{id}/transitions"), body)
            .await;
        assert_eq!(r.status, 409, "{who}: {}", r.text);
        assert_eq!(r.code(), "conflict");
        assert!(
            r.message().contains("Gateway Enterprise 3.3.x"),
            "{}",
            r.text
        );
    }
    let (_, mut body) = disclose("team", Some("exploited in the wild"));
    body["expected_version"] = json!(site.version(&id).await);
    site.post(&site.team, &format!("/api/v1/cases/{id}/transitions"), body)
        .await
        .expect(403);
    assert_eq!(site.case(&id).await["state"]["name"], "released");

    let (_, mut body) = disclose("admin", Some("exploited in the wild"));
    body["expected_version"] = json!(site.version(&id).await);
    let done = site
        .post(
            &site.admin,
            &format!("/api/v1/cases/{id}/transitions"),
            body,
        )
        .await
        .expect(200);
    assert_eq!(done.json["state"]["name"], "disclosed");
    let audit = site
        .get(&site.team, &format!("/api/v1/cases/{id}/audit"))
        .await
        .expect(200)
        .json;
    assert!(
        audit_has(
            &audit,
            "state-changed",
            "admin override): exploited in the wild"
        ),
        "{audit}"
    );
}

#[tokio::test]
async fn only_the_team_may_see_or_change_releases() {
    let site = Site::start().await;
    let id = case_on(&site, "Member case", &[("OSS", "3.4.x")], &TO_VERIFIED).await;
    site.invite(&id).await;
    let release = plan(&site, &site.team, "gateway/oss/3.4.x", None).await;
    add(&site, &release, &id).await;
    let rid = release["id"].as_str().unwrap();
    let before = site
        .get(&site.team, &format!("/api/v1/releases/{rid}"))
        .await
        .expect(200)
        .json;
    let routes = [
        (Method::GET, "/api/v1/releases".to_owned(), None),
        (Method::GET, format!("/api/v1/releases/{rid}"), None),
        (
            Method::POST,
            "/api/v1/releases".to_owned(),
            Some(json!({ "release_line": "gateway/enterprise/3.4.x" })),
        ),
        (
            Method::POST,
            format!("/api/v1/releases/{rid}/cases"),
            Some(json!({ "case": id })),
        ),
        (
            Method::POST,
            format!("/api/v1/releases/{rid}/ship"),
            Some(json!({})),
        ),
    ];
    for (method, path, body) in &routes {
        for who in [
            &site.engineer,
            &site.collaborator,
            &site.outsider_engineer,
            &site.outsider_collaborator,
        ] {
            let r = site
                .call(method.clone(), Some(&who.token), path, body.clone())
                .await;
            assert_eq!(
                r.status, 403,
                "{method} {path} by {}: {}",
                who.username, r.text
            );
            assert!(!r.text.contains("Member case"), "{}", r.text);
        }
        let r = site.call(method.clone(), None, path, body.clone()).await;
        assert_eq!(r.status, 401, "{method} {path} without a token");
        if *method != Method::GET {
            let r = site
                .call(
                    method.clone(),
                    Some(&site.read_only.token),
                    path,
                    body.clone(),
                )
                .await;
            assert_eq!(r.status, 403, "{method} {path} read-only: {}", r.text);
        }
    }
    // Nothing changed, and the case is still where it was.
    let after = site
        .get(&site.team, &format!("/api/v1/releases/{rid}"))
        .await
        .expect(200)
        .json;
    assert_eq!(after, before);
    assert_eq!(site.case(&id).await["state"]["name"], "fix-verified");
    let all = site.get(&site.team, "/api/v1/releases").await.expect(200);
    assert_eq!(all.json.as_array().unwrap().len(), 1 + DEMO_RELEASES);
    // A release that does not exist is a 404 for the team.
    site.get(
        &site.team,
        "/api/v1/releases/0190f3c4-0000-7000-8000-00000000beef",
    )
    .await
    .expect(404);
}

#[tokio::test]
async fn the_cli_plans_adds_ships_and_lists_releases() {
    let site = Site::start().await;
    let id = case_on(&site, "CLI case", &[("Enterprise", "2.8.x")], &TO_VERIFIED).await;
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let out = embargo(dir.path())
            .env("EMBARGO_DATABASE_URL", &site.t.url)
            .args(args)
            .args(["--as", "tess"])
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    };
    let (ok, out, err) = run(&[
        "releases",
        "plan",
        "gateway/enterprise/2.8.x",
        "--target",
        "2026-08-01",
    ]);
    assert!(ok, "{err}");
    let release = out.trim().to_owned();
    assert!(err.contains("2.8.14.2"), "{err}");
    let (ok, out, err) = run(&["releases", "add-case", &release, &id]);
    assert!(ok, "{err}");
    assert!(out.contains("1 case"), "{out}");
    let (ok, out, _) = run(&["releases", "list", "--format", "json"]);
    assert!(ok);
    let list: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(list[0]["version"], "2.8.14.2");
    assert_eq!(list[0]["state"], "planned");
    assert_eq!(list[0]["target"], "2026-08-01");

    // Refusals are one readable line.
    let (ok, _, err) = run(&["releases", "ship", &release, "--version", "2.8.14.1"]);
    assert!(!ok);
    assert!(err.contains("not newer than 2.8.14.1"), "{err}");
    let (ok, _, err) = run(&["releases", "plan", "gateway/enterprise/9.9.x"]);
    assert!(!ok);
    assert!(err.contains("no release line"), "{err}");

    let (ok, out, err) = run(&["releases", "ship", &release, "--date", "2026-07-30"]);
    assert!(ok, "{err}");
    assert!(
        out.contains("shipped Gateway Enterprise 2.8.x 2.8.14.2"),
        "{out}"
    );
    assert!(out.contains("now released"), "{out}");
    assert_eq!(site.case(&id).await["state"]["name"], "released");
    let (ok, out, _) = run(&["releases", "list", "--state", "shipped"]);
    assert!(ok);
    assert!(out.contains("2026-07-30"), "{out}");
}
