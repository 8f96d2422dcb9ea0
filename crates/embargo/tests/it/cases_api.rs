//! The REST API of cases, end to end: a report's whole life, the timeline policy's boundaries
//! and the refusals (invalid moves, stale versions, bad intake, rate limits).

use std::net::{IpAddr, Ipv4Addr};

use serde_json::{Value, json};

use crate::support::{Reply, Site, client_from};

/// Days from receipt of the report to the case's fix deadline. The acknowledgement deadline is
/// always 24 hours after receipt, so the distance between the two gives the fix duration.
fn fix_days(case: &Value) -> i64 {
    let at = |name: &str| -> jiff::Timestamp {
        case["deadlines"][name]
            .as_str()
            .unwrap_or_else(|| panic!("no {name} deadline in {case}"))
            .parse()
            .unwrap()
    };
    let ack = at("acknowledge");
    let fix = at("fix");
    let disclose = at("disclose");
    assert_eq!(
        disclose.duration_since(fix).as_hours(),
        7 * 24,
        "disclosure is a week after the fix deadline"
    );
    let hours = fix.duration_since(ack).as_hours() + 24;
    assert_eq!(hours % 24, 0, "whole days: {case}");
    hours / 24
}

fn ids(list: &Reply) -> Vec<String> {
    list.json
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {}", list.text))
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect()
}

/// The (actor, role, from, to) of every state change in an audit trail, oldest first.
fn state_changes(audit: &Value) -> Vec<(String, String, String, String)> {
    audit
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "state-changed")
        .map(|e| {
            (
                e["actor"].as_str().unwrap().to_owned(),
                e["actor_role"].as_str().unwrap().to_owned(),
                e["before"]["state"].as_str().unwrap().to_owned(),
                e["after"]["state"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

const CRITICAL_V31: &str = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H";
const CRITICAL_V40: &str = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N";

#[tokio::test]
async fn a_report_travels_through_the_api_from_submission_to_disclosure() {
    let site = Site::start().await;
    let team_id = site.id_of(&site.team).await;
    let engineer_id = site.id_of(&site.engineer).await;
    let collaborator_id = site.id_of(&site.collaborator).await;
    let system_id = embargo_store::users::SYSTEM_USER_ID.to_string();

    // A reporter submits, without an account.
    let submission = serde_json::to_vec(&json!({
        "title": "Heap overflow in the HTTP/2 frame parser",
        "description": "A crafted SETTINGS frame overflows a heap buffer.",
        "reporter_email": "rae@researcher.test",
        "reporter_name": "Rae Porter",
        "product": "Gateway",
        "version": "3.4.1",
        "credit_consent": true,
    }))
    .unwrap();
    let resp = site
        .http
        .post(site.server.url("/api/v1/reports"))
        .header("content-type", "application/json")
        .body(submission.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let receipt: Value = resp.json().await.unwrap();
    let tracking = receipt["tracking_id"].as_str().unwrap().to_owned();
    assert!(
        tracking.starts_with("EMB-") && tracking.len() == 12,
        "{receipt}"
    );

    // Durable before acknowledged: the report and its raw original are in the database as soon
    // as the 201 has arrived.
    let (subject, raw): (String, Vec<u8>) = sqlx::query_as(
        "SELECT r.subject, w.bytes FROM reports r JOIN report_raw w ON w.report_id = r.id \
         WHERE r.tracking_id = $1",
    )
    .bind(&tracking)
    .fetch_one(site.t.db.pool())
    .await
    .unwrap();
    assert_eq!(subject, "Heap overflow in the HTTP/2 frame parser");
    assert_eq!(raw, submission, "the raw original is kept byte for byte");

    // The case opened from it, found by tracking id, acknowledged by the system at once.
    let case = site.case(&tracking).await;
    let id = case["id"].as_str().unwrap().to_owned();
    assert_eq!(site.case(&id).await["id"], id.as_str());
    assert_eq!(case["state"]["name"], "acknowledged");
    assert_eq!(case["access"], "team");
    assert_eq!(
        case["allowed_transitions"],
        json!(["triage", "rejected", "needs-info"])
    );
    assert_eq!(case["reporters"][0]["email"], "rae@researcher.test");
    assert_eq!(case["reporters"][0]["name"], "Rae Porter");
    assert_eq!(case["reporters"][0]["credit_consent"], true);
    assert!(
        case["description"]
            .as_str()
            .unwrap()
            .contains("Affected version: 3.4.1"),
        "{case}"
    );
    assert_eq!(fix_days(&case), 60, "unscored: the default fix deadline");
    let reports = site.get(&site.team, "/api/v1/reports").await.expect(200);
    let listed = reports
        .json
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["tracking_id"] == tracking.as_str())
        .unwrap_or_else(|| panic!("{tracking} not in {}", reports.text));
    assert_eq!(listed["case"], id.as_str());
    assert_eq!(listed["channel"], "api");

    site.invite(&id).await;
    let path = |rest: &str| format!("/api/v1/cases/{id}{rest}");

    // Triage and scoring.
    let triaged = site.transition(&site.team, &id, "triage").await.expect(200);
    assert_eq!(triaged.json["state"]["name"], "triage");
    let version = triaged.json["version"].as_i64().unwrap();
    let scored = site
        .put(
            &site.team,
            &path("/cvss"),
            json!({ "vector": CRITICAL_V31, "expected_version": version }),
        )
        .await
        .expect(200);
    assert_eq!(scored.json["cvss_v31"], CRITICAL_V31);
    assert_eq!(scored.json["score"], 9.8);
    assert_eq!(scored.json["severity"], "Critical");
    assert_eq!(
        fix_days(&scored.json),
        14,
        "critical, latest major not (yet) affected"
    );
    let scored = site
        .put(
            &site.team,
            &path("/cvss"),
            json!({ "vector": CRITICAL_V40, "expected_version": scored.json["version"] }),
        )
        .await
        .expect(200);
    assert_eq!(scored.json["cvss_v31"], CRITICAL_V31, "both are kept");
    assert_eq!(scored.json["cvss_v40"], CRITICAL_V40);
    assert_eq!(scored.json["score"], 9.3, "v4.0 decides the score");
    assert_eq!(scored.json["severity"], "Critical");
    assert_eq!(fix_days(&scored.json), 14);

    let critical = site
        .get(&site.team, "/api/v1/cases?severity=critical&state=triage")
        .await
        .expect(200);
    assert!(ids(&critical).contains(&id), "{}", critical.text);
    let low = site
        .get(&site.team, "/api/v1/cases?severity=low,medium")
        .await
        .expect(200);
    assert!(!ids(&low).contains(&id), "{}", low.text);

    site.post(
        &site.team,
        &path("/messages"),
        json!({ "visibility": "reporter", "body": "Confirmed; a fix is planned." }),
    )
    .await
    .expect(201);
    let accepted = site
        .transition(&site.team, &id, "accepted")
        .await
        .expect(200);
    assert_eq!(accepted.json["state"]["name"], "accepted");

    // Which release lines are affected, from the catalog.
    let lines = site.lines().await;
    let line = |edition: &str, name: &str| -> Value {
        lines
            .iter()
            .find(|(e, l)| e == edition && l["name"] == name)
            .unwrap_or_else(|| panic!("no {edition} {name} in the demo catalog"))
            .1
            .clone()
    };
    let affected = [
        line("Enterprise", "3.4.x"),
        line("OSS", "3.4.x"),
        line("Enterprise", "2.8.x"),
    ];
    let not_affected = line("Enterprise", "3.3.x");
    for l in &affected {
        let version = site.version(&id).await;
        let reply = site
            .put(
                &site.team,
                &path(&format!("/affected/{}", l["id"].as_str().unwrap())),
                json!({ "status": "affected", "expected_version": version }),
            )
            .await
            .expect(200);
        assert_eq!(
            reply.json["affected"][l["id"].as_str().unwrap()]["status"],
            "affected"
        );
    }
    let version = site.version(&id).await;
    site.put(
        &site.team,
        &path(&format!(
            "/affected/{}",
            not_affected["id"].as_str().unwrap()
        )),
        json!({
            "status": "not-affected",
            "justification": "vulnerable_code_not_present",
            "expected_version": version,
        }),
    )
    .await
    .expect(200);
    let case = site.case(&id).await;
    assert_eq!(
        fix_days(&case),
        7,
        "critical on the latest major version: the shortest fix deadline"
    );
    let on_line = site
        .get(
            &site.team,
            &format!(
                "/api/v1/cases?release_line={}",
                affected[2]["id"].as_str().unwrap()
            ),
        )
        .await
        .expect(200);
    assert!(ids(&on_line).contains(&id), "{}", on_line.text);
    let on_other_line = site
        .get(
            &site.team,
            &format!(
                "/api/v1/cases?release_line={}",
                not_affected["id"].as_str().unwrap()
            ),
        )
        .await
        .expect(200);
    assert!(!ids(&on_other_line).contains(&id), "{}", on_other_line.text);
    let own_code = site
        .get(&site.team, "/api/v1/cases?upstream=false")
        .await
        .expect(200);
    assert!(ids(&own_code).contains(&id));
    let upstream = site
        .get(&site.team, "/api/v1/cases?upstream=true")
        .await
        .expect(200);
    assert!(!ids(&upstream).contains(&id));

    // The engineer member builds and verifies the fix on each affected line.
    let fixing = site
        .transition(&site.engineer, &id, "fix-in-progress")
        .await
        .expect(200);
    assert_eq!(fixing.json["state"]["name"], "fix-in-progress");
    assert_eq!(fixing.json["access"], "engineer");
    assert_eq!(fixing.json["allowed_transitions"], json!(["fix-verified"]));
    site.post(
        &site.engineer,
        &path("/messages"),
        json!({ "visibility": "internal", "body": "Root cause: length not checked." }),
    )
    .await
    .expect(201);
    site.post(
        &site.collaborator,
        &path("/messages"),
        json!({ "visibility": "collaborators", "body": "Upstream patch attached." }),
    )
    .await
    .expect(201);
    site.post(
        &site.team,
        &path("/messages"),
        json!({ "visibility": "collaborators", "body": "Thanks, reviewing." }),
    )
    .await
    .expect(201);
    for l in &affected {
        let line_id = l["id"].as_str().unwrap();
        let next_patch = l["next_patch"].as_str().unwrap();
        let version = site.version(&id).await;
        let reply = site
            .put(
                &site.engineer,
                &path(&format!("/affected/{line_id}")),
                json!({
                    "status": "fixed",
                    "fixed_in": next_patch,
                    "links": ["https://git.vendor.test/gateway/commit/5e1f"],
                    "verified": true,
                    "expected_version": version,
                }),
            )
            .await
            .expect(200);
        let entry = &reply.json["affected"][line_id];
        assert_eq!(entry["status"], "fixed");
        assert_eq!(entry["fixed_in"], next_patch);
        assert_eq!(entry["verified_by"], engineer_id.as_str());
        assert_eq!(
            entry["links"],
            json!(["https://git.vendor.test/gateway/commit/5e1f"])
        );
    }
    assert_eq!(line("Enterprise", "3.4.x")["next_patch"], "3.4.1.2");
    assert_eq!(line("OSS", "3.4.x")["next_patch"], "3.4.2");
    site.transition(&site.engineer, &id, "fix-verified")
        .await
        .expect(200);

    // The team ships and discloses.
    site.transition(&site.team, &id, "released")
        .await
        .expect(200);
    let disclosed = site
        .transition(&site.team, &id, "disclosed")
        .await
        .expect(200);
    assert_eq!(disclosed.json["state"]["name"], "disclosed");
    assert_eq!(disclosed.json["allowed_transitions"], json!([]));

    // Messages of every visibility, each seen by its audience.
    let visibilities = |case: &Value| -> Vec<String> {
        case["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["visibility"].as_str().unwrap().to_owned())
            .collect()
    };
    let case = site.case(&id).await;
    assert_eq!(
        visibilities(&case),
        ["reporter", "internal", "collaborators", "collaborators"]
    );
    let authors: Vec<&str> = case["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["author"].as_str().unwrap())
        .collect();
    assert_eq!(
        authors,
        [
            team_id.as_str(),
            engineer_id.as_str(),
            collaborator_id.as_str(),
            team_id.as_str()
        ]
    );
    let as_collaborator = site
        .get(&site.collaborator, &path(""))
        .await
        .expect(200)
        .json;
    assert_eq!(
        visibilities(&as_collaborator),
        ["reporter", "collaborators", "collaborators"]
    );

    // The audit trail: every step, by whom, from what to what.
    let audit = site.get(&site.team, &path("/audit")).await.expect(200).json;
    let step = |actor: &str, role: &str, from: &str, to: &str| {
        (
            actor.to_owned(),
            role.to_owned(),
            from.to_owned(),
            to.to_owned(),
        )
    };
    assert_eq!(
        state_changes(&audit),
        [
            step(&system_id, "team", "new", "acknowledged"),
            step(&team_id, "team", "acknowledged", "triage"),
            step(&team_id, "team", "triage", "accepted"),
            step(&engineer_id, "engineer", "accepted", "fix-in-progress"),
            step(&engineer_id, "engineer", "fix-in-progress", "fix-verified"),
            step(&team_id, "team", "fix-verified", "released"),
            step(&team_id, "team", "released", "disclosed"),
        ]
    );
    let events = audit.as_array().unwrap();
    let of =
        |action: &str| -> Vec<&Value> { events.iter().filter(|e| e["action"] == action).collect() };
    assert_eq!(of("case-opened").len(), 1);
    assert_eq!(of("case-opened")[0]["actor"], system_id.as_str());
    let cvss = of("cvss-changed");
    assert_eq!(cvss.len(), 2);
    assert!(cvss[0].get("before").is_none(), "{}", cvss[0]);
    assert!(cvss[0]["after"].to_string().contains(CRITICAL_V31));
    assert!(cvss[1]["after"].to_string().contains(CRITICAL_V40));
    assert!(cvss.iter().all(|e| e["actor"] == team_id.as_str()));
    let affected_changes = of("affected-changed");
    assert_eq!(affected_changes.len(), 7, "4 assessments and 3 fixes");
    let last = affected_changes[6];
    assert_eq!(last["actor"], engineer_id.as_str());
    assert_eq!(last["before"]["status"]["status"], "affected");
    assert_eq!(last["after"]["status"]["status"], "fixed");
    assert_eq!(last["after"]["name"], "2.8.x");
    let deadlines = of("deadlines-changed");
    assert!(deadlines.len() >= 2, "scoring and the latest major line");
    assert!(
        deadlines
            .iter()
            .all(|e| e["before"]["fix"] != e["after"]["deadlines"]["fix"]),
        "{deadlines:?}"
    );
    let members = of("member-added");
    assert_eq!(members.len(), 2);
    assert_eq!(members[0]["after"]["user"], engineer_id.as_str());
    assert_eq!(members[1]["after"]["user"], collaborator_id.as_str());
    let posted: Vec<&str> = of("message-posted")
        .iter()
        .map(|e| e["after"]["visibility"].as_str().unwrap())
        .collect();
    assert_eq!(
        posted,
        ["reporter", "internal", "collaborators", "collaborators"]
    );
    let at = |e: &Value| -> jiff::Timestamp { e["at"].as_str().unwrap().parse().unwrap() };
    assert!(
        events.windows(2).all(|w| at(&w[0]) <= at(&w[1])),
        "oldest first"
    );

    // Disclosed is the end.
    let version = site.version(&id).await;
    let refused = site
        .post(
            &site.team,
            &path("/transitions"),
            json!({ "to": "triage", "expected_version": version, "reason": "again" }),
        )
        .await
        .expect(400);
    assert!(
        refused.message().contains("allowed: none"),
        "{}",
        refused.text
    );
}

/// Vectors scoring exactly at the boundary between the less urgent (low, below 4.0) and the
/// urgent (medium and above) timelines, as `embargo cvss score` scores them. No CVSS 4.0 base
/// vector scores 3.9; with exploit maturity "proof of concept" (E:P) one does.
const V31_3_9: &str = "CVSS:3.1/AV:L/AC:L/PR:L/UI:R/S:U/C:L/I:L/A:N";
const V31_4_0: &str = "CVSS:3.1/AV:L/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N";
const V40_3_9: &str = "CVSS:4.0/AV:A/AC:L/AT:P/PR:L/UI:P/VC:H/VI:L/VA:N/SC:H/SI:L/SA:N/E:P";
const V40_4_0: &str = "CVSS:4.0/AV:N/AC:L/AT:P/PR:H/UI:A/VC:L/VI:L/VA:L/SC:H/SI:N/SA:N";

#[tokio::test]
async fn a_score_of_3_9_gets_the_less_urgent_fix_deadline_and_4_0_the_urgent_one() {
    let site = Site::start().await;
    let tracking = site
        .report("Timing leak in login", "Response times differ.", "t@r.test")
        .await;
    let id = site.case(&tracking).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let cvss = format!("/api/v1/cases/{id}/cvss");
    let set = |vector: &'static str| {
        let site = &site;
        let cvss = cvss.clone();
        let id = id.clone();
        async move {
            let version = site.version(&id).await;
            site.put(
                &site.team,
                &cvss,
                json!({ "vector": vector, "expected_version": version }),
            )
            .await
            .expect(200)
            .json
        }
    };
    let remove = |version: &'static str| {
        let site = &site;
        let id = id.clone();
        async move {
            let expected = site.version(&id).await;
            site.delete(
                &site.team,
                &format!("/api/v1/cases/{id}/cvss/{version}?expected_version={expected}"),
            )
            .await
            .expect(200)
            .json
        }
    };
    let check = |case: &Value, score: f64, severity: &str, days: i64| {
        assert_eq!(case["score"], score, "{case}");
        assert_eq!(case["severity"], severity, "{case}");
        assert_eq!(fix_days(case), days, "{case}");
    };

    check(&set(V31_3_9).await, 3.9, "Low", 120);
    check(&set(V31_4_0).await, 4.0, "Medium", 60);
    check(&set(V40_3_9).await, 3.9, "Low", 120);
    check(&set(V40_4_0).await, 4.0, "Medium", 60);
    // v4.0 decides while it is there; without it, v3.1 does again.
    check(&set(V31_3_9).await, 4.0, "Medium", 60);
    check(&remove("4.0").await, 3.9, "Low", 120);
    let unscored = remove("3.1").await;
    assert!(unscored.get("score").is_none(), "{unscored}");
    assert_eq!(fix_days(&unscored), 60, "unscored: the default");

    // On the latest major version, medium is more urgent still; low is not.
    let lines = site.lines().await;
    let latest = lines
        .iter()
        .find(|(e, l)| e == "OSS" && l["name"] == "3.4.x")
        .unwrap()
        .1["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let version = site.version(&id).await;
    site.put(
        &site.team,
        &format!("/api/v1/cases/{id}/affected/{latest}"),
        json!({ "status": "affected", "expected_version": version }),
    )
    .await
    .expect(200);
    check(&set(V31_4_0).await, 4.0, "Medium", 30);
    check(&set(V31_3_9).await, 3.9, "Low", 120);
}

#[tokio::test]
async fn an_invalid_transition_is_refused_naming_the_states_allowed() {
    let site = Site::start().await;
    let tracking = site
        .report(
            "Open redirect",
            "The next= parameter is not checked.",
            "o@r.test",
        )
        .await;
    let id = site.case(&tracking).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let move_to = |body: Value| {
        let site = &site;
        let id = id.clone();
        async move {
            site.post(&site.team, &format!("/api/v1/cases/{id}/transitions"), body)
                .await
        }
    };
    let v = site.version(&id).await;

    for to in ["accepted", "fix-in-progress", "released", "disclosed"] {
        let r = move_to(json!({ "to": to, "expected_version": v }))
            .await
            .expect(400);
        assert_eq!(r.code(), "invalid");
        assert_eq!(r.field(), "to", "{}", r.text);
        assert!(
            r.message().contains(&format!(
                "from acknowledged to {to}; allowed: triage, rejected, needs-info"
            )),
            "{}",
            r.text
        );
    }
    let r = move_to(json!({ "to": "new", "expected_version": v }))
        .await
        .expect(400);
    assert_eq!(r.field(), "to", "{}", r.text);
    let r = move_to(json!({ "to": "closed", "expected_version": v }))
        .await
        .expect(400);
    assert_eq!(
        r.field(),
        "to",
        "an unknown state names the field sent: {}",
        r.text
    );
    assert!(r.message().contains("needs-info"), "{}", r.text);
    let r = move_to(json!({ "to": "rejected", "expected_version": v }))
        .await
        .expect(400);
    assert_eq!(r.field(), "reject_reason", "{}", r.text);
    let r = move_to(json!({ "to": "rejected", "reject_reason": "boring", "expected_version": v }))
        .await
        .expect(400);
    assert_eq!(r.field(), "reject_reason", "{}", r.text);
    let r =
        move_to(json!({ "to": "rejected", "reject_reason": "duplicate", "expected_version": v }))
            .await
            .expect(400);
    assert_eq!(r.field(), "duplicate_of", "{}", r.text);
    let r = move_to(json!({
        "to": "rejected", "reject_reason": "duplicate", "duplicate_of": id, "expected_version": v
    }))
    .await
    .expect(400);
    assert_eq!(r.field(), "duplicate_of", "{}", r.text);
    let r = move_to(json!({ "to": "triage" })).await.expect(400);
    assert_eq!(r.field(), "expected_version", "{}", r.text);
    assert_eq!(site.version(&id).await, v, "no refusal changed the case");

    // Rejected, then reopened: only with a reason.
    let rejected = move_to(json!({
        "to": "rejected", "reject_reason": "out-of-scope", "expected_version": v
    }))
    .await
    .expect(200);
    assert_eq!(rejected.json["state"]["name"], "rejected");
    assert_eq!(rejected.json["state"]["reject_reason"], "out-of-scope");
    assert_eq!(rejected.json["allowed_transitions"], json!(["triage"]));
    let v = rejected.json["version"].as_i64().unwrap();
    let r = move_to(json!({ "to": "triage", "expected_version": v, "reason": "  " }))
        .await
        .expect(400);
    assert_eq!(r.field(), "reason", "{}", r.text);
    let r = move_to(json!({ "to": "accepted", "expected_version": v }))
        .await
        .expect(400);
    assert!(r.message().contains("allowed: triage"), "{}", r.text);
    let reopened = move_to(json!({
        "to": "triage", "expected_version": v, "reason": "in scope after all"
    }))
    .await
    .expect(200);
    assert_eq!(reopened.json["state"]["name"], "triage");
    let audit = site
        .get(&site.team, &format!("/api/v1/cases/{id}/audit"))
        .await
        .expect(200)
        .json;
    let last = audit.as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["after"]["note"], "in scope after all", "{last}");
}

#[tokio::test]
async fn a_stale_expected_version_is_a_conflict_and_changes_nothing() {
    let site = Site::start().await;
    let tracking = site
        .report("Path traversal", "../ in the asset path.", "p@r.test")
        .await;
    let id = site.case(&tracking).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let line = site.lines().await[0].1["id"].as_str().unwrap().to_owned();
    let read = site.version(&id).await;
    // Someone else moves the case on after it was read.
    site.transition(&site.admin, &id, "triage")
        .await
        .expect(200);
    let before = site.case(&id).await;
    let audit_before = site
        .get(&site.team, &format!("/api/v1/cases/{id}/audit"))
        .await
        .expect(200)
        .json;

    let path = |rest: &str| format!("/api/v1/cases/{id}{rest}");
    for stale in [read, read + 7] {
        let attempts = [
            site.post(
                &site.team,
                &path("/transitions"),
                json!({ "to": "accepted", "expected_version": stale }),
            )
            .await,
            site.put(
                &site.team,
                &path("/cvss"),
                json!({ "vector": CRITICAL_V31, "expected_version": stale }),
            )
            .await,
            site.put(
                &site.team,
                &path(&format!("/affected/{line}")),
                json!({ "status": "affected", "expected_version": stale }),
            )
            .await,
            site.post(
                &site.team,
                &path("/members"),
                json!({ "user": site.engineer.username, "role": "engineer", "expected_version": stale }),
            )
            .await,
            site.delete(
                &site.team,
                &path(&format!("/cvss/3.1?expected_version={stale}")),
            )
            .await,
        ];
        for r in attempts {
            let r = r.expect(409);
            assert_eq!(r.code(), "conflict");
            assert!(
                r.message().contains(&format!("read version {stale}")),
                "{}",
                r.text
            );
        }
    }
    assert_eq!(site.case(&id).await, before, "nothing changed");
    let audit_after = site
        .get(&site.team, &format!("/api/v1/cases/{id}/audit"))
        .await
        .expect(200)
        .json;
    assert_eq!(audit_after, audit_before, "nothing was audited");

    // With the current version the same change goes through.
    let current = before["version"].as_i64().unwrap();
    site.post(
        &site.team,
        &path("/transitions"),
        json!({ "to": "accepted", "expected_version": current }),
    )
    .await
    .expect(200);
}

/// A client connecting from 127.0.0.`n`: the intake limit is per address.
fn from(n: u8) -> reqwest::Client {
    client_from(IpAddr::V4(Ipv4Addr::new(127, 0, 0, n)))
}

async fn submit(site: &Site, http: &reqwest::Client, body: &str) -> Reply {
    let resp = http
        .post(site.server.url("/api/v1/reports"))
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    let json = serde_json::from_str(&text).unwrap_or(Value::Null);
    Reply { status, json, text }
}

/// Reports other than the demo data's (whose reporters are at reporters.example).
async fn count_reports(site: &Site) -> i64 {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM reports WHERE reporter_email NOT LIKE '%@reporters.example'",
    )
    .fetch_one(site.t.db.pool())
    .await
    .unwrap()
}

#[tokio::test]
async fn each_missing_or_malformed_report_field_is_named_in_the_refusal() {
    let site = Site::start().await;
    let valid = json!({
        "title": "XSS in the admin console",
        "description": "The name field is echoed unescaped.",
        "reporter_email": "x@researcher.test",
    });
    let with = |key: &str, value: Value| {
        let mut v = valid.clone();
        v[key] = value;
        v.to_string()
    };
    let without = |key: &str| {
        let mut v = valid.clone();
        v.as_object_mut().unwrap().remove(key);
        v.to_string()
    };
    let cases: Vec<(String, &str)> = vec![
        (without("title"), "title"),
        (with("title", json!("   ")), "title"),
        (with("title", json!("t".repeat(301))), "title"),
        (with("title", json!(42)), "title"),
        (without("description"), "description"),
        (with("description", json!("\n\t ")), "description"),
        (with("description", json!(["a", "list"])), "description"),
        (without("reporter_email"), "reporter_email"),
        (
            with("reporter_email", json!("not-an-email")),
            "reporter_email",
        ),
        (
            with("reporter_email", json!("a@b@c.test")),
            "reporter_email",
        ),
        (with("reporter_email", json!(null)), "reporter_email"),
        (with("credit_consent", json!("yes")), "credit_consent"),
        (with("credit_consent", json!(1)), "credit_consent"),
        (
            with("reporter_name", json!("n".repeat(201))),
            "reporter_name",
        ),
        ("title=XSS&description=x".to_owned(), "body"),
        ("".to_owned(), "body"),
        ("[]".to_owned(), "body"),
    ];
    for (n, (body, field)) in cases.iter().enumerate() {
        // Each from its own address, so that the intake rate limit stays out of the way.
        let r = submit(&site, &from(10 + n as u8), body).await;
        assert_eq!(r.status, 400, "{body}: {}", r.text);
        assert_eq!(r.code(), "invalid", "{body}: {}", r.text);
        assert_eq!(r.field(), *field, "{body}: {}", r.text);
        assert!(
            r.message().starts_with(&format!("{field}: ")),
            "{body}: {}",
            r.text
        );
    }
    assert_eq!(count_reports(&site).await, 0, "nothing was stored");

    let ok = submit(&site, &from(100), &with("credit_consent", json!(false))).await;
    assert_eq!(ok.status, 201, "{}", ok.text);
    assert_eq!(count_reports(&site).await, 1);
}

#[tokio::test]
async fn the_public_intake_refuses_an_address_after_its_burst_and_still_serves_others() {
    let site = Site::start().await;
    let body = json!({
        "title": "Report",
        "description": "Details.",
        "reporter_email": "flood@researcher.test",
    })
    .to_string();
    let flooding = from(2);
    for n in 0..5 {
        let r = submit(&site, &flooding, &body).await;
        assert_eq!(r.status, 201, "report {n} of the burst: {}", r.text);
    }
    let r = submit(&site, &flooding, &body).await;
    assert_eq!(r.status, 429, "{}", r.text);
    assert_eq!(r.code(), "rate_limited");
    // Invalid bodies count too: the limit is checked before anything else.
    let r = submit(&site, &flooding, "not json").await;
    assert_eq!(r.status, 429, "{}", r.text);
    assert_eq!(
        count_reports(&site).await,
        5,
        "the refused report is not stored"
    );

    let other = submit(&site, &from(3), &body).await;
    assert_eq!(other.status, 201, "another address: {}", other.text);
    assert_eq!(count_reports(&site).await, 6);
}

#[tokio::test]
async fn cases_are_assigned_to_the_team_and_the_queue_filters_by_product_line_and_assignee() {
    let site = Site::start().await;
    let a = site
        .report("Assignable A", "Overflow in the parser.", "a@r.test")
        .await;
    let b = site
        .report("Assignable B", "Overflow in the lexer.", "b@r.test")
        .await;
    let a = site.case(&a).await["id"].as_str().unwrap().to_owned();
    let b = site.case(&b).await["id"].as_str().unwrap().to_owned();
    let catalog = site
        .get(&site.team, "/api/v1/catalog")
        .await
        .expect(200)
        .json;
    let product = catalog["products"][0]["id"].as_str().unwrap().to_owned();
    let lines = site.lines().await;
    let line = |n: usize| lines[n].1["id"].as_str().unwrap().to_owned();
    site.put(
        &site.team,
        &format!("/api/v1/cases/{a}/affected/{}", line(0)),
        json!({ "status": "affected", "expected_version": site.version(&a).await }),
    )
    .await
    .expect(200);
    let listed = |query: String| {
        let site = &site;
        let (a, b) = (&a, &b);
        async move {
            let list = site
                .get(&site.team, &format!("/api/v1/cases?limit=500&{query}"))
                .await
                .expect(200);
            let ids = ids(&list);
            (ids.contains(a), ids.contains(b))
        }
    };
    assert_eq!(
        listed(format!("release_line={}", line(0))).await,
        (true, false)
    );
    assert_eq!(
        listed(format!("release_line={}", line(1))).await,
        (false, false)
    );
    assert_eq!(listed(format!("product={product}")).await, (true, false));
    assert_eq!(listed(String::new()).await, (true, true));
    let bad = site
        .get(&site.team, "/api/v1/cases?product=gateway")
        .await
        .expect(400);
    assert_eq!(bad.field(), "product");

    // Assigning: the team, or an engineer invited to the case; never a collaborator, an
    // uninvited engineer or an unknown name, and never by the engineer.
    let assign = |who: &'static str, user: Option<&'static str>| {
        let site = &site;
        let a = a.clone();
        async move {
            let account = match who {
                "team" => &site.team,
                "engineer" => &site.engineer,
                _ => &site.outsider_engineer,
            };
            let version = site.version(&a).await;
            site.put(
                account,
                &format!("/api/v1/cases/{a}/assignee"),
                json!({ "user": user, "expected_version": version }),
            )
            .await
        }
    };
    for refused in [
        Some(site.engineer.username),
        Some(site.collaborator.username),
        Some("nobody-by-this-name"),
    ] {
        let r = assign("team", refused).await.expect(400);
        assert_eq!(r.field(), "assignee", "{}", r.text);
    }
    site.invite(&a).await;
    let r = assign("team", Some(site.collaborator.username))
        .await
        .expect(400);
    assert!(
        r.message().contains("collaborator") || r.message().contains("neither"),
        "{}",
        r.text
    );
    let team_id = site.id_of(&site.team).await;
    let case = assign("team", Some(site.team.username))
        .await
        .expect(200)
        .json;
    assert_eq!(case["assignee"], team_id.as_str());
    assert_eq!(listed(format!("assignee={team_id}")).await, (true, false));
    assert_eq!(listed("unassigned=true".to_owned()).await, (false, true));
    let before = site.case(&a).await;
    let r = assign("engineer", Some(site.engineer.username)).await;
    assert_eq!(r.status, 403, "{}", r.text);
    assign("outsider", Some(site.engineer.username))
        .await
        .expect(404);
    assert_eq!(site.case(&a).await, before, "refusals change nothing");
    let engineer_id = site.id_of(&site.engineer).await;
    let case = assign("team", Some(site.engineer.username))
        .await
        .expect(200)
        .json;
    assert_eq!(case["assignee"], engineer_id.as_str());
    let case = assign("team", None).await.expect(200).json;
    assert!(case["assignee"].is_null(), "{case}");
    let audit = site
        .get(&site.team, &format!("/api/v1/cases/{a}/audit"))
        .await
        .expect(200)
        .json;
    let changes = audit
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "assignee-changed")
        .count();
    assert_eq!(changes, 3);
}
