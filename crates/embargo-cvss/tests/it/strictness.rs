//! Strict parsing: every malformed vector is rejected with an error that
//! names the metric and its byte offset.

use embargo_cvss::{Cvss, ErrorKind};

/// Parses `input` and compares the outcome, `Ok(canonical vector)` or
/// `Err(message)`, with `expect`.
fn check(input: &str, expect: &str) {
    let got = match input.parse::<Cvss>() {
        Ok(c) => format!("ok {c}"),
        Err(e) => format!("err {e}"),
    };
    assert_eq!(got, expect, "input: {input:?}");
}

const V31: &str = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H";
const V40: &str = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N";

#[test]
fn valid_vectors_of_each_version_parse_to_their_canonical_form() {
    check(V31, &format!("ok {V31}"));
    check(V40, &format!("ok {V40}"));
    check(
        "AV:N/AC:L/Au:N/C:P/I:P/A:P",
        "ok AV:N/AC:L/Au:N/C:P/I:P/A:P",
    );
    check(
        "CVSS:3.0/AV:L/AC:H/PR:L/UI:R/S:C/C:L/I:N/A:N",
        "ok CVSS:3.0/AV:L/AC:H/PR:L/UI:R/S:C/C:L/I:N/A:N",
    );
}

#[test]
fn v3_accepts_any_order_and_prints_the_canonical_order() {
    check(
        "CVSS:3.1/A:H/I:H/C:H/S:U/UI:N/PR:N/AC:L/AV:N/E:P",
        &format!("ok {V31}/E:P"),
    );
}

#[test]
fn not_defined_metrics_are_accepted_and_left_out_of_the_canonical_form() {
    check(&format!("{V31}/E:X/RL:X/MAV:X"), &format!("ok {V31}"));
    check(&format!("{V40}/E:X/CR:X/MSI:X/U:X"), &format!("ok {V40}"));
    check(
        "AV:N/AC:L/Au:N/C:P/I:P/A:P/E:ND/RL:OF/RC:ND",
        "ok AV:N/AC:L/Au:N/C:P/I:P/A:P/RL:OF",
    );
}

#[test]
fn missing_base_metric_is_named_with_its_position() {
    check(
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H",
        "err CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H: mandatory metric A missing at 40",
    );
    // v4.0 is ordered, so the gap is found where the next metric stands.
    check(
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/SC:N/SI:N/SA:N",
        "err CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/SC:N…: mandatory metric VA missing at 44",
    );
    check("CVSS:3.1", "err CVSS:3.1: mandatory metric AV missing at 8");
    check(
        "AV:N/AC:L/C:P/I:P/A:P",
        "err AV:N/AC:L/C:P…: mandatory metric Au missing at 10",
    );
}

#[test]
fn lowercase_values_and_names_are_rejected() {
    check(
        "CVSS:3.1/AV:n/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        "err CVSS:3.1/AV:n…: invalid value \"n\" for metric AV at 9, allowed: N, A, L, P",
    );
    check(
        "CVSS:3.1/av:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        "err CVSS:3.1/av:N…: unknown metric \"av\" at 9 for CVSS 3.1",
    );
    check(
        "cvss:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        "err cvss:3.1…: unknown metric \"cvss\" at 0 for CVSS 2.0",
    );
}

#[test]
fn a_metric_given_twice_is_rejected_with_both_positions() {
    check(
        "CVSS:3.1/AV:N/AV:L/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        "err CVSS:3.1/AV:N/AV:L…: metric AV given twice at 14 (first at 9)",
    );
    check(
        &format!("{V40}/E:A/E:A"),
        "err CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:A/E:A: metric E given twice at 68 (first at 64)",
    );
}

#[test]
fn v4_metrics_out_of_canonical_order_are_rejected() {
    check(
        "CVSS:4.0/AC:L/AV:N/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
        "err CVSS:4.0/AC:L/AV:N…: metric AV at 14 is out of order: it must come before AC",
    );
    check(
        &format!("{V40}/CR:H/E:A"),
        "err CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/CR:H/E:A: metric E at 69 is out of order: it must come before CR",
    );
}

#[test]
fn v2_metrics_out_of_order_are_rejected() {
    check(
        "AC:L/AV:N/Au:N/C:P/I:P/A:P",
        "err AC:L/AV:N…: metric AV at 5 is out of order: it must come before AC",
    );
}

#[test]
fn safety_is_a_value_of_the_modified_subsequent_metrics_only() {
    check(
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:S/SA:N",
        "err CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:S…: invalid value \"S\" for metric SI at 54, allowed: H, L, N",
    );
    check(&format!("{V40}/MSI:S"), &format!("ok {V40}/MSI:S"));
}

#[test]
fn unknown_metrics_are_rejected() {
    check(
        &format!("{V31}/XX:Y"),
        "err CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/XX:Y: unknown metric \"XX\" at 45 for CVSS 3.1",
    );
    // A v4.0 metric in a v3.1 vector.
    check(
        "CVSS:3.1/AV:N/AC:L/AT:N/PR:N/UI:N/S:U/C:H/I:H/A:H",
        "err CVSS:3.1/AV:N/AC:L/AT:N…: unknown metric \"AT\" at 19 for CVSS 3.1",
    );
}

#[test]
fn bad_prefixes_are_rejected() {
    check(
        "CVSS:3.2/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        "err CVSS:3.2…: unknown prefix \"CVSS:3.2\" at 0, expected CVSS:3.0/, CVSS:3.1/, CVSS:4.0/ or a v2 vector without prefix",
    );
    check(
        "CVSS:2.0/AV:N/AC:L/Au:N/C:P/I:P/A:P",
        "err CVSS:2.0…: unknown prefix \"CVSS:2.0\" at 0, expected CVSS:3.0/, CVSS:3.1/, CVSS:4.0/ or a v2 vector without prefix",
    );
    // A v3.1 vector handed to the v4.0 parser.
    let e = V31.parse::<embargo_cvss::v4::Vector>().unwrap_err();
    assert_eq!(
        e.to_string(),
        "CVSS:3.1…: unknown prefix \"CVSS:3.1\" at 0, expected CVSS:4.0/"
    );
}

#[test]
fn trailing_leading_and_doubled_slashes_are_rejected() {
    check(
        &format!("{V31}/"),
        "err CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/: empty metric at 45 (doubled, leading or trailing '/')",
    );
    check(
        "CVSS:3.1/AV:N//AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        "err CVSS:3.1/AV:N/…: empty metric at 14 (doubled, leading or trailing '/')",
    );
    check(
        "/AV:N/AC:L/Au:N/C:P/I:P/A:P",
        "err …: empty metric at 0 (doubled, leading or trailing '/')",
    );
}

#[test]
fn empty_input_is_rejected() {
    check("", "err empty CVSS vector string");
    assert_eq!("".parse::<Cvss>().unwrap_err().kind(), &ErrorKind::Empty);
}

#[test]
fn malformed_components_and_stray_whitespace_are_rejected() {
    check(
        "CVSS:3.1/AVN/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        "err CVSS:3.1/AVN…: malformed metric \"AVN\" at 9, expected NAME:VALUE",
    );
    check(
        "CVSS:3.1/AV:N:L/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        "err CVSS:3.1/AV:N:L…: invalid value \"N:L\" for metric AV at 9, allowed: N, A, L, P",
    );
    check(
        &format!("{V31}\n"),
        "err CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\\n: invalid value \"H\\n\" for metric A at 41, allowed: H, L, N",
    );
}

#[test]
fn errors_expose_the_metric_and_position_as_values() {
    let e = "CVSS:3.1/AV:N/AV:L/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
        .parse::<Cvss>()
        .unwrap_err();
    assert_eq!(e.metric(), Some("AV"));
    assert_eq!(e.position(), 14);
    assert_eq!(
        e.kind(),
        &ErrorKind::DuplicateMetric {
            metric: "AV",
            position: 14,
            first: 9
        }
    );
}
