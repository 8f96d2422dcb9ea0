//! The access matrix: every operation of the API, as the served OpenAPI document lists it, called
//! by every kind of principal on a case they are part of and on one they are not, with the status
//! each must get; and every answer searched for marker strings of what that principal may not see.
//!
//! The operations come from `/api/openapi.json`. An operation the document lists and [`MATRIX`]
//! does not fails the test by name, and so does a row of [`MATRIX`] the document does not list:
//! a new route is annotated, registered in `embargo_web`'s `api::api()`, and given a row and a
//! request here ([`World::request`]).
//!
//! How to read [`MATRIX`]:
//! - `own` is case A: the invited engineer and the invited collaborator are members of it, and
//!   `reporter-own` reported it. `other` is case B: `reporter-other` reported it, nobody is invited.
//!   The not-invited engineer and collaborator are members of nothing.
//! - `2xx` is the success status the document declares for the operation.
//! - A case the caller may not see answers 404, whatever the operation. On a case they do see, an
//!   operation their access does not allow answers 403.
//! - Operations that are not about one case and belong to the team (the report list, releases,
//!   mail templates) answer 403 to every other role, without looking at what they name; changing a
//!   mail template is the admins' (403 to the team), and so are the settings (`/settings/…`, read
//!   and change). No token at all is 401, before anything else.
//! - The message operation posts an internal note (the strictest visibility); transitions pick a
//!   move the case's state allows (the invited engineer's moves between fix-in-progress and
//!   fix-verified on case A); every body is one the team would have accepted, so that a refusal is
//!   the access check and not a 400 or 409.

use std::collections::{BTreeMap, BTreeSet};
use std::net::{IpAddr, Ipv4Addr};
use std::path::Path;

use reqwest::Method;
use serde_json::{Value, json};

use crate::openapi::operations;
use crate::support::{Reply, Server, client, client_from, embargo};

/// Who calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Who {
    Anonymous,
    Admin,
    Team,
    EngineerInvited,
    EngineerNotInvited,
    CollaboratorInvited,
    CollaboratorNotInvited,
    ReporterOwn,
    ReporterOther,
}

/// The columns of [`MATRIX`], in order.
const EVERYONE: [Who; 9] = [
    Who::Anonymous,
    Who::Admin,
    Who::Team,
    Who::EngineerInvited,
    Who::EngineerNotInvited,
    Who::CollaboratorInvited,
    Who::CollaboratorNotInvited,
    Who::ReporterOwn,
    Who::ReporterOther,
];

impl Who {
    fn name(self) -> &'static str {
        match self {
            Who::Anonymous => "anonymous",
            Who::Admin => "admin",
            Who::Team => "team",
            Who::EngineerInvited => "engineer-invited",
            Who::EngineerNotInvited => "engineer-not-invited",
            Who::CollaboratorInvited => "collaborator-invited",
            Who::CollaboratorNotInvited => "collaborator-not-invited",
            Who::ReporterOwn => "reporter-own",
            Who::ReporterOther => "reporter-other",
        }
    }
}

/// What a marker belongs to: case A, case B, or what only the team may read (other reports, mail
/// templates).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Owner {
    A,
    B,
    TeamOnly,
}

/// A principal's access to what a marker belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Access {
    None,
    Reporter,
    Collaborator,
    Engineer,
    Team,
}

fn access(who: Who, owner: Owner) -> Access {
    match (who, owner) {
        (Who::Admin | Who::Team, _) => Access::Team,
        (Who::EngineerInvited, Owner::A) => Access::Engineer,
        (Who::CollaboratorInvited, Owner::A) => Access::Collaborator,
        (Who::ReporterOwn, Owner::A) | (Who::ReporterOther, Owner::B) => Access::Reporter,
        _ => Access::None,
    }
}

/// Who may read a marker, by access.
const EVERY_ACCESS: &[Access] = &[
    Access::Reporter,
    Access::Collaborator,
    Access::Engineer,
    Access::Team,
];
/// Description, CVSS, affected lines, collaborator messages: not the reporter's view.
const NOT_REPORTER: &[Access] = &[Access::Collaborator, Access::Engineer, Access::Team];
/// A reporter's identity: their own, and the team's and engineers'; never collaborators'.
const IDENTITY: &[Access] = &[Access::Reporter, Access::Engineer, Access::Team];
/// Internal notes: never reporters or collaborators, even on their own case.
const INTERNAL: &[Access] = &[Access::Engineer, Access::Team];
const TEAM: &[Access] = &[Access::Team];

struct Marker {
    text: String,
    owner: Owner,
    seen_by: &'static [Access],
}

/// The expected status of one call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// The success status the document declares.
    Success,
    Status(u16),
}

/// Per operation, per principal in the order of [`EVERYONE`]: the expected status, `own/other`
/// for an operation with a `{case}`.
#[rustfmt::skip]
const MATRIX: &[(&str, &str)] = &[
    //                                          anon     admin    team     eng-in   eng-out  col-in   col-out  rep-own  rep-other
    ("GET /api/v1/me",                          "401      2xx      2xx      2xx      2xx      2xx      2xx      2xx      2xx"),
    ("POST /api/v1/reports",                    "2xx      2xx      2xx      2xx      2xx      2xx      2xx      2xx      2xx"),
    ("GET /api/v1/reports",                     "401      2xx      2xx      403      403      403      403      403      403"),
    ("GET /api/v1/catalog",                     "401      2xx      2xx      2xx      2xx      2xx      2xx      2xx      2xx"),
    ("GET /api/v1/cases",                       "401      2xx      2xx      2xx      2xx      2xx      2xx      2xx      2xx"),
    ("GET /api/v1/cases/{case}",                "401/401  2xx/2xx  2xx/2xx  2xx/404  404/404  2xx/404  404/404  2xx/404  404/2xx"),
    ("GET /api/v1/cases/{case}/audit",          "401/401  2xx/2xx  2xx/2xx  2xx/404  404/404  403/404  404/404  403/404  404/403"),
    ("GET /api/v1/cases/{case}/mail",           "401/401  2xx/2xx  2xx/2xx  403/404  404/404  403/404  404/404  403/404  404/403"),
    ("GET /api/v1/cases/{case}/advisory",       "401/401  2xx/2xx  2xx/2xx  403/404  404/404  403/404  404/404  403/404  404/403"),
    ("PUT /api/v1/cases/{case}/advisory",       "401/401  2xx/2xx  2xx/2xx  403/404  404/404  403/404  404/404  403/404  404/403"),
    ("POST /api/v1/cases/{case}/transitions",   "401/401  2xx/2xx  2xx/2xx  2xx/404  404/404  403/404  404/404  403/404  404/403"),
    ("PUT /api/v1/cases/{case}/cvss",           "401/401  2xx/2xx  2xx/2xx  2xx/404  404/404  403/404  404/404  403/404  404/403"),
    ("DELETE /api/v1/cases/{case}/cvss/{version}", "401/401  2xx/2xx  2xx/2xx  2xx/404  404/404  403/404  404/404  403/404  404/403"),
    ("PUT /api/v1/cases/{case}/affected/{line}", "401/401  2xx/2xx  2xx/2xx  2xx/404  404/404  403/404  404/404  403/404  404/403"),
    ("POST /api/v1/cases/{case}/messages",      "401/401  2xx/2xx  2xx/2xx  2xx/404  404/404  403/404  404/404  403/404  404/403"),
    ("POST /api/v1/cases/{case}/members",       "401/401  2xx/2xx  2xx/2xx  403/404  404/404  403/404  404/404  403/404  404/403"),
    // Only the case's own reporters set their credit.
    ("PUT /api/v1/cases/{case}/credit",         "401/401  403/403  403/403  403/404  404/404  403/404  404/404  2xx/404  404/2xx"),
    ("PUT /api/v1/cases/{case}/assignee",       "401/401  2xx/2xx  2xx/2xx  403/404  404/404  403/404  404/404  403/404  404/403"),
    ("POST /api/v1/cases/{case}/estimate",      "401/401  2xx/2xx  2xx/2xx  403/404  404/404  403/404  404/404  403/404  404/403"),
    ("GET /api/v1/mail/templates/{kind}",       "401      2xx      2xx      403      403      403      403      403      403"),
    ("PUT /api/v1/mail/templates/{kind}",       "401      2xx      403      403      403      403      403      403      403"),
    ("DELETE /api/v1/mail/templates/{kind}",    "401      2xx      403      403      403      403      403      403      403"),
    ("GET /api/v1/releases",                    "401      2xx      2xx      403      403      403      403      403      403"),
    ("POST /api/v1/releases",                   "401      2xx      2xx      403      403      403      403      403      403"),
    ("GET /api/v1/releases/{release}",          "401      2xx      2xx      403      403      403      403      403      403"),
    ("POST /api/v1/releases/{release}/cases",   "401      2xx      2xx      403      403      403      403      403      403"),
    ("POST /api/v1/releases/{release}/ship",    "401      2xx      2xx      403      403      403      403      403      403"),
    ("PUT /api/v1/cases/{case}/embargo",        "401/401  2xx/2xx  2xx/2xx  403/404  404/404  403/404  404/404  403/404  404/403"),
    ("DELETE /api/v1/cases/{case}/embargo",     "401/401  2xx/2xx  2xx/2xx  403/404  404/404  403/404  404/404  403/404  404/403"),
    ("GET /api/v1/cases/{case}/prenotifications", "401/401  2xx/2xx  2xx/2xx  403/404  404/404  403/404  404/404  403/404  404/403"),
    ("GET /api/v1/prenotify",                   "401      2xx      2xx      403      403      403      403      403      403"),
    ("POST /api/v1/prenotify",                  "401      2xx      2xx      403      403      403      403      403      403"),
    ("DELETE /api/v1/prenotify/{id}",           "401      2xx      2xx      403      403      403      403      403      403"),
    ("GET /api/v1/users",                       "401      2xx      403      403      403      403      403      403      403"),
    ("POST /api/v1/users",                      "401      2xx      403      403      403      403      403      403      403"),
    ("PATCH /api/v1/users/{username}",          "401      2xx      403      403      403      403      403      403      403"),
    ("POST /api/v1/catalog/lines",              "401      2xx      403      403      403      403      403      403      403"),
    ("PATCH /api/v1/catalog/lines/{line}",      "401      2xx      403      403      403      403      403      403      403"),
    ("PUT /api/v1/catalog/lines/{line}/components/{name}", "401      2xx      403      403      403      403      403      403      403"),
    ("GET /api/v1/settings/security-txt",       "401      2xx      403      403      403      403      403      403      403"),
    ("PUT /api/v1/settings/security-txt",       "401      2xx      403      403      403      403      403      403      403"),
    ("GET /api/v1/settings/policy",             "401      2xx      403      403      403      403      403      403      403"),
    ("PUT /api/v1/settings/policy",             "401      2xx      403      403      403      403      403      403      403"),
    ("GET /api/v1/cases/{case}/files",          "401/401  2xx/2xx  2xx/2xx  2xx/404  404/404  2xx/404  404/404  2xx/404  404/2xx"),
    // An internal note's file: a message the caller cannot read is as unknown as the case.
    ("GET /api/v1/cases/{case}/messages/{message}/files/{n}", "401/401  2xx/2xx  2xx/2xx  2xx/404  404/404  404/404  404/404  404/404  404/404"),
    ("GET /api/v1/cases/{case}/reports/{report}/raw", "401/401  2xx/2xx  2xx/2xx  2xx/404  404/404  403/404  404/404  403/404  404/403"),
    ("GET /api/v1/cases/{case}/reports/{report}/files/{n}", "401/401  2xx/2xx  2xx/2xx  2xx/404  404/404  403/404  404/404  403/404  404/403"),
];

fn b64(text: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(text)
}

/// One row of the matrix: per principal, the expectation on case A and on case B (the same twice
/// for an operation without a case).
type Row = BTreeMap<Who, (Expect, Expect)>;

fn parse_expect(cell: &str, op: &str) -> Expect {
    match cell {
        "2xx" => Expect::Success,
        code => Expect::Status(
            code.parse()
                .unwrap_or_else(|_| panic!("{op}: {code:?} is not a status")),
        ),
    }
}

fn parse_row(op: &str, text: &str) -> Row {
    let has_case = op.contains("{case}");
    let cells: Vec<&str> = text.split_whitespace().collect();
    assert_eq!(cells.len(), EVERYONE.len(), "{op}: one cell per principal");
    EVERYONE
        .iter()
        .zip(cells)
        .map(|(who, cell)| {
            let pair = match cell.split_once('/') {
                Some((own, other)) => {
                    assert!(has_case, "{op}: own/other only for a case operation");
                    (parse_expect(own, op), parse_expect(other, op))
                }
                None => {
                    assert!(!has_case, "{op}: a case operation needs own/other");
                    let e = parse_expect(cell, op);
                    (e, e)
                }
            };
            (*who, pair)
        })
        .collect()
}

/// One operation of the document.
struct Operation {
    key: String,
    method: Method,
    success: u16,
    has_case: bool,
    row: Row,
}

impl Operation {
    fn safe(&self) -> bool {
        self.method == Method::GET
    }
}

fn cli(dir: &Path, url: &str, args: &[&str]) -> String {
    let out = embargo(dir)
        .env("EMBARGO_DATABASE_URL", url)
        .args(args)
        .output()
        .expect("running embargo");
    assert!(
        out.status.success(),
        "embargo {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("UTF-8 output")
        .trim()
        .to_owned()
}

/// The running server, the principals' tokens, the two cases and every marker.
struct World {
    server: Server,
    http: reqwest::Client,
    tokens: BTreeMap<Who, String>,
    /// Case A's and case B's ids and tracking ids.
    ids: [String; 2],
    tracking: [String; 2],
    /// Release line ids of the demo catalog.
    lines: Vec<String>,
    /// Releases planned in the seed: the first is read and gets cases; both are shipped.
    releases: Vec<String>,
    /// Pre-notification entries of the seed, one to remove per successful call.
    prenotify: Vec<String>,
    /// Per case: its report's id, and the message id of an internal note with a file.
    reports: [String; 2],
    note_messages: [String; 2],
    /// Accounts to invite (never principals).
    spares: [&'static str; 2],
    markers: Vec<Marker>,
    /// Successful calls so far, per operation and case, so that each builds on the last.
    successes: BTreeMap<(String, Option<Owner>), usize>,
    intakes: u8,
    _t: embargo_testkit::TestDb,
    _dir: tempfile::TempDir,
}

fn case_index(owner: Owner) -> usize {
    match owner {
        Owner::A => 0,
        Owner::B => 1,
        Owner::TeamOnly => panic!("not a case"),
    }
}

fn prefix(owner: Owner) -> &'static str {
    match owner {
        Owner::A => "MARKA",
        Owner::B => "MARKB",
        Owner::TeamOnly => "TEAMONLY",
    }
}

/// CVSS vectors unique to each case: two seeded, then the ones the matrix's changes set.
const VECTORS: [[&str; 5]; 2] = [
    [
        "CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:C/C:L/I:N/A:L",
        "CVSS:4.0/AV:P/AC:H/AT:P/PR:H/UI:A/VC:L/VI:N/VA:L/SC:L/SI:N/SA:N",
        "CVSS:3.1/AV:L/AC:H/PR:H/UI:N/S:U/C:L/I:L/A:N",
        "CVSS:3.1/AV:L/AC:H/PR:H/UI:N/S:U/C:L/I:N/A:L",
        "CVSS:3.1/AV:L/AC:H/PR:H/UI:N/S:U/C:N/I:L/A:L",
    ],
    [
        "CVSS:3.1/AV:A/AC:H/PR:L/UI:R/S:U/C:N/I:L/A:N",
        "CVSS:4.0/AV:A/AC:H/AT:P/PR:L/UI:P/VC:N/VI:L/VA:N/SC:N/SI:L/SA:N",
        "CVSS:3.1/AV:N/AC:H/PR:H/UI:N/S:C/C:N/I:N/A:L",
        "CVSS:3.1/AV:N/AC:H/PR:H/UI:N/S:C/C:N/I:L/A:N",
        "CVSS:3.1/AV:N/AC:H/PR:H/UI:N/S:C/C:L/I:N/A:N",
    ],
];

impl World {
    fn mark(
        &mut self,
        owner: Owner,
        seen_by: &'static [Access],
        text: impl Into<String>,
    ) -> String {
        let text = text.into();
        self.markers.push(Marker {
            text: text.clone(),
            owner,
            seen_by,
        });
        text
    }

    async fn send(
        &self,
        http: &reqwest::Client,
        who: Who,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Reply {
        let mut req = http.request(method, self.server.url(path));
        if let Some(token) = self.tokens.get(&who) {
            req = req.bearer_auth(token);
        }
        if let Some(body) = body {
            req = req.json(body);
        }
        let resp = req.send().await.expect("sending a request");
        let status = resp.status().as_u16();
        let text = resp.text().await.expect("reading a response body");
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        Reply { status, json, text }
    }

    async fn call(&self, who: Who, method: Method, path: &str, body: Option<Value>) -> Reply {
        self.send(&self.http, who, method, path, body.as_ref())
            .await
    }

    async fn team_get(&self, path: &str) -> Value {
        self.call(Who::Team, Method::GET, path, None)
            .await
            .expect(200)
            .json
    }

    async fn case(&self, owner: Owner) -> Value {
        self.team_get(&format!("/api/v1/cases/{}", self.ids[case_index(owner)]))
            .await
    }

    async fn version(&self, owner: Owner) -> i64 {
        self.case(owner).await["version"]
            .as_i64()
            .expect("a version")
    }

    /// A change by the team during the seed, at the case's current version.
    async fn seed_change(
        &self,
        who: Who,
        owner: Owner,
        method: Method,
        rest: &str,
        mut body: Value,
    ) {
        if body.get("visibility").is_none() {
            body["expected_version"] = json!(self.version(owner).await);
        }
        let path = format!("/api/v1/cases/{}{rest}", self.ids[case_index(owner)]);
        let r = self.call(who, method, &path, Some(body)).await;
        assert!(r.status < 300, "seeding {path}: {}", r.text);
    }

    /// Everything a leaked or a wrongly accepted change could alter, as the team reads it.
    async fn fingerprint(&self) -> Value {
        json!([
            self.case(Owner::A).await,
            self.case(Owner::B).await,
            // Ids and versions only: a needs-info case's next deadline, and so the order of the
            // queue, moves with the clock.
            self.team_get("/api/v1/cases")
                .await
                .as_array()
                .expect("a list")
                .iter()
                .map(|c| (c["id"].to_string(), c["version"].to_string()))
                .collect::<BTreeSet<_>>(),
            self.team_get("/api/v1/reports").await,
            self.team_get("/api/v1/releases").await,
            self.team_get("/api/v1/mail/templates/disclosed").await,
        ])
    }

    /// Fails if `text` holds a marker `who` may not read.
    fn check_markers(&self, who: Who, what: &str, text: &str) {
        for m in &self.markers {
            if !m.seen_by.contains(&access(who, m.owner)) {
                assert!(
                    !text.contains(&m.text),
                    "{what} as {} leaks {:?} ({:?}): {text}",
                    who.name(),
                    m.text,
                    m.owner
                );
            }
        }
    }

    /// The path and body of `op` called by `who` on `target`: ids that exist, and a body the team
    /// would have accepted in the current state. New marker text is registered before it is sent.
    async fn request(&mut self, op: &Operation, who: Who, target: Option<Owner>) -> Request {
        let k = self
            .successes
            .get(&(op.key.clone(), target))
            .copied()
            .unwrap_or(0);
        let template = op.key.split_once(' ').expect("METHOD path").1;
        let mut path = template
            .replace("{version}", "4.0")
            .replace("{kind}", "disclosed");
        if let Some(owner) = target {
            let i = case_index(owner);
            path = path
                .replace("{case}", &self.ids[i])
                .replace("{report}", &self.reports[i])
                .replace("{message}", &self.note_messages[i])
                .replace("{n}", "0");
        }
        let line = &self.lines[3];
        path = path
            .replace("{line}", line)
            .replace("{username}", self.spares[0])
            .replace("{name}", "zlib");
        let release = if op.key.ends_with("/ship") {
            self.releases
                .get(k)
                .unwrap_or_else(|| panic!("{}: no release left to ship", op.key))
        } else {
            &self.releases[0]
        };
        path = path.replace("{release}", release);
        if op.key.contains("{id}") {
            let id = self
                .prenotify
                .get(k)
                .unwrap_or_else(|| panic!("{}: no entry left to remove", op.key));
            path = path.replace("{id}", id);
        }
        assert!(
            !path.contains('{'),
            "{}: a path parameter has no value",
            op.key
        );

        let p = target.map(prefix).unwrap_or("");
        let name = who.name();
        let version = match target {
            Some(owner) => self.version(owner).await,
            None => 0,
        };
        let mut source = None;
        let body = match op.key.as_str() {
            "POST /api/v1/reports" => {
                let n = self.intakes;
                self.intakes += 1;
                // Public intake is limited per address: each report comes from its own.
                source = Some(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 20 + n)));
                let title = self.mark(Owner::TeamOnly, TEAM, format!("INTAKE-{n}-TITLE-h4c"));
                let text = self.mark(Owner::TeamOnly, TEAM, format!("INTAKE-{n}-REPORT-j8d"));
                let email = self.mark(
                    Owner::TeamOnly,
                    TEAM,
                    format!("intake-{n}-reporter@researcher.test"),
                );
                Some(json!({
                    "title": title,
                    "description": text,
                    "reporter_email": email,
                    "product": "Gateway",
                    "version": "3.4.1",
                }))
            }
            "POST /api/v1/cases/{case}/transitions" => {
                let owner = target.expect("a case");
                let case = self.case(owner).await;
                let allowed = case["allowed_transitions"].as_array().expect("transitions");
                let to = ["fix-verified", "fix-in-progress", "needs-info", "triage"]
                    .into_iter()
                    .find(|t| allowed.iter().any(|a| a == t))
                    .unwrap_or_else(|| panic!("no move to make from {}", case["state"]));
                Some(json!({ "to": to, "expected_version": version }))
            }
            "PUT /api/v1/cases/{case}/cvss" => {
                let owner = target.expect("a case");
                let vector = VECTORS[case_index(owner)][2 + k];
                Some(json!({ "vector": vector, "expected_version": version }))
            }
            "DELETE /api/v1/cases/{case}/cvss/{version}" => {
                path = format!("{path}?expected_version={version}");
                None
            }
            "PUT /api/v1/cases/{case}/affected/{line}" => {
                let reason = self.mark(
                    target.expect("a case"),
                    NOT_REPORTER,
                    format!("{p}-AFFECTED-{name}"),
                );
                Some(json!({ "status": "wont-fix", "reason": reason, "expected_version": version }))
            }
            "POST /api/v1/cases/{case}/messages" => {
                let note = self.mark(
                    target.expect("a case"),
                    INTERNAL,
                    format!("{p}-NOTE-{name}"),
                );
                Some(json!({ "visibility": "internal", "body": note }))
            }
            "POST /api/v1/cases/{case}/members" => Some(json!({
                "user": self.spares[k],
                "role": "collaborator",
                "expected_version": version,
            })),
            "PUT /api/v1/cases/{case}/credit" => {
                let name = self.mark(
                    target.expect("a case"),
                    IDENTITY,
                    format!("{p}-CREDIT-{name}-{k}"),
                );
                Some(json!({ "consent": true, "name": name }))
            }
            "PUT /api/v1/cases/{case}/assignee" => Some(json!({
                "user": if k % 2 == 0 { "tess" } else { "ada" },
                "expected_version": version,
            })),
            "POST /api/v1/cases/{case}/estimate" => Some(json!({ "expected_version": version })),
            "PUT /api/v1/cases/{case}/advisory" => {
                let owner = target.expect("a case");
                let title = self.mark(owner, TEAM, format!("{p}-ADVTITLE-{name}"));
                let text = self.mark(owner, TEAM, format!("{p}-ADVTEXT-{name}"));
                Some(json!({
                    "title": title,
                    "summary": "A heap overflow.",
                    "description": text,
                }))
            }
            "PUT /api/v1/mail/templates/{kind}" => {
                let text = self.mark(Owner::TeamOnly, TEAM, format!("TEMPLATE-{name}-k2v"));
                Some(json!({ "subject": format!("Disclosed {text}"), "body": text }))
            }
            "POST /api/v1/releases" => Some(json!({ "release_line": self.lines[4 + k] })),
            "POST /api/v1/releases/{release}/cases" => Some(json!({ "case": self.ids[k % 2] })),
            "POST /api/v1/releases/{release}/ship" => Some(json!({})),
            "PUT /api/v1/cases/{case}/embargo" => {
                let reason = self.mark(
                    target.expect("a case"),
                    INTERNAL,
                    format!("{p}-EMBARGO-{name}-{k}"),
                );
                Some(json!({
                    "at": format!("2099-0{}-1{k}T14:00:00Z", 1 + case_index(target.expect("a case"))),
                    "reason": reason,
                    "expected_version": version,
                }))
            }
            "DELETE /api/v1/cases/{case}/embargo" => {
                path = format!("{path}?expected_version={version}");
                None
            }
            "POST /api/v1/prenotify" => {
                let entry = self.mark(Owner::TeamOnly, TEAM, format!("PRENOTIFY-{name}-{k}-w3e"));
                let email = self.mark(Owner::TeamOnly, TEAM, format!("{name}-{k}@distro.test"));
                Some(json!({ "name": entry, "email": email }))
            }
            "PUT /api/v1/settings/security-txt" => Some(json!({
                "contacts": ["mailto:security@vendor.test", "https://vendor.test/security"],
                "expires_days": 90,
                "preferred_languages": ["en"],
            })),
            "POST /api/v1/users" => {
                let username = format!("acct-{name}-{k}");
                Some(json!({
                    "username": username,
                    "email": format!("{username}@vendor.test"),
                    "role": "engineer",
                }))
            }
            // Enabling an enabled account: audited, nothing else changes.
            "PATCH /api/v1/users/{username}" => Some(json!({ "disabled": false })),
            "POST /api/v1/catalog/lines" => Some(json!({
                "product": "gateway",
                "edition": "oss",
                "line": format!("9.{k}.x"),
                "scheme": "three-part",
            })),
            // The line's support as it is: nothing the other operations depend on moves.
            "PATCH /api/v1/catalog/lines/{line}" => {
                let catalog = self.team_get("/api/v1/catalog").await;
                let line = catalog["products"]
                    .as_array()
                    .expect("products")
                    .iter()
                    .flat_map(|p| p["editions"].as_array().expect("editions"))
                    .flat_map(|e| e["release_lines"].as_array().expect("lines"))
                    .find(|l| l["id"] == self.lines[3].as_str())
                    .expect("the line")
                    .clone();
                Some(json!({
                    "supported": line["supported"],
                    "lts": line["lts"],
                    "support_ends": line["support_ends"],
                }))
            }
            "PUT /api/v1/catalog/lines/{line}/components/{name}" => {
                Some(json!({ "version": format!("1.3.{k}") }))
            }
            // The shipped policy again: the open cases' deadlines stay as they are.
            "PUT /api/v1/settings/policy" => {
                Some(json!({ "toml": embargo_domain::DEFAULT_POLICY_TOML }))
            }
            key if op.safe() || key.starts_with("DELETE ") => None,
            key => panic!("{key}: no request body; add one to World::request"),
        };
        Request { path, body, source }
    }
}

struct Request {
    path: String,
    body: Option<Value>,
    /// The client address, when it matters.
    source: Option<IpAddr>,
}

async fn seed() -> World {
    let t = embargo_testkit::TestDb::new().await;
    let dir = tempfile::tempdir().expect("creating a data directory");
    let run = |args: &[&str]| cli(dir.path(), &t.url, args);
    run(&["demo"]);
    let mut tokens = BTreeMap::new();
    for (who, username, role, scopes) in [
        (Who::Admin, "ada", "admin", "read,write,admin"),
        (Who::Team, "tess", "team", "read,write"),
        (Who::EngineerInvited, "emil", "engineer", "read,write"),
        (Who::EngineerNotInvited, "otto", "engineer", "read,write"),
        (
            Who::CollaboratorInvited,
            "cole",
            "collaborator",
            "read,write",
        ),
        (
            Who::CollaboratorNotInvited,
            "cora",
            "collaborator",
            "read,write",
        ),
    ] {
        let email = format!("{username}@vendor.test");
        run(&["user", "add", username, "--email", &email, "--role", role]);
        tokens.insert(who, run(&["user", "token", username, "--scopes", scopes]));
    }
    let spares = ["sam", "sue"];
    for spare in spares {
        let email = format!("{spare}@vendor.test");
        run(&[
            "user", "add", spare, "--email", &email, "--role", "engineer",
        ]);
    }
    let server = Server::start({
        let mut cmd = embargo(dir.path());
        cmd.env("EMBARGO_DATABASE_URL", &t.url);
        cmd
    });
    let mut world = World {
        server,
        http: client(),
        tokens,
        ids: [String::new(), String::new()],
        tracking: [String::new(), String::new()],
        lines: Vec::new(),
        releases: Vec::new(),
        prenotify: Vec::new(),
        reports: [String::new(), String::new()],
        note_messages: [String::new(), String::new()],
        spares,
        markers: Vec::new(),
        successes: BTreeMap::new(),
        intakes: 0,
        _t: t,
        _dir: dir,
    };

    // Two reports, each case with a marker in every field.
    for (owner, who) in [(Owner::A, Who::ReporterOwn), (Owner::B, Who::ReporterOther)] {
        let p = prefix(owner);
        let lower = p.to_lowercase();
        let title = world.mark(owner, EVERY_ACCESS, format!("{p}-TITLE-q8w2"));
        let report = world.mark(owner, NOT_REPORTER, format!("{p}-REPORT-z7x1"));
        let email = world.mark(owner, IDENTITY, format!("{lower}.reporter@researcher.test"));
        let name = world.mark(owner, IDENTITY, format!("{p}-NAME-p0o9"));
        let attachment = world.mark(owner, INTERNAL, format!("{p}-ATTACHMENT-v4b5"));
        let r = world
            .call(
                Who::Anonymous,
                Method::POST,
                "/api/v1/reports",
                Some(json!({
                    "title": format!("{title} heap overflow"),
                    "description": format!("{report}: a crafted frame overflows a buffer."),
                    "reporter_email": email,
                    "reporter_name": name,
                    "product": "Gateway",
                    "version": "3.4.1",
                    "credit_consent": true,
                    "attachments": [
                        { "name": "poc.txt", "media_type": "text/plain", "content_base64": b64(&attachment) }
                    ],
                })),
            )
            .await
            .expect(201);
        let tracking = r.json["tracking_id"]
            .as_str()
            .expect("a tracking id")
            .to_owned();
        let i = case_index(owner);
        world.tracking[i] = world.mark(owner, EVERY_ACCESS, tracking.clone());
        let id = world.team_get(&format!("/api/v1/cases/{tracking}")).await["id"]
            .as_str()
            .expect("an id")
            .to_owned();
        world.ids[i] = world.mark(owner, EVERY_ACCESS, id);
        let token = cli(
            world._dir.path(),
            &world._t.url,
            &["user", "token", &email, "--scopes", "read,write"],
        );
        world.tokens.insert(who, token);
    }
    let catalog = world.team_get("/api/v1/catalog").await;
    for product in catalog["products"].as_array().expect("products") {
        for edition in product["editions"].as_array().expect("editions") {
            for line in edition["release_lines"].as_array().expect("lines") {
                world
                    .lines
                    .push(line["id"].as_str().expect("an id").to_owned());
            }
        }
    }
    assert!(
        world.lines.len() >= 6,
        "the demo catalog has lines: {catalog}"
    );

    // The pre-notification list: entries for the removals to remove.
    for n in 0..2 {
        let name = world.mark(Owner::TeamOnly, TEAM, format!("SEEDLIST-{n}-r5t"));
        let email = world.mark(Owner::TeamOnly, TEAM, format!("seed-{n}@distro.test"));
        let id = cli(
            world._dir.path(),
            &world._t.url,
            &[
                "prenotify",
                "add",
                "--name",
                &name,
                "--email",
                &email,
                "--as",
                "ada",
            ],
        );
        world.prenotify.push(id);
    }

    // Case A: the invited engineer and collaborator, fix in progress.
    for (user, role) in [("emil", "engineer"), ("cole", "collaborator")] {
        world
            .seed_change(
                Who::Team,
                Owner::A,
                Method::POST,
                "/members",
                json!({ "user": user, "role": role }),
            )
            .await;
    }
    for to in ["triage", "accepted", "fix-in-progress"] {
        world
            .seed_change(
                Who::Team,
                Owner::A,
                Method::POST,
                "/transitions",
                json!({ "to": to }),
            )
            .await;
    }
    world
        .seed_change(
            Who::Team,
            Owner::B,
            Method::POST,
            "/transitions",
            json!({ "to": "triage" }),
        )
        .await;
    for owner in [Owner::A, Owner::B] {
        let p = prefix(owner);
        let i = case_index(owner);
        for vector in &VECTORS[i] {
            world.mark(owner, NOT_REPORTER, *vector);
        }
        for vector in &VECTORS[i][..2] {
            world
                .seed_change(
                    Who::Team,
                    owner,
                    Method::PUT,
                    "/cvss",
                    json!({ "vector": vector }),
                )
                .await;
        }
        let reason = world.mark(owner, NOT_REPORTER, format!("{p}-WONTFIX-d1s3"));
        let line = world.lines[1].clone();
        world
            .seed_change(
                Who::Team,
                owner,
                Method::PUT,
                &format!("/affected/{line}"),
                json!({ "status": "wont-fix", "reason": reason }),
            )
            .await;
        let mut notes = vec![
            (
                Who::Team,
                "internal",
                world.mark(owner, INTERNAL, format!("{p}-INTERNAL-a9s8")),
            ),
            (
                Who::Team,
                "collaborators",
                world.mark(owner, NOT_REPORTER, format!("{p}-COLLAB-c5x4")),
            ),
            (
                Who::Team,
                "reporter",
                world.mark(owner, EVERY_ACCESS, format!("{p}-TOREPORTER-f1t0")),
            ),
        ];
        if owner == Owner::A {
            notes.push((
                Who::EngineerInvited,
                "internal",
                world.mark(owner, INTERNAL, format!("{p}-ENGNOTE-b7v6")),
            ));
        }
        for (who, visibility, body) in notes {
            world
                .seed_change(
                    who,
                    owner,
                    Method::POST,
                    "/messages",
                    json!({ "visibility": visibility, "body": body }),
                )
                .await;
        }
        // Files in the thread: an internal note's and a collaborators' message's.
        let note_file = world.mark(owner, INTERNAL, format!("{p}-NOTEFILE-g6h5"));
        let col_file = world.mark(owner, NOT_REPORTER, format!("{p}-COLFILE-k2j3"));
        for (visibility, file_name, content) in [
            ("internal", "note.txt", &note_file),
            ("collaborators", "shared.txt", &col_file),
        ] {
            world
                .seed_change(
                    Who::Team,
                    owner,
                    Method::POST,
                    "/messages",
                    json!({
                        "visibility": visibility,
                        "body": "",
                        "files": [{ "name": file_name, "content_base64": b64(content) }],
                    }),
                )
                .await;
        }
        let files = world
            .team_get(&format!("/api/v1/cases/{}/files", world.ids[i]))
            .await;
        world.note_messages[i] = files
            .as_array()
            .expect("a list")
            .iter()
            .find(|f| f["name"] == "note.txt")
            .and_then(|f| f["message"].as_str())
            .expect("the note's file")
            .to_owned();
        let reports = world.team_get("/api/v1/reports?limit=1000").await;
        world.reports[i] = reports
            .as_array()
            .expect("a list")
            .iter()
            .find(|r| r["tracking_id"].as_str() == Some(world.tracking[i].as_str()))
            .and_then(|r| r["id"].as_str())
            .expect("the case's report")
            .to_owned();
        let title = world.mark(owner, TEAM, format!("{p}-ADVISORY-TITLE-o9i8"));
        let text = world.mark(owner, TEAM, format!("{p}-ADVISORY-TEXT-u7y6"));
        let path = format!("/api/v1/cases/{}/advisory", world.ids[i]);
        world
            .call(
                Who::Team,
                Method::PUT,
                &path,
                Some(json!({ "title": title, "summary": "Heap overflow.", "description": text })),
            )
            .await
            .expect(200);
    }
    for line in [0, 2] {
        let r = world
            .call(
                Who::Team,
                Method::POST,
                "/api/v1/releases",
                Some(json!({ "release_line": world.lines[line] })),
            )
            .await
            .expect(201);
        world
            .releases
            .push(r.json["id"].as_str().expect("an id").to_owned());
    }
    world
}

/// The document's operations, each with its row of the matrix; a difference either way fails,
/// naming the operations.
async fn operations_with_rows(world: &World) -> Vec<Operation> {
    let doc = world
        .call(Who::Anonymous, Method::GET, "/api/openapi.json", None)
        .await
        .expect(200)
        .json;
    let rows: BTreeMap<&str, &str> = MATRIX.iter().copied().collect();
    assert_eq!(rows.len(), MATRIX.len(), "an operation has two rows");
    let mut ops = Vec::new();
    let mut missing = Vec::new();
    for (method, path, op) in operations(&doc) {
        let key = format!("{method} {path}");
        let Some(row) = rows.get(key.as_str()) else {
            missing.push(key);
            continue;
        };
        let success = op["responses"]
            .as_object()
            .expect("responses")
            .keys()
            .find_map(|s| s.parse::<u16>().ok().filter(|s| (200..300).contains(s)))
            .unwrap_or_else(|| panic!("{key}: no success status"));
        ops.push(Operation {
            row: parse_row(&key, row),
            has_case: path.contains("{case}"),
            key,
            method,
            success,
        });
    }
    assert!(
        missing.is_empty(),
        "operations of the API document without a row in the access matrix: {missing:#?}"
    );
    let documented: BTreeSet<&str> = ops.iter().map(|o| o.key.as_str()).collect();
    let stale: Vec<&str> = rows
        .keys()
        .copied()
        .filter(|k| !documented.contains(k))
        .collect();
    assert!(
        stale.is_empty(),
        "rows of the access matrix the API document does not list: {stale:#?}"
    );
    ops
}

/// Calls `op` as every principal on each target, refusals first, then the calls that must
/// succeed; checks every status and every body, and that the refusals changed nothing.
async fn run_operation(world: &mut World, op: &Operation) {
    let targets: Vec<Option<Owner>> = if op.has_case {
        vec![Some(Owner::A), Some(Owner::B)]
    } else {
        vec![None]
    };
    for target in targets {
        let expect = |who: Who| {
            let (own, other) = op.row[&who];
            if target == Some(Owner::B) { other } else { own }
        };
        let (refused, allowed): (Vec<Who>, Vec<Who>) = EVERYONE
            .iter()
            .partition(|w| expect(**w) != Expect::Success);
        let before = if op.safe() || refused.is_empty() {
            None
        } else {
            Some(world.fingerprint().await)
        };
        for who in refused {
            call_one(world, op, who, target, expect(who)).await;
        }
        if let Some(before) = before {
            let after = world.fingerprint().await;
            let parts = |v: &Value| v.as_array().cloned().unwrap_or_default();
            for (i, (b, a)) in parts(&before).iter().zip(parts(&after).iter()).enumerate() {
                assert!(
                    a == b,
                    "{} on {target:?}: refused, yet part {i} of the state changed:\nbefore {b}\nafter  {a}",
                    op.key
                );
            }
        }
        for who in allowed {
            call_one(world, op, who, target, expect(who)).await;
        }
    }
}

async fn call_one(
    world: &mut World,
    op: &Operation,
    who: Who,
    target: Option<Owner>,
    expect: Expect,
) {
    let req = world.request(op, who, target).await;
    let http = match req.source {
        Some(source) => client_from(source),
        None => world.http.clone(),
    };
    let r = world
        .send(&http, who, op.method.clone(), &req.path, req.body.as_ref())
        .await;
    let what = format!("{} {}", op.method, req.path);
    let want = match expect {
        Expect::Success => op.success,
        Expect::Status(s) => s,
    };
    assert_eq!(
        r.status,
        want,
        "{what} as {} (row {:?}, case {target:?}): {}",
        who.name(),
        op.key,
        r.text
    );
    if want >= 400 {
        assert!(
            !r.code().is_empty(),
            "{what} as {}: not the error shape: {}",
            who.name(),
            r.text
        );
    } else {
        *world.successes.entry((op.key.clone(), target)).or_insert(0) += 1;
    }
    world.check_markers(who, &what, &r.text);
}

#[tokio::test]
async fn every_operation_of_the_api_answers_every_principal_as_the_access_matrix_says() {
    let mut world = seed().await;
    let ops = operations_with_rows(&world).await;

    // The team sees every seeded marker (in the cases and their files), so the sweep below can
    // fail.
    let mut team_views = format!(
        "{}{}",
        world.case(Owner::A).await,
        world.case(Owner::B).await
    );
    for owner in [Owner::A, Owner::B] {
        let i = case_index(owner);
        let id = world.ids[i].clone();
        let files = world.team_get(&format!("/api/v1/cases/{id}/files")).await;
        let mut downloads: Vec<String> = files
            .as_array()
            .expect("a list")
            .iter()
            .map(|f| f["href"].as_str().expect("a link").to_owned())
            .collect();
        downloads.push(format!(
            "/api/v1/cases/{id}/reports/{}/files/0",
            world.reports[i]
        ));
        for path in downloads {
            let r = world.call(Who::Team, Method::GET, &path, None).await;
            team_views.push_str(&r.expect(200).text);
        }
    }
    let later: Vec<&str> = VECTORS
        .iter()
        .flat_map(|v| v[2..].iter().copied())
        .collect();
    for m in &world.markers {
        // Advisories are not part of the case view, and the later vectors are not set yet.
        if !m.seen_by.contains(&Access::Engineer) || later.contains(&m.text.as_str()) {
            continue;
        }
        // The tracking id is not part of the case view either.
        if world.tracking.contains(&m.text) {
            continue;
        }
        assert!(
            team_views.contains(&m.text),
            "{} missing in {team_views}",
            m.text
        );
    }

    // Reads first, on the seeded cases; then the changes, shipping last.
    let mut order: Vec<&Operation> = ops.iter().filter(|o| o.safe()).collect();
    let mut changes: Vec<&Operation> = ops.iter().filter(|o| !o.safe()).collect();
    changes.sort_by_key(|o| o.key.ends_with("/ship"));
    order.extend(changes);
    for op in &order {
        run_operation(&mut world, op).await;
    }

    // Then every read again, now that the changes are in: nothing they wrote leaks either.
    for op in ops.iter().filter(|o| o.safe()) {
        run_operation(&mut world, op).await;
    }
    let a = world.case(Owner::A).await.to_string();
    for note in [
        "MARKA-NOTE-admin",
        "MARKA-NOTE-team",
        "MARKA-NOTE-engineer-invited",
    ] {
        assert!(a.contains(note), "{note} missing in {a}");
    }
    let reporter_view = world
        .call(
            Who::ReporterOwn,
            Method::GET,
            &format!("/api/v1/cases/{}", world.ids[0]),
            None,
        )
        .await
        .expect(200)
        .text;
    for seen in ["MARKA-TITLE-q8w2", "MARKA-TOREPORTER-f1t0"] {
        assert!(
            reporter_view.contains(seen),
            "{seen} missing in {reporter_view}"
        );
    }
}
