//! JSON reports and explanations.

use embargo_cvss::Cvss;
use embargo_cvss::report::{explain, score_line};

/// `text` with every run of spaces collapsed to one, so layout changes do not break tests.
fn squeeze(text: &str) -> String {
    text.lines()
        .map(|l| {
            l.split(' ')
                .filter(|w| !w.is_empty())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn check(input: &str, expect: &str) {
    assert_eq!(score_line(input).to_string(), expect, "input: {input:?}");
}

#[test]
fn v31_reports_all_three_scores_as_first_shows_them() {
    check(
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        r#"{"vector":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H","version":"3.1","base":9.8,"temporal":9.8,"environmental":9.8,"base_severity":"Critical","temporal_severity":"Critical","environmental_severity":"Critical"}"#,
    );
    // From the reference data: temporal 4.0 and environmental 0.0 with MC:N.
    check(
        "CVSS:3.1/AV:P/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N/E:F/RL:W/RC:C/IR:H/MPR:N/MUI:R/MS:C/MC:N",
        r#"{"vector":"CVSS:3.1/AV:P/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N/E:F/RL:W/RC:C/IR:H/MPR:N/MUI:R/MS:C/MC:N","version":"3.1","base":4.2,"temporal":4.0,"environmental":0.0,"base_severity":"Medium","temporal_severity":"Medium","environmental_severity":"None"}"#,
    );
}

#[test]
fn v2_reports_null_for_groups_without_defined_metrics() {
    check(
        "AV:L/AC:H/Au:M/C:P/I:N/A:C",
        r#"{"vector":"AV:L/AC:H/Au:M/C:P/I:N/A:C","version":"2.0","base":4.4,"temporal":null,"environmental":null,"base_severity":"Medium","temporal_severity":null,"environmental_severity":null}"#,
    );
    check(
        "AV:A/AC:L/Au:M/C:C/I:N/A:C/E:H/RL:U/RC:C/CDP:MH/TD:ND/CR:H/IR:L/AR:L",
        r#"{"vector":"AV:A/AC:L/Au:M/C:C/I:N/A:C/E:H/RL:U/RC:C/CDP:MH/CR:H/IR:L/AR:L","version":"2.0","base":6.7,"temporal":6.7,"environmental":8.3,"base_severity":"Medium","temporal_severity":"Medium","environmental_severity":"High"}"#,
    );
}

#[test]
fn v4_reports_score_nomenclature_and_macrovector() {
    check(
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:L",
        r#"{"vector":"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:L","version":"4.0","score":6.9,"nomenclature":"CVSS-B","severity":"Medium","macrovector":"002201"}"#,
    );
}

#[test]
fn invalid_input_reports_the_input_and_error_escaped() {
    check(
        "CVSS:3.1/AV:\"x\"\\",
        r#"{"input":"CVSS:3.1/AV:\"x\"\\","error":"CVSS:3.1/AV:\"x\"\\: invalid value \"\\\"x\\\"\\\\\" for metric AV at 9, allowed: N, A, L, P"}"#,
    );
    check(
        "AV:N\u{1}",
        r#"{"input":"AV:N\u0001","error":"AV:N\\u{1}: invalid value \"N\\u{1}\" for metric AV at 0, allowed: L, A, N"}"#,
    );
    assert!(!score_line("nonsense").is_valid());
    assert!(score_line("AV:N/AC:L/Au:N/C:P/I:P/A:P").is_valid());
}

#[test]
fn explanation_lists_metrics_sub_scores_and_scores() {
    let cvss: Cvss = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:P"
        .parse()
        .unwrap();
    let text = squeeze(&explain(&cvss).to_string());
    for needle in [
        "CVSS 3.1 vector CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:P",
        "Attack Vector (AV)",
        "Attack Vector (AV) N Network",
        "Exploit Code Maturity (E)",
        "Proof-of-Concept",
        "Impact sub-score (ISS) 0.9148",
        "Exploitability 3.8870",
        "Base 9.8 Critical",
        "Temporal 9.3 Critical",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
    }

    let cvss: Cvss = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:L"
        .parse()
        .unwrap();
    let text = squeeze(&explain(&cvss).to_string());
    for needle in [
        "MacroVector 002201 (EQ1=0 EQ2=0 EQ3=2 EQ4=2 EQ5=0 EQ6=1), MacroVector score 6.9",
        "EQ4 (SC/SI/SA) distance 2 of depth 4; no lower MacroVector",
        "CVSS-B 6.9 Medium",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
    }
}
