//! Public identifiers that travel outside the product: CWE and CVE ids, and links.

use std::fmt;
use std::str::FromStr;

use crate::DomainError;

/// A CWE weakness id, `CWE-79`. Parsing accepts any letter case of the prefix and prints it upper case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(into = "String")]
pub struct CweId(u32);

impl CweId {
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        let err = || DomainError::InvalidCweId {
            value: s.to_owned(),
        };
        let digits = strip_prefix_ignore_case(s, "CWE-").ok_or_else(err)?;
        if !is_canonical_number(digits) {
            return Err(err());
        }
        match digits.parse::<u32>() {
            Ok(n) if n > 0 => Ok(CweId(n)),
            _ => Err(err()),
        }
    }

    pub const fn number(self) -> u32 {
        self.0
    }
}

impl fmt::Display for CweId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CWE-{}", self.0)
    }
}

impl From<CweId> for String {
    fn from(id: CweId) -> String {
        id.to_string()
    }
}

impl FromStr for CweId {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// A CVE id, `CVE-2024-3094`: a four-digit year from 1999 and a sequence of at least four digits
/// (CVE ID syntax since 2014: four digits may have leading zeros, longer sequences may not).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(into = "String")]
pub struct CveId {
    year: u16,
    sequence: String,
}

impl CveId {
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        let err = || DomainError::InvalidCveId {
            value: s.to_owned(),
        };
        let rest = strip_prefix_ignore_case(s, "CVE-").ok_or_else(err)?;
        let (year, sequence) = rest.split_once('-').ok_or_else(err)?;
        if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err());
        }
        let year: u16 = year.parse().map_err(|_| err())?;
        if year < 1999 {
            return Err(err());
        }
        if sequence.len() < 4
            || sequence.len() > 19
            || !sequence.bytes().all(|b| b.is_ascii_digit())
            || (sequence.len() > 4 && sequence.starts_with('0'))
        {
            return Err(err());
        }
        Ok(CveId {
            year,
            sequence: sequence.to_owned(),
        })
    }

    pub const fn year(&self) -> u16 {
        self.year
    }
}

impl fmt::Display for CveId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CVE-{}-{}", self.year, self.sequence)
    }
}

impl From<CveId> for String {
    fn from(id: CveId) -> String {
        id.to_string()
    }
}

impl FromStr for CveId {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// An http(s) link, e.g. to a commit, a ticket or an upstream advisory. Checked for shape only: the
/// domain never fetches it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct Link(String);

impl Link {
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        let err = || DomainError::InvalidLink {
            value: s.to_owned(),
        };
        let rest = strip_prefix_ignore_case(s, "https://")
            .or_else(|| strip_prefix_ignore_case(s, "http://"))
            .ok_or_else(err)?;
        let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
        if host.is_empty()
            || s.len() > 2048
            || s.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(err());
        }
        Ok(Link(s.to_owned()))
    }
}

impl AsRef<str> for Link {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Link {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

pub(crate) fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

/// Digits only, no sign, no leading zero (except "0" itself).
pub(crate) fn is_canonical_number(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || !s.starts_with('0'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_cwe(input: &str, expect: Option<&str>) {
        assert_eq!(
            CweId::parse(input).ok().map(|c| c.to_string()).as_deref(),
            expect,
            "{input:?}"
        );
    }

    fn check_cve(input: &str, expect: Option<&str>) {
        assert_eq!(
            CveId::parse(input).ok().map(|c| c.to_string()).as_deref(),
            expect,
            "{input:?}"
        );
    }

    #[test]
    fn cwe_ids_parse_and_print_canonically() {
        check_cwe("CWE-79", Some("CWE-79"));
        check_cwe("cwe-1321", Some("CWE-1321"));
    }

    #[test]
    fn malformed_cwe_ids_are_rejected() {
        for bad in [
            "",
            "79",
            "CWE-",
            "CWE-0",
            "CWE-079",
            "CWE-7a",
            "CWE 79",
            "CWE--79",
            " CWE-79",
            "CWE-99999999999",
        ] {
            check_cwe(bad, None);
        }
        assert_eq!(
            CweId::parse("CWE-x").unwrap_err().to_string(),
            "invalid CWE id \"CWE-x\": expected CWE- and a positive number, e.g. CWE-79"
        );
    }

    #[test]
    fn cve_ids_parse_with_four_or_more_sequence_digits() {
        check_cve("CVE-2024-3094", Some("CVE-2024-3094"));
        check_cve("CVE-2014-0001", Some("CVE-2014-0001"));
        check_cve("cve-2021-44228", Some("CVE-2021-44228"));
        check_cve("CVE-2023-1234567", Some("CVE-2023-1234567"));
    }

    #[test]
    fn malformed_cve_ids_are_rejected() {
        for bad in [
            "",
            "CVE-2024",
            "CVE-2024-123",
            "CVE-24-1234",
            "CVE-1998-1234",
            "CVE-2024-01234",
            "CVE-2024-12a4",
            "CVE_2024_1234",
            "CVE-2024-1234 ",
            "GHSA-2024-1234",
            "CVE-+024-1234",
        ] {
            check_cve(bad, None);
        }
    }

    #[test]
    fn links_must_be_http_urls_with_a_host() {
        assert!(Link::parse("https://git.example.com/gw/commit/abc").is_ok());
        assert!(Link::parse("http://example.com").is_ok());
        for bad in [
            "",
            "ftp://x",
            "https://",
            "https:///path",
            "javascript:alert(1)",
            "https://a b",
            "example.com",
        ] {
            assert_eq!(
                Link::parse(bad),
                Err(DomainError::InvalidLink {
                    value: bad.to_owned()
                }),
                "{bad:?}"
            );
        }
    }
}
