//! Authentication-Results (RFC 8601) and what they say about the sender.
//!
//! The receiving MTA checks SPF, DKIM and DMARC and records the outcome in an
//! `Authentication-Results` field naming itself (the *authserv-id*):
//!
//! ```text
//! Authentication-Results: mx.vendor.example; dkim=pass header.d=example.org;
//!     spf=pass smtp.mailfrom=example.org; dmarc=pass header.from=example.org
//! ```
//!
//! Anyone can write such a field into a message before sending it. RFC 8601 §5 has a border MTA
//! remove fields that claim its own authserv-id, so only fields carrying *our* MTA's id can be
//! believed; [`InboundMail::sender_verified`](crate::InboundMail::sender_verified) takes that id
//! and ignores the rest (RFC 8601 §7.1, "Forged Header Fields").

use std::fmt;

/// The outcome of one method (RFC 8601 §2.7; `policy` from §2.7.1, `hardfail` from older SPF).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AuthOutcome {
    Pass,
    Fail,
    SoftFail,
    Neutral,
    None,
    TempError,
    PermError,
    Policy,
    /// Any other keyword, lower-cased (e.g. `skipped`, `bestguesspass`).
    Other(String),
}

impl AuthOutcome {
    fn parse(s: &str) -> Self {
        match s.to_ascii_lowercase().as_str() {
            "pass" => AuthOutcome::Pass,
            "fail" | "hardfail" => AuthOutcome::Fail,
            "softfail" => AuthOutcome::SoftFail,
            "neutral" => AuthOutcome::Neutral,
            "none" => AuthOutcome::None,
            "temperror" => AuthOutcome::TempError,
            "permerror" => AuthOutcome::PermError,
            "policy" => AuthOutcome::Policy,
            other => AuthOutcome::Other(other.to_owned()),
        }
    }
}

impl fmt::Display for AuthOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AuthOutcome::Pass => "pass",
            AuthOutcome::Fail => "fail",
            AuthOutcome::SoftFail => "softfail",
            AuthOutcome::Neutral => "neutral",
            AuthOutcome::None => "none",
            AuthOutcome::TempError => "temperror",
            AuthOutcome::PermError => "permerror",
            AuthOutcome::Policy => "policy",
            AuthOutcome::Other(s) => s,
        })
    }
}

/// One `method=result` statement of an Authentication-Results field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthResult {
    /// Who made the statement, lower-cased (the first token of the field).
    pub authserv_id: String,
    /// `spf`, `dkim`, `dmarc`, `arc`, `iprev`, `auth`, … lower-cased, version suffix removed.
    pub method: String,
    pub result: AuthOutcome,
    /// `ptype.property=value` pairs such as `header.d=example.org`, names lower-cased.
    pub properties: Vec<(String, String)>,
}

impl AuthResult {
    pub fn property(&self, name: &str) -> Option<&str> {
        self.properties
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// What the trusted authentication results say about the author's domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verification {
    /// DMARC passed, or a DKIM signature passed for the From domain (or a parent of it).
    Verified,
    /// DMARC failed: the domain owner says mail like this is not theirs.
    Failed,
    /// No trusted result decides either way.
    Unknown,
}

/// Parses every statement of one Authentication-Results field value. Tolerant: comments are
/// removed, unparseable statements are skipped, `none` yields nothing.
pub fn parse_authentication_results(value: &str) -> Vec<AuthResult> {
    let cleaned = strip_comments(value);
    let mut segments = split_outside_quotes(&cleaned, ';').into_iter();
    let Some(authserv_id) = segments
        .next()
        .and_then(|s| s.split_whitespace().next().map(str::to_ascii_lowercase))
    else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for segment in segments {
        let mut tokens = segment.split_whitespace();
        let Some((method, result)) = tokens.next().and_then(|t| t.split_once('=')) else {
            continue;
        };
        let method = method
            .split('/')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        let result = result.trim_matches('"');
        let token_ok = |s: &str| {
            !s.is_empty()
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        };
        if !token_ok(&method) || !token_ok(result) {
            continue;
        }
        let properties = tokens
            .filter_map(|t| t.split_once('='))
            .filter(|(name, _)| name.contains('.'))
            .map(|(name, v)| (name.to_ascii_lowercase(), v.trim_matches('"').to_owned()))
            .collect();
        out.push(AuthResult {
            authserv_id: authserv_id.clone(),
            method,
            result: AuthOutcome::parse(result),
            properties,
        });
    }
    out
}

/// Decides [`Verification`] from the results stated by `trusted_authserv_id` about a message
/// whose From address is in `from_domain`.
///
/// Kept simple on purpose:
/// - `dmarc=pass` → verified (DMARC already checked alignment with the From domain);
/// - `dkim=pass` whose `header.d` (or the domain of `header.i`) equals the From domain or is a
///   parent of it → verified (relaxed alignment, RFC 7489 §3.1.1, without the public suffix list:
///   a signature by `example.org` counts for `mail.example.org`, never the other way round);
/// - `dmarc=fail` → failed;
/// - anything else → unknown. SPF alone never verifies: it vouches for the envelope sender, not
///   for the From address a reply goes to.
pub fn verify(
    results: &[AuthResult],
    trusted_authserv_id: &str,
    from_domain: Option<&str>,
) -> Verification {
    let trusted: Vec<&AuthResult> = results
        .iter()
        .filter(|r| {
            r.authserv_id
                .eq_ignore_ascii_case(trusted_authserv_id.trim())
        })
        .collect();
    let from_domain = from_domain.map(|d| d.trim_end_matches('.').to_ascii_lowercase());
    let aligned = |signer: &str| {
        let signer = signer.trim_end_matches('.').to_ascii_lowercase();
        from_domain.as_deref().is_some_and(|from| {
            !signer.is_empty()
                && (from == signer || from.ends_with(&format!(".{signer}")) && signer.contains('.'))
        })
    };
    for r in &trusted {
        match (r.method.as_str(), &r.result) {
            ("dmarc", AuthOutcome::Pass) => return Verification::Verified,
            ("dkim", AuthOutcome::Pass) => {
                let signer = r.property("header.d").map(str::to_owned).or_else(|| {
                    r.property("header.i")
                        .and_then(|i| i.rsplit_once('@').map(|(_, d)| d.to_owned()))
                });
                if signer.as_deref().is_some_and(aligned) {
                    return Verification::Verified;
                }
            }
            _ => {}
        }
    }
    if trusted
        .iter()
        .any(|r| r.method == "dmarc" && r.result == AuthOutcome::Fail)
    {
        return Verification::Failed;
    }
    Verification::Unknown
}

fn strip_comments(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut depth = 0usize;
    let mut quoted = false;
    let mut escaped = false;
    for c in s.chars() {
        if escaped {
            escaped = false;
            if depth == 0 {
                out.push(c);
            }
            continue;
        }
        match c {
            '\\' => {
                escaped = true;
                if depth == 0 {
                    out.push(c);
                }
            }
            '"' if depth == 0 => {
                quoted = !quoted;
                out.push(c);
            }
            '(' if !quoted => depth += 1,
            ')' if !quoted && depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    out.push(' ');
                }
            }
            c if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

fn split_outside_quotes(s: &str, sep: char) -> Vec<&str> {
    let mut out = Vec::new();
    let mut quoted = false;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        match c {
            '"' => quoted = !quoted,
            c if c == sep && !quoted => {
                out.push(&s[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typical_field_yields_each_method_with_its_properties() {
        let r = parse_authentication_results(
            "mx.vendor.example 1; dkim=pass (2048-bit key; secure) header.d=example.org \
             header.s=sel; spf=softfail smtp.mailfrom=x@example.org; dmarc=pass (p=REJECT) \
             header.from=example.org",
        );
        assert_eq!(r.len(), 3);
        assert!(r.iter().all(|r| r.authserv_id == "mx.vendor.example"));
        assert_eq!(r[0].method, "dkim");
        assert_eq!(r[0].result, AuthOutcome::Pass);
        assert_eq!(r[0].property("header.d"), Some("example.org"));
        assert_eq!(r[1].result, AuthOutcome::SoftFail);
        assert_eq!(r[2].method, "dmarc");
        assert!(parse_authentication_results("mx.example; none").is_empty());
    }

    #[test]
    fn only_results_of_the_trusted_server_decide_verification() {
        let forged = parse_authentication_results("mx.vendor.example; dmarc=pass");
        let ours = parse_authentication_results("mx.vendor.example; dmarc=pass");
        assert_eq!(
            verify(&forged, "other.example", Some("example.org")),
            Verification::Unknown
        );
        assert_eq!(
            verify(&ours, "mx.vendor.example", Some("example.org")),
            Verification::Verified
        );
        let dkim = parse_authentication_results("mx; dkim=pass header.d=example.org");
        assert_eq!(
            verify(&dkim, "mx", Some("mail.example.org")),
            Verification::Verified
        );
        assert_eq!(
            verify(&dkim, "mx", Some("example.com")),
            Verification::Unknown
        );
        assert_eq!(
            verify(&dkim, "mx", Some("badexample.org")),
            Verification::Unknown
        );
        let sub = parse_authentication_results("mx; dkim=pass header.d=mail.example.org");
        assert_eq!(
            verify(&sub, "mx", Some("example.org")),
            Verification::Unknown
        );
        let failed = parse_authentication_results("mx; spf=pass; dmarc=fail");
        assert_eq!(
            verify(&failed, "mx", Some("example.org")),
            Verification::Failed
        );
    }
}
