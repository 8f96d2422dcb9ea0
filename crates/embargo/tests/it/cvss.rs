//! `embargo cvss score|explain` as a user runs it.

use std::io::Write;
use std::process::{Command, Stdio};

fn embargo() -> Command {
    Command::new(env!("CARGO_BIN_EXE_embargo"))
}

#[test]
fn score_prints_one_json_object_per_input_in_order_and_fails_at_the_end_on_bad_input() {
    let mut child = embargo()
        .args([
            "cvss",
            "score",
            "--stdin",
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
            "cvss:3.1/av:n",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(
            b"\nCVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N\r\nAV:N/AC:L/Au:N/C:P/I:P/A:P\n",
        )
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1), "one input was invalid");
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[0]["base"], 9.8);
    assert_eq!(lines[0]["environmental_severity"], "Critical");
    assert_eq!(lines[1]["input"], "cvss:3.1/av:n");
    let error = lines[1]["error"].as_str().unwrap();
    assert!(error.contains("\"cvss\" at 0"), "{error}");
    assert_eq!(lines[2]["score"], 9.3);
    assert_eq!(lines[2]["macrovector"], "000200");
    assert_eq!(lines[3]["version"], "2.0");
    assert_eq!(lines[3]["base"], 7.5);
    assert!(lines[3]["temporal"].is_null());
}

#[test]
fn score_exits_zero_when_every_input_is_valid() {
    let out = embargo()
        .args([
            "cvss",
            "score",
            "CVSS:3.0/AV:L/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
}

#[test]
fn explain_names_the_metrics_and_the_sub_scores() {
    let out = embargo()
        .args([
            "cvss",
            "explain",
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("Attack Vector"), "{text}");
    assert!(text.contains("10.0"), "{text}");
    let bad = embargo()
        .args(["cvss", "explain", "CVSS:3.1/AV:N"])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).starts_with("error: "));
}
