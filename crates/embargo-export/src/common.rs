//! Checks and helpers every exporter shares: advisory validation, release
//! line arithmetic, reference kinds.

use embargo_cvss::{Cvss, Version};

use crate::model::{Advisory, LineStatus, Status};
use crate::{ExportError, cvss_json};

/// Checks what every format relies on, and parses the CVSS vectors (in the
/// advisory's order).
pub(crate) fn validate(advisory: &Advisory) -> Result<Vec<Cvss>, ExportError> {
    if advisory.revisions.is_empty() {
        return Err(ExportError::NoRevisions {
            advisory: advisory.id.clone(),
        });
    }
    for (i, r) in advisory.revisions.iter().enumerate() {
        let expected = u32::try_from(i + 1).unwrap_or(u32::MAX);
        if r.number != expected {
            return Err(ExportError::RevisionNumber {
                position: i,
                number: r.number,
                expected,
            });
        }
        if i > 0 && advisory.revisions[i - 1].date > r.date {
            return Err(ExportError::RevisionDate { number: r.number });
        }
    }
    for (field, value) in [
        ("id", &advisory.id),
        ("title", &advisory.title),
        ("summary", &advisory.summary),
        ("description_md", &advisory.description_md),
        ("vendor", &advisory.vendor),
    ] {
        if value.trim().is_empty() {
            return Err(ExportError::Empty { field });
        }
    }
    for product in &advisory.products {
        for edition in &product.editions {
            for (i, l) in edition.lines.iter().enumerate() {
                if edition.lines[..i].iter().any(|o| o.line == l.line) {
                    return Err(ExportError::DuplicateLine {
                        product: product.name.clone(),
                        edition: edition.name.clone(),
                        line: l.line.clone(),
                    });
                }
                if l.status == Status::Fixed && l.fixed_in.is_none() {
                    return Err(ExportError::FixedWithoutVersion {
                        product: product.name.clone(),
                        edition: edition.name.clone(),
                        line: l.line.clone(),
                    });
                }
            }
        }
    }
    let mut parsed: Vec<(Cvss, &String)> = Vec::new();
    for vector in &advisory.cvss {
        let cvss = cvss_json::parse(vector)?;
        if let Some((_, first)) = parsed.iter().find(|(c, _)| c.version() == cvss.version()) {
            return Err(ExportError::DuplicateCvssVersion {
                version: cvss.version().as_str(),
                first: (*first).clone(),
                second: vector.clone(),
            });
        }
        parsed.push((cvss, vector));
    }
    Ok(parsed.into_iter().map(|(c, _)| c).collect())
}

/// The vector of `version` among the parsed ones.
pub(crate) fn find(cvss: &[Cvss], version: Version) -> Option<&Cvss> {
    cvss.iter().find(|c| c.version() == version)
}

/// The highest-priority score for a headline: v4.0, then v3.1, v3.0, v2.
pub(crate) fn headline(cvss: &[Cvss]) -> Option<&Cvss> {
    [Version::V40, Version::V31, Version::V30, Version::V2]
        .into_iter()
        .find_map(|v| find(cvss, v))
}

/// The numeric components of a line's version prefix: `3.4.x` → `[3, 4]`.
/// `None` when the line is not a dotted numeric prefix (with an optional
/// `.x` or `.*` suffix).
fn line_prefix(line: &str) -> Option<Vec<u64>> {
    let prefix = line
        .strip_suffix(".x")
        .or_else(|| line.strip_suffix(".X"))
        .or_else(|| line.strip_suffix(".*"))
        .unwrap_or(line);
    prefix
        .split('.')
        .map(|c| c.parse::<u64>().ok())
        .collect::<Option<Vec<_>>>()
        .filter(|v| !v.is_empty())
}

fn join(parts: &[u64]) -> String {
    parts
        .iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(".")
}

/// The first version of a line: `3.4.x` → `3.4.0`, `1.25.3.x` → `1.25.3.0`.
pub(crate) fn line_first(line: &str) -> Option<String> {
    let mut p = line_prefix(line)?;
    p.push(0);
    Some(join(&p))
}

/// The first version after a line: `3.4.x` → `3.5.0`, `1.25.3.x` → `1.25.4.0`.
pub(crate) fn line_next(line: &str) -> Option<String> {
    let mut p = line_prefix(line)?;
    let last = p.last_mut()?;
    *last = last.checked_add(1)?;
    p.push(0);
    Some(join(&p))
}

/// The CVE JSON 5 wildcard for a line: `3.4.x` → `3.4.*`.
pub(crate) fn line_wildcard(line: &str) -> String {
    match line_prefix(line) {
        Some(p) => format!("{}.*", join(&p)),
        None => line.to_owned(),
    }
}

/// The first affected version of a line: `affected_from`, else the line's first version.
pub(crate) fn introduced(l: &LineStatus) -> Option<String> {
    l.affected_from.clone().or_else(|| line_first(&l.line))
}

/// `MAJOR.MINOR.PATCH`, the SemVer 2.0 core (no pre-release or build parts).
pub(crate) fn is_semver(version: &str) -> bool {
    let parts: Vec<&str> = version.split('.').collect();
    parts.len() == 3
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.bytes().all(|b| b.is_ascii_digit())
                && (p.len() == 1 || !p.starts_with('0'))
        })
}

/// The released fix of a line: `fixed_in` of a [`Status::Fixed`] line. The
/// `fixed_in` of a line still [`Status::Affected`] names a planned release,
/// which no format may present as fixed.
pub(crate) fn released_fix(l: &LineStatus) -> Option<&String> {
    match l.status {
        Status::Fixed => l.fixed_in.as_ref(),
        _ => None,
    }
}

/// Whether the line is (or was) affected in some of its versions.
pub(crate) fn is_affected(l: &LineStatus) -> bool {
    matches!(l.status, Status::Affected | Status::Fixed)
}

/// `Widget (enterprise edition)`: how CVE and CSAF name a product's edition.
pub(crate) fn edition_product_name(product: &str, edition: &str) -> String {
    format!("{product} ({edition} edition)")
}

/// Lower-case, with every run of characters other than `a-z0-9.` turned into one `-`.
pub(crate) fn slug(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() || c == '.' {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_give_their_first_and_next_versions() {
        assert_eq!(line_first("3.4.x").as_deref(), Some("3.4.0"));
        assert_eq!(line_next("3.4.x").as_deref(), Some("3.5.0"));
        assert_eq!(line_first("1.25.3.x").as_deref(), Some("1.25.3.0"));
        assert_eq!(line_next("1.25.3.x").as_deref(), Some("1.25.4.0"));
        assert_eq!(line_wildcard("1.25.3.x"), "1.25.3.*");
        assert_eq!(line_first("LTS"), None);
        assert_eq!(line_wildcard("LTS"), "LTS");
    }

    #[test]
    fn semver_is_three_numeric_parts_without_leading_zeros() {
        assert!(is_semver("3.4.5"));
        assert!(!is_semver("1.25.3.1"));
        assert!(!is_semver("3.04.1"));
        assert!(!is_semver("3.4"));
    }

    #[test]
    fn slugs_keep_dots_and_collapse_the_rest() {
        assert_eq!(slug("Open Source"), "open-source");
        assert_eq!(slug("Widget  Server/Pro"), "widget-server-pro");
        assert_eq!(slug("3.4.x"), "3.4.x");
    }
}
