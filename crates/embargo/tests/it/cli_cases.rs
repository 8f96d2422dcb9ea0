//! The case workflow from the operator's command line.

use embargo_testkit::TestDb;

use crate::support::embargo;

fn run(t: &TestDb, dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    let mut cmd = embargo(dir);
    cmd.env("EMBARGO_DATABASE_URL", &t.url).args(args);
    cmd.output().unwrap()
}

fn ok(out: &std::process::Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

#[tokio::test]
async fn an_operator_lists_reports_and_cases_and_moves_a_case_from_the_command_line() {
    let t = TestDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    ok(&run(&t, dir.path(), &["demo"]));

    let reports: serde_json::Value = serde_json::from_str(&ok(&run(
        &t,
        dir.path(),
        &["reports", "list", "--format", "json"],
    )))
    .unwrap();
    assert_eq!(reports.as_array().unwrap().len(), 12);
    assert!(
        reports[0]["tracking_id"]
            .as_str()
            .unwrap()
            .starts_with("EMB-")
    );

    let queue: serde_json::Value = serde_json::from_str(&ok(&run(
        &t,
        dir.path(),
        &["cases", "list", "--state", "triage", "--format", "json"],
    )))
    .unwrap();
    let queue = queue.as_array().unwrap();
    assert_eq!(queue.len(), 1);
    let id = queue[0]["id"].as_str().unwrap().to_owned();

    // By tracking id too.
    let tracking = reports
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["case"] == id.as_str())
        .unwrap()["tracking_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let shown: serde_json::Value = serde_json::from_str(&ok(&run(
        &t,
        dir.path(),
        &["cases", "show", &tracking, "--format", "json"],
    )))
    .unwrap();
    assert_eq!(shown["id"], id.as_str());
    assert_eq!(shown["state"], "triage");
    let version = shown["version"].as_i64().unwrap();

    // Refused: not allowed from triage; named with what is allowed.
    let refused = run(&t, dir.path(), &["cases", "transition", &id, "released"]);
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("allowed: accepted, rejected, needs-info"),
        "{stderr}"
    );

    // Refused: a stale version.
    let stale = run(
        &t,
        dir.path(),
        &[
            "cases",
            "transition",
            &id,
            "accepted",
            "--expected-version",
            &(version - 1).to_string(),
        ],
    );
    assert!(!stale.status.success());
    assert!(String::from_utf8_lossy(&stale.stderr).contains("changed since it was read"));

    let moved = ok(&run(
        &t,
        dir.path(),
        &[
            "cases",
            "transition",
            &id,
            "accepted",
            "--expected-version",
            &version.to_string(),
        ],
    ));
    assert!(moved.contains("is now accepted"), "{moved}");
    let after: serde_json::Value = serde_json::from_str(&ok(&run(
        &t,
        dir.path(),
        &["cases", "show", &id, "--format", "json"],
    )))
    .unwrap();
    assert_eq!(after["state"], "accepted");
    assert_eq!(after["version"].as_i64().unwrap(), version + 1);
}

#[tokio::test]
async fn the_catalog_is_managed_from_the_command_line_and_bad_versions_are_refused() {
    let t = TestDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    ok(&run(&t, dir.path(), &["demo"]));
    ok(&run(
        &t,
        dir.path(),
        &[
            "catalog",
            "set-latest",
            "gateway",
            "enterprise",
            "3.4.x",
            "3.4.1.2",
        ],
    ));
    ok(&run(
        &t,
        dir.path(),
        &[
            "catalog",
            "set-component",
            "gateway",
            "oss",
            "3.4.x",
            "openssl",
            "3.2.2",
        ],
    ));
    ok(&run(
        &t,
        dir.path(),
        &[
            "catalog",
            "add-line",
            "gateway",
            "oss",
            "3.5.x",
            "--scheme",
            "three-part",
            "--latest",
            "3.5.0",
            "--support-ends",
            "2028-01-31",
        ],
    ));
    let lines: serde_json::Value = serde_json::from_str(&ok(&run(
        &t,
        dir.path(),
        &["catalog", "list", "--format", "json"],
    )))
    .unwrap();
    let find = |edition: &str, line: &str| {
        lines
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["edition"] == edition && l["line"] == line)
            .cloned()
            .unwrap()
    };
    assert_eq!(find("Enterprise", "3.4.x")["next_patch"], "3.4.1.3");
    assert_eq!(find("OSS", "3.5.x")["next_patch"], "3.5.1");
    assert!(
        find("OSS", "3.4.x")["components"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!("openssl 3.2.2"))
    );

    for (args, expect) in [
        (
            vec![
                "catalog",
                "set-latest",
                "gateway",
                "enterprise",
                "3.4.x",
                "3.4.2",
            ],
            "version",
        ),
        (
            vec![
                "catalog",
                "set-latest",
                "gateway",
                "enterprise",
                "3.4.x",
                "3.5.0.1",
            ],
            "3.4.x",
        ),
        (
            vec!["catalog", "set-latest", "gateway", "oss", "9.9.x", "9.9.1"],
            "no release line",
        ),
        (
            vec![
                "catalog",
                "add-line",
                "gateway",
                "oss",
                "3.6",
                "--scheme",
                "three-part",
            ],
            "3.6",
        ),
        (
            vec![
                "catalog", "add-line", "gateway", "oss", "3.6.x", "--scheme", "calver",
            ],
            "scheme",
        ),
    ] {
        let out = run(&t, dir.path(), &args);
        assert!(!out.status.success(), "{args:?} succeeded");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(expect), "{args:?}: {stderr}");
    }
}
