//! Advisories: written by the team per case, published by `serve` at the case's embargo (and at
//! start for what it missed), revised under the same id; credits only with consent; CVE ids
//! from the reserved pool on acceptance; who may read and write them.

use std::time::Duration;

use serde_json::{Value, json};

use crate::support::{Server, Site, embargo};

const TO_VERIFIED: [&str; 4] = ["triage", "accepted", "fix-in-progress", "fix-verified"];

/// A new case affected on OSS 3.4.x, scored, moved to fix-verified; released through a shipped
/// release when `release`.
async fn case(site: &Site, title: &str, consent: bool, release: bool) -> String {
    let reply = site
        .call(
            reqwest::Method::POST,
            None,
            "/api/v1/reports",
            Some(json!({
                "title": title,
                "description": "Details.",
                "reporter_email": "finder@r.test",
                "reporter_name": if consent { "Rae Porter" } else { "Secret Sam" },
                "credit_consent": consent,
            })),
        )
        .await
        .expect(201);
    let tracking = reply.json["tracking_id"].as_str().unwrap().to_owned();
    let id = site.case(&tracking).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let line = site
        .lines()
        .await
        .into_iter()
        .find(|(e, l)| e == "OSS" && l["name"] == "3.4.x")
        .unwrap()
        .1["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let v = site.version(&id).await;
    site.put(
        &site.team,
        &format!("/api/v1/cases/{id}/affected/{line}"),
        json!({ "status": "affected", "expected_version": v }),
    )
    .await
    .expect(200);
    for vector in [
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N",
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N",
    ] {
        let v = site.version(&id).await;
        site.put(
            &site.team,
            &format!("/api/v1/cases/{id}/cvss"),
            json!({ "vector": vector, "expected_version": v }),
        )
        .await
        .expect(200);
    }
    for state in TO_VERIFIED {
        site.transition(&site.team, &id, state).await.expect(200);
    }
    if release {
        let r = site
            .post(
                &site.team,
                "/api/v1/releases",
                json!({ "release_line": "gateway/oss/3.4.x" }),
            )
            .await
            .expect(201)
            .json;
        let rid = r["id"].as_str().unwrap();
        site.post(
            &site.team,
            &format!("/api/v1/releases/{rid}/cases"),
            json!({ "case": id }),
        )
        .await
        .expect(200);
        site.post(
            &site.team,
            &format!("/api/v1/releases/{rid}/ship"),
            json!({}),
        )
        .await
        .expect(200);
    }
    id
}

fn body(title: &str, embargo: jiff::Timestamp) -> Value {
    json!({
        "title": title,
        "summary": "An attacker can read responses of other users.",
        "description": "Gateway *before* the fix leaks responses.",
        "workarounds": "Disable HTTP/2.",
        "references": [{ "url": "https://vendor.test/notes/3.4.2", "kind": "release-notes" }],
        "embargo": embargo.to_string(),
        "embargo_reason": "agreed with the reporter",
    })
}

/// `s` seconds from the wall-clock now: the server under test runs on the system clock.
#[allow(clippy::disallowed_methods)]
fn in_secs(s: i64) -> jiff::Timestamp {
    jiff::Timestamp::now() + jiff::SignedDuration::from_secs(s)
}

/// Polls the advisory until `pred` holds (or 15 s pass).
async fn wait_for(site: &Site, id: &str, pred: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..75 {
        let a = site
            .get(&site.team, &format!("/api/v1/cases/{id}/advisory"))
            .await
            .expect(200)
            .json;
        if pred(&a) {
            return a;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("advisory of {id} never reached the expected state");
}

#[tokio::test]
async fn an_advisory_is_published_at_its_embargo_and_revised_under_the_same_id() {
    let site = Site::start().await;
    let id = case(&site, "Response leak", true, true).await;
    let draft = site
        .put(
            &site.team,
            &format!("/api/v1/cases/{id}/advisory"),
            body("Response leak in HTTP/2", in_secs(3)),
        )
        .await
        .expect(200)
        .json;
    assert_eq!(draft["state"], "draft");
    assert_eq!(draft["revision"], 0);
    let public_id = draft["id"].as_str().unwrap().to_owned();
    assert!(public_id.starts_with("EMB-20"), "{public_id}");
    let preview = &draft["preview"];
    assert_eq!(preview["vendor"], "Example Networks");
    assert_eq!(preview["cvss"].as_array().unwrap().len(), 2, "{preview}");
    assert_eq!(
        preview["credits"],
        json!([{ "name": "Rae Porter", "type": "finder" }])
    );
    let lines = &preview["products"][0]["editions"][0];
    assert_eq!(lines["name"], "OSS");
    assert_eq!(lines["lines"][0]["status"], "fixed");
    assert_eq!(lines["lines"][0]["fixed_in"], "3.4.2");
    assert_eq!(site.case(&id).await["state"]["name"], "released");

    // The publisher job publishes it at the embargo and discloses the case.
    let published = wait_for(&site, &id, |a| a["state"] == "published").await;
    assert_eq!(published["revision"], 1);
    assert_eq!(published["id"], public_id.as_str());
    assert_eq!(published["case_state"], "disclosed");
    let audit = site
        .get(&site.team, &format!("/api/v1/cases/{id}/audit"))
        .await
        .expect(200);
    assert!(
        audit
            .text
            .contains(&format!("advisory {public_id} published")),
        "{}",
        audit.text
    );

    // After publication a change is a revision, with a summary.
    let mut change = body("Response leak in HTTP/2 streams", in_secs(0));
    change.as_object_mut().unwrap().remove("embargo");
    change.as_object_mut().unwrap().remove("embargo_reason");
    let refused = site
        .put(
            &site.team,
            &format!("/api/v1/cases/{id}/advisory"),
            change.clone(),
        )
        .await
        .expect(400);
    assert_eq!(refused.field(), "revision_summary");
    change["revision_summary"] = json!("Title names the protocol feature.");
    let revised = site
        .put(&site.team, &format!("/api/v1/cases/{id}/advisory"), change)
        .await
        .expect(200)
        .json;
    assert_eq!(revised["id"], public_id.as_str());
    assert_eq!(revised["revision"], 2);
    assert_eq!(
        revised["revisions"][1]["summary"],
        "Title names the protocol feature."
    );
    assert_eq!(revised["published"], published["published"]);
}

#[tokio::test]
async fn an_advisory_waits_for_its_embargo_and_for_its_case_to_be_released_and_credits_only_with_consent()
 {
    let site = Site::start().await;
    let unreleased = case(&site, "Unreleased fix", false, false).await;
    let future = case(&site, "Future embargo", true, true).await;
    let a = site
        .put(
            &site.team,
            &format!("/api/v1/cases/{unreleased}/advisory"),
            body("Not yet", in_secs(-60)),
        )
        .await
        .expect(200)
        .json;
    // No consent: no credit, and the name appears nowhere.
    assert_eq!(a["preview"]["credits"], json!([]));
    assert!(!a.to_string().contains("Secret Sam"), "{a}");
    site.put(
        &site.team,
        &format!("/api/v1/cases/{future}/advisory"),
        body("Later", in_secs(3600)),
    )
    .await
    .expect(200);
    tokio::time::sleep(Duration::from_millis(2500)).await;
    for id in [&unreleased, &future] {
        let a = site
            .get(&site.team, &format!("/api/v1/cases/{id}/advisory"))
            .await
            .expect(200)
            .json;
        assert_eq!(a["state"], "draft", "{a}");
    }
    assert_eq!(
        site.case(&unreleased).await["state"]["name"],
        "fix-verified"
    );
    assert_eq!(site.case(&future).await["state"]["name"], "released");
    // Public ids count up within the year (after the demo's).
    let first = a["id"].as_str().unwrap();
    let year = &first[4..8];
    let n: u32 = first[9..].parse().unwrap();
    let later = site
        .get(&site.team, &format!("/api/v1/cases/{future}/advisory"))
        .await
        .expect(200);
    assert_eq!(later.json["id"], format!("EMB-{year}-{:04}", n + 1));
}

#[tokio::test]
async fn advisories_missed_while_the_server_was_down_are_published_at_start() {
    let mut site = Site::start().await;
    let id = case(&site, "Missed embargo", true, true).await;
    site.put(
        &site.team,
        &format!("/api/v1/cases/{id}/advisory"),
        body("Missed", in_secs(2)),
    )
    .await
    .expect(200);
    site.server.child.kill().unwrap();
    site.server.child.wait().unwrap();
    tokio::time::sleep(Duration::from_secs(3)).await;
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = embargo(dir.path());
    cmd.env("EMBARGO_DATABASE_URL", &site.t.url);
    site.server = Server::start(cmd);
    let a = wait_for(&site, &id, |a| a["state"] == "published").await;
    assert_eq!(a["revision"], 1);
    assert_eq!(site.case(&id).await["state"]["name"], "disclosed");
}

#[tokio::test]
async fn only_the_team_reads_and_writes_advisories_and_outsiders_cannot_tell_the_case_exists() {
    let site = Site::start().await;
    let id = case(&site, "Access", true, false).await;
    site.invite(&id).await;
    site.put(
        &site.team,
        &format!("/api/v1/cases/{id}/advisory"),
        body("Canary-7f3e title", in_secs(3600)),
    )
    .await
    .expect(200);
    let path = format!("/api/v1/cases/{id}/advisory");
    for (who, status) in [
        (&site.engineer, 403),
        (&site.collaborator, 403),
        (&site.outsider_engineer, 404),
        (&site.outsider_collaborator, 404),
    ] {
        let r = site.get(who, &path).await;
        assert_eq!(r.status, status, "GET by {}: {}", who.username, r.text);
        assert!(!r.text.contains("Canary-7f3e"), "{}", r.text);
        let r = site.put(who, &path, body("Changed", in_secs(1))).await;
        assert_eq!(r.status, status, "PUT by {}: {}", who.username, r.text);
    }
    let r = site
        .put(&site.read_only, &path, body("Changed", in_secs(1)))
        .await;
    assert_eq!(r.status, 403);
    let a = site.get(&site.admin, &path).await.expect(200).json;
    assert_eq!(a["title"], "Canary-7f3e title");
    assert_eq!(a["state"], "draft");
}

#[tokio::test]
async fn accepted_cases_take_reserved_cve_ids_from_the_pool_in_order() {
    let site = Site::start().await;
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let out = embargo(dir.path())
            .env("EMBARGO_DATABASE_URL", &site.t.url)
            .args(args)
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8(out.stdout).unwrap() + &String::from_utf8(out.stderr).unwrap(),
        )
    };
    let (ok, out) = run(&[
        "cve-pool",
        "add",
        "CVE-2026-50001",
        "CVE-2026-50002",
        "--as",
        "ada",
    ]);
    assert!(ok, "{out}");
    assert!(out.contains("2 CVE id(s) added"), "{out}");
    let (ok, out) = run(&["cve-pool", "add", "CVE-2026-50001", "--as", "ada"]);
    assert!(ok && out.contains("0 CVE id(s) added, 1 already"), "{out}");
    let (ok, out) = run(&["cve-pool", "add", "CVE-26-1", "--as", "ada"]);
    assert!(!ok && out.contains("CVE-26-1"), "{out}");
    let (ok, _) = run(&["cve-pool", "add", "CVE-2026-50009", "--as", "tess"]);
    assert!(!ok, "only an admin adds CVE ids");

    let mut assigned = Vec::new();
    for title in ["First", "Second", "Third"] {
        let tracking = site.report(title, "Details.", "r@r.test").await;
        let id = site.case(&tracking).await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        site.transition(&site.team, &id, "triage").await.expect(200);
        let accepted = site
            .transition(&site.team, &id, "accepted")
            .await
            .expect(200);
        assigned.push(accepted.json["cve"].clone());
    }
    assert_eq!(
        assigned,
        [
            json!("CVE-2026-50001"),
            json!("CVE-2026-50002"),
            Value::Null
        ]
    );
    let out = embargo(dir.path())
        .env("EMBARGO_DATABASE_URL", &site.t.url)
        .args(["cve-pool", "list", "--format", "json", "--as", "tess"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let pool: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        pool.as_array()
            .unwrap()
            .iter()
            .all(|p| !p["case"].is_null())
    );
}
