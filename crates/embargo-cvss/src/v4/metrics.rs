//! CVSS v4.0 metric definitions (specification sections 2 to 5).
//!
//! Value order matters: each modified metric lists `X` then the values of the
//! base metric it modifies (MSI and MSA add `S`, Safety, right after `X`, as
//! FIRST's calculator shows them). Scoring in `score.rs` follows these orders.

use crate::metric::{MetricGroup, MetricInfo, NOT_DEFINED, ValueInfo, v};

use MetricGroup::{Base, Environmental, Supplemental, Threat};

const AV: &[ValueInfo] = &[
    v(
        "N",
        "Network",
        "Bound to the network stack; exploitable remotely, across routers (OSI layer 3).",
    ),
    v(
        "A",
        "Adjacent",
        "Bound to a protocol stack but limited to a shared physical or logical network, such as Bluetooth, a local subnet or an administrative domain.",
    ),
    v(
        "L",
        "Local",
        "Not bound to the network stack: the attacker needs local access, or relies on a user to open a file (User Interaction).",
    ),
    v(
        "P",
        "Physical",
        "The attacker must physically touch or manipulate the vulnerable system.",
    ),
];
const AC: &[ValueInfo] = &[
    v(
        "L",
        "Low",
        "The attacker must take no measurable action to defeat security-enhancing conditions.",
    ),
    v(
        "H",
        "High",
        "Success depends on evading or circumventing security-enhancing techniques such as ASLR or DEP, or on obtaining target-specific secrets.",
    ),
];
const AT: &[ValueInfo] = &[
    v(
        "N",
        "None",
        "Success does not depend on deployment and execution conditions of the vulnerable system.",
    ),
    v(
        "P",
        "Present",
        "Success depends on specific deployment or execution conditions, such as a race condition or a network injection position.",
    ),
];
const PR: &[ValueInfo] = &[
    v(
        "N",
        "None",
        "The attacker is unauthenticated before the attack.",
    ),
    v(
        "L",
        "Low",
        "The attacker needs privileges that provide basic capabilities, typically over the user's own settings and files.",
    ),
    v(
        "H",
        "High",
        "The attacker needs privileges that provide significant (e.g. administrative) control over the vulnerable system.",
    ),
];
const UI: &[ValueInfo] = &[
    v(
        "N",
        "None",
        "Exploitable without the interaction of any human user other than the attacker.",
    ),
    v(
        "P",
        "Passive",
        "Requires limited interaction by the targeted user, which is involuntary (e.g. visiting a crafted page).",
    ),
    v(
        "A",
        "Active",
        "Requires the targeted user to perform specific, conscious interactions (e.g. importing a file, dismissing warnings).",
    ),
];
const VCIA: &[ValueInfo] = &[
    v(
        "H",
        "High",
        "Total loss of the property, or a loss with a serious direct consequence, in the vulnerable system.",
    ),
    v(
        "L",
        "Low",
        "Some loss of the property; the attacker has limited control or the effect is not serious.",
    ),
    v(
        "N",
        "None",
        "No loss of the property within the vulnerable system.",
    ),
];
const SCIA: &[ValueInfo] = &[
    v(
        "H",
        "High",
        "Total loss of the property, or a loss with a serious direct consequence, in the subsequent system.",
    ),
    v(
        "L",
        "Low",
        "Some loss of the property in the subsequent system; limited control or effect.",
    ),
    v(
        "N",
        "None",
        "No loss of the property within the subsequent system, or all impact is in the vulnerable system.",
    ),
];
const E: &[ValueInfo] = &[
    NOT_DEFINED,
    v(
        "A",
        "Attacked",
        "Attacks against this vulnerability have been reported, or solutions to simplify exploitation are publicly or privately available.",
    ),
    v(
        "P",
        "POC",
        "A proof-of-concept is publicly available, with no knowledge of attack attempts nor of solutions that simplify exploitation.",
    ),
    v(
        "U",
        "Unreported",
        "No knowledge of publicly available proof-of-concept nor of reported exploitation attempts.",
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
const SAFETY: ValueInfo = v(
    "S",
    "Safety",
    "Exploitation results in impacts that could cause injury to humans (IEC 61508 categories marginal, critical or catastrophic).",
);
const MAV: &[ValueInfo] = &[NOT_DEFINED, AV[0], AV[1], AV[2], AV[3]];
const MAC: &[ValueInfo] = &[NOT_DEFINED, AC[0], AC[1]];
const MAT: &[ValueInfo] = &[NOT_DEFINED, AT[0], AT[1]];
const MPR: &[ValueInfo] = &[NOT_DEFINED, PR[0], PR[1], PR[2]];
const MUI: &[ValueInfo] = &[NOT_DEFINED, UI[0], UI[1], UI[2]];
const MVCIA: &[ValueInfo] = &[NOT_DEFINED, VCIA[0], VCIA[1], VCIA[2]];
const MSC: &[ValueInfo] = &[NOT_DEFINED, SCIA[0], SCIA[1], SCIA[2]];
const MSIA: &[ValueInfo] = &[NOT_DEFINED, SAFETY, SCIA[0], SCIA[1], SCIA[2]];
const S: &[ValueInfo] = &[
    NOT_DEFINED,
    v(
        "N",
        "Negligible",
        "Consequences of the vulnerability meet the IEC 61508 definition of negligible.",
    ),
    v(
        "P",
        "Present",
        "Consequences meet the IEC 61508 categories marginal, critical or catastrophic.",
    ),
];
const AU: &[ValueInfo] = &[
    NOT_DEFINED,
    v(
        "N",
        "No",
        "An attacker cannot reliably automate all four steps of the kill chain (reconnaissance, weaponization, delivery, exploitation).",
    ),
    v(
        "Y",
        "Yes",
        "An attacker can reliably automate all four steps of the kill chain.",
    ),
];
const R: &[ValueInfo] = &[
    NOT_DEFINED,
    v(
        "A",
        "Automatic",
        "The system recovers services automatically after an attack.",
    ),
    v(
        "U",
        "User",
        "The system requires manual intervention by the user to recover services.",
    ),
    v(
        "I",
        "Irrecoverable",
        "The system services are irrecoverable by the user after an attack.",
    ),
];
const V: &[ValueInfo] = &[
    NOT_DEFINED,
    v(
        "D",
        "Diffuse",
        "The vulnerable system has limited resources: an attacker gains relatively little from one exploitation.",
    ),
    v(
        "C",
        "Concentrated",
        "The vulnerable system is rich in resources, typically directly responsible for many users or components.",
    ),
];
const RE: &[ValueInfo] = &[
    NOT_DEFINED,
    v(
        "L",
        "Low",
        "Low effort to respond, e.g. documentation updates or configuration workarounds.",
    ),
    v(
        "M",
        "Moderate",
        "Moderate effort, e.g. a software update or a driver change that needs some downtime.",
    ),
    v(
        "H",
        "High",
        "Significant effort, possibly long downtime or replacement of hardware.",
    ),
];
const U: &[ValueInfo] = &[
    NOT_DEFINED,
    v(
        "Clear",
        "Clear",
        "The provider assessed the vulnerability as having no urgency (informational).",
    ),
    v(
        "Green",
        "Green",
        "The provider assessed the reactive urgency as reduced.",
    ),
    v(
        "Amber",
        "Amber",
        "The provider assessed the reactive urgency as moderate.",
    ),
    v(
        "Red",
        "Red",
        "The provider assessed the vulnerability as having the highest urgency.",
    ),
];

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

/// Modified base metric description (specification section 4.2).
const MODIFIED: &str =
    "Overrides the base metric of the same name for this environment; X keeps the base value.";

/// Every CVSS v4.0 metric in the canonical order required by the
/// specification, section 7 (Table 23).
pub static METRICS: &[MetricInfo; 32] = &[
    m(
        "AV",
        "Attack Vector",
        Base,
        "The context by which vulnerability exploitation is possible (section 2.1.1).",
        AV,
    ),
    m(
        "AC",
        "Attack Complexity",
        Base,
        "Measurable actions the attacker must take to evade or circumvent existing security-enhancing conditions (section 2.1.2).",
        AC,
    ),
    m(
        "AT",
        "Attack Requirements",
        Base,
        "Deployment and execution conditions of the vulnerable system that enable the attack (section 2.1.3).",
        AT,
    ),
    m(
        "PR",
        "Privileges Required",
        Base,
        "The level of privileges an attacker must possess prior to exploitation (section 2.1.4).",
        PR,
    ),
    m(
        "UI",
        "User Interaction",
        Base,
        "Whether a human user other than the attacker must participate (section 2.1.5).",
        UI,
    ),
    m(
        "VC",
        "Vulnerable System Confidentiality",
        Base,
        "Impact on the confidentiality of information managed by the vulnerable system (section 2.2.1).",
        VCIA,
    ),
    m(
        "VI",
        "Vulnerable System Integrity",
        Base,
        "Impact on the integrity of the vulnerable system (section 2.2.2).",
        VCIA,
    ),
    m(
        "VA",
        "Vulnerable System Availability",
        Base,
        "Impact on the availability of the vulnerable system (section 2.2.3).",
        VCIA,
    ),
    m(
        "SC",
        "Subsequent System Confidentiality",
        Base,
        "Impact on the confidentiality of information managed by subsequent systems (section 2.3.1).",
        SCIA,
    ),
    m(
        "SI",
        "Subsequent System Integrity",
        Base,
        "Impact on the integrity of subsequent systems (section 2.3.2).",
        SCIA,
    ),
    m(
        "SA",
        "Subsequent System Availability",
        Base,
        "Impact on the availability of subsequent systems (section 2.3.3).",
        SCIA,
    ),
    m(
        "E",
        "Exploit Maturity",
        Threat,
        "The likelihood of the vulnerability being attacked, from the state of exploit techniques and activity (section 3.1). X scores as Attacked.",
        E,
    ),
    m(
        "CR",
        "Confidentiality Requirement",
        Environmental,
        "Importance of the asset's confidentiality to the organization (section 4.1). X scores as High.",
        REQ,
    ),
    m(
        "IR",
        "Integrity Requirement",
        Environmental,
        "Importance of the asset's integrity to the organization (section 4.1). X scores as High.",
        REQ,
    ),
    m(
        "AR",
        "Availability Requirement",
        Environmental,
        "Importance of the asset's availability to the organization (section 4.1). X scores as High.",
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
        "MAT",
        "Modified Attack Requirements",
        Environmental,
        MODIFIED,
        MAT,
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
    m(
        "MVC",
        "Modified Vulnerable System Confidentiality",
        Environmental,
        MODIFIED,
        MVCIA,
    ),
    m(
        "MVI",
        "Modified Vulnerable System Integrity",
        Environmental,
        MODIFIED,
        MVCIA,
    ),
    m(
        "MVA",
        "Modified Vulnerable System Availability",
        Environmental,
        MODIFIED,
        MVCIA,
    ),
    m(
        "MSC",
        "Modified Subsequent System Confidentiality",
        Environmental,
        MODIFIED,
        MSC,
    ),
    m(
        "MSI",
        "Modified Subsequent System Integrity",
        Environmental,
        "Overrides SI for this environment; S (Safety) is allowed only here (section 4.2).",
        MSIA,
    ),
    m(
        "MSA",
        "Modified Subsequent System Availability",
        Environmental,
        "Overrides SA for this environment; S (Safety) is allowed only here (section 4.2).",
        MSIA,
    ),
    m(
        "S",
        "Safety",
        Supplemental,
        "Whether exploitation could harm human safety (section 5.1). Not scored.",
        S,
    ),
    m(
        "AU",
        "Automatable",
        Supplemental,
        "Whether an attacker can automate exploitation across many targets (section 5.2). Not scored.",
        AU,
    ),
    m(
        "R",
        "Recovery",
        Supplemental,
        "The resilience of a system to recover services after an attack (section 5.4). Not scored.",
        R,
    ),
    m(
        "V",
        "Value Density",
        Supplemental,
        "The resources an attacker gains control of with one exploitation (section 5.5). Not scored.",
        V,
    ),
    m(
        "RE",
        "Vulnerability Response Effort",
        Supplemental,
        "How difficult it is for consumers to respond to the vulnerability's impact (section 5.6). Not scored.",
        RE,
    ),
    m(
        "U",
        "Provider Urgency",
        Supplemental,
        "The provider's assessment of urgency (section 5.3). Not scored.",
        U,
    ),
];

/// The metric groups of CVSS v4.0, in specification order.
pub static GROUPS: &[MetricGroup] = &[Base, Threat, Environmental, Supplemental];
