//! CVSS v3.x metric definitions (v3.1 specification sections 2 to 4; v3.0
//! defines the same metrics and values).
//!
//! Value order matters: each modified metric lists `X` then exactly the
//! values of the base metric it modifies, so `M?` index `k > 0` is base index
//! `k - 1`. Scoring weights in `score.rs` follow these orders.

use crate::metric::{MetricGroup, MetricInfo, NOT_DEFINED, ValueInfo, v};

use MetricGroup::{Base, Environmental, Temporal};

const AV: &[ValueInfo] = &[
    v(
        "N",
        "Network",
        "Bound to the network stack; exploitable remotely, across routers (OSI layer 3).",
    ),
    v(
        "A",
        "Adjacent",
        "Bound to the network stack but limited to a shared physical or logical network, such as the same subnet or Bluetooth.",
    ),
    v(
        "L",
        "Local",
        "Not bound to the network stack: the attacker needs local access, or a user to open a file.",
    ),
    v(
        "P",
        "Physical",
        "The attacker must physically touch or manipulate the vulnerable component.",
    ),
];
const AC: &[ValueInfo] = &[
    v(
        "L",
        "Low",
        "No specialized conditions: the attacker can expect repeatable success.",
    ),
    v(
        "H",
        "High",
        "Success depends on conditions beyond the attacker's control, such as gathering target knowledge or winning a race.",
    ),
];
const PR: &[ValueInfo] = &[
    v(
        "N",
        "None",
        "The attacker is unauthorized before the attack.",
    ),
    v(
        "L",
        "Low",
        "The attacker needs basic user privileges over settings and files the user owns.",
    ),
    v(
        "H",
        "High",
        "The attacker needs significant (e.g. administrative) privileges.",
    ),
];
const UI: &[ValueInfo] = &[
    v("N", "None", "Exploitable without any user's interaction."),
    v(
        "R",
        "Required",
        "A user must take some action before the vulnerability can be exploited.",
    ),
];
const S: &[ValueInfo] = &[
    v(
        "U",
        "Unchanged",
        "Only resources managed by the same security authority can be affected.",
    ),
    v(
        "C",
        "Changed",
        "The exploited vulnerability can affect resources beyond the vulnerable component's security scope.",
    ),
];
const CIA: &[ValueInfo] = &[
    v(
        "H",
        "High",
        "Total loss, or a serious direct consequence, for the impacted component.",
    ),
    v(
        "L",
        "Low",
        "Some loss; the attacker has limited control or the effect is not serious.",
    ),
    v("N", "None", "No loss within the impacted component."),
];
const E: &[ValueInfo] = &[
    NOT_DEFINED,
    v(
        "H",
        "High",
        "Functional autonomous code exists, or no exploit is needed, and details are widely available.",
    ),
    v(
        "F",
        "Functional",
        "Functional exploit code is available and works in most situations.",
    ),
    v(
        "P",
        "Proof-of-Concept",
        "Proof-of-concept code exists, or a demonstration is not practical for most systems.",
    ),
    v(
        "U",
        "Unproven",
        "No exploit code is available, or an exploit is theoretical.",
    ),
];
const RL: &[ValueInfo] = &[
    NOT_DEFINED,
    v(
        "U",
        "Unavailable",
        "There is no solution available or it is impossible to apply.",
    ),
    v(
        "W",
        "Workaround",
        "An unofficial, non-vendor solution is available.",
    ),
    v(
        "T",
        "Temporary Fix",
        "An official but temporary fix is available.",
    ),
    v(
        "O",
        "Official Fix",
        "A complete vendor solution is available: an official patch or an upgrade.",
    ),
];
const RC: &[ValueInfo] = &[
    NOT_DEFINED,
    v(
        "C",
        "Confirmed",
        "Detailed reports exist, or the vulnerability can be reproduced, or the author or vendor confirmed it.",
    ),
    v(
        "R",
        "Reasonable",
        "Significant details are published, but the root cause is not fully confirmed.",
    ),
    v(
        "U",
        "Unknown",
        "There are reports of impacts, but the cause is unknown or reports differ.",
    ),
];
const REQ: &[ValueInfo] = &[
    NOT_DEFINED,
    v(
        "H",
        "High",
        "Loss of this property is likely to have a catastrophic adverse effect on the organization.",
    ),
    v(
        "M",
        "Medium",
        "Loss of this property is likely to have a serious adverse effect on the organization.",
    ),
    v(
        "L",
        "Low",
        "Loss of this property is likely to have only a limited adverse effect on the organization.",
    ),
];
const MAV: &[ValueInfo] = &[NOT_DEFINED, AV[0], AV[1], AV[2], AV[3]];
const MAC: &[ValueInfo] = &[NOT_DEFINED, AC[0], AC[1]];
const MPR: &[ValueInfo] = &[NOT_DEFINED, PR[0], PR[1], PR[2]];
const MUI: &[ValueInfo] = &[NOT_DEFINED, UI[0], UI[1]];
const MS: &[ValueInfo] = &[NOT_DEFINED, S[0], S[1]];
const MCIA: &[ValueInfo] = &[NOT_DEFINED, CIA[0], CIA[1], CIA[2]];

const fn m(
    abbrev: &'static str,
    name: &'static str,
    group: MetricGroup,
    description: &'static str,
    values: &'static [ValueInfo],
) -> MetricInfo {
    MetricInfo {
        abbrev,
        name,
        description,
        group,
        mandatory: matches!(group, MetricGroup::Base),
        values,
    }
}

/// Modified base metric description (v3.1 specification section 4.2).
const MODIFIED: &str =
    "Overrides the base metric of the same name for this environment; X keeps the base value.";

/// Every CVSS v3.x metric in the canonical order of the v3.1 specification,
/// section 6, Table 15.
pub static METRICS: &[MetricInfo; 22] = &[
    m(
        "AV",
        "Attack Vector",
        Base,
        "The context by which exploitation is possible: the more remote the attacker can be, the higher the score (section 2.1.1).",
        AV,
    ),
    m(
        "AC",
        "Attack Complexity",
        Base,
        "Conditions beyond the attacker's control that must exist to exploit the vulnerability (section 2.1.2).",
        AC,
    ),
    m(
        "PR",
        "Privileges Required",
        Base,
        "The level of privileges an attacker must possess before exploiting the vulnerability (section 2.1.3).",
        PR,
    ),
    m(
        "UI",
        "User Interaction",
        Base,
        "Whether a user other than the attacker must participate in the compromise (section 2.1.4).",
        UI,
    ),
    m(
        "S",
        "Scope",
        Base,
        "Whether the vulnerability can affect resources beyond its own security scope (section 2.2).",
        S,
    ),
    m(
        "C",
        "Confidentiality",
        Base,
        "Impact on the confidentiality of the information the impacted component manages (section 2.3.1).",
        CIA,
    ),
    m(
        "I",
        "Integrity",
        Base,
        "Impact on the trustworthiness and veracity of information (section 2.3.2).",
        CIA,
    ),
    m(
        "A",
        "Availability",
        Base,
        "Impact on the availability of the impacted component (section 2.3.3).",
        CIA,
    ),
    m(
        "E",
        "Exploit Code Maturity",
        Temporal,
        "The likelihood of the vulnerability being attacked, from the state of exploit techniques and code (section 3.1).",
        E,
    ),
    m(
        "RL",
        "Remediation Level",
        Temporal,
        "The kind of remediation available (section 3.2).",
        RL,
    ),
    m(
        "RC",
        "Report Confidence",
        Temporal,
        "The degree of confidence in the existence of the vulnerability and the credibility of its details (section 3.3).",
        RC,
    ),
    m(
        "CR",
        "Confidentiality Requirement",
        Environmental,
        "The importance of the affected asset's confidentiality to the organization (section 4.1).",
        REQ,
    ),
    m(
        "IR",
        "Integrity Requirement",
        Environmental,
        "The importance of the affected asset's integrity to the organization (section 4.1).",
        REQ,
    ),
    m(
        "AR",
        "Availability Requirement",
        Environmental,
        "The importance of the affected asset's availability to the organization (section 4.1).",
        REQ,
    ),
    m(
        "MAV",
        "Modified Attack Vector",
        Environmental,
        MODIFIED,
        MAV,
    ),
    m(
        "MAC",
        "Modified Attack Complexity",
        Environmental,
        MODIFIED,
        MAC,
    ),
    m(
        "MPR",
        "Modified Privileges Required",
        Environmental,
        MODIFIED,
        MPR,
    ),
    m(
        "MUI",
        "Modified User Interaction",
        Environmental,
        MODIFIED,
        MUI,
    ),
    m("MS", "Modified Scope", Environmental, MODIFIED, MS),
    m(
        "MC",
        "Modified Confidentiality",
        Environmental,
        MODIFIED,
        MCIA,
    ),
    m("MI", "Modified Integrity", Environmental, MODIFIED, MCIA),
    m("MA", "Modified Availability", Environmental, MODIFIED, MCIA),
];

/// The metric groups of CVSS v3.x, in specification order.
pub static GROUPS: &[MetricGroup] = &[Base, Temporal, Environmental];
