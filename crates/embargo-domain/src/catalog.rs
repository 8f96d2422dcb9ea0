//! The catalog: Product › Edition › ReleaseLine (Gateway › Enterprise › 3.4.x), and versions.
//!
//! A release line follows one [`VersionScheme`]: three-part semantic versions (`3.4.2`) or four-part
//! enterprise versions (`3.4.1.2`). A line is named by its major and minor version and `.x`
//! (`3.4.x`) in both schemes, as the vendor's editions name them (Enterprise 3.4.x ships 3.4.1.1,
//! 3.4.1.2, …); the line's next patch release is its latest release with the last part incremented.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use jiff::civil::Date;

use crate::DomainError;
use crate::identifiers::is_canonical_number;
use crate::ids::{EditionId, ProductId, ReleaseLineId};

/// How a release line numbers its releases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum VersionScheme {
    /// `MAJOR.MINOR.PATCH`, e.g. 3.4.2.
    Semver,
    /// `MAJOR.MINOR.PATCH.BUILD`, e.g. 3.4.1.2.
    Enterprise,
}

impl VersionScheme {
    pub const fn parts(self) -> usize {
        match self {
            VersionScheme::Semver => 3,
            VersionScheme::Enterprise => 4,
        }
    }

    pub const fn as_str(self) -> &'static str {
        match self {
            VersionScheme::Semver => "three-part",
            VersionScheme::Enterprise => "four-part enterprise",
        }
    }

    const fn example_line(self) -> &'static str {
        match self {
            VersionScheme::Semver => "3.4.x",
            VersionScheme::Enterprise => "3.4.x",
        }
    }
}

impl fmt::Display for VersionScheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A release version of either scheme. Parts are plain numbers without leading zeros and compare
/// numerically, part by part (3.10.0 > 3.9.0). No pre-release or build suffixes: security releases
/// are final releases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct Version {
    scheme: VersionScheme,
    /// Unused trailing parts are zero, so derived equality matches the ordering below.
    parts: [u64; 4],
}

impl Version {
    /// Parses either scheme; the number of parts decides which.
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        let err = |reason| DomainError::InvalidVersion {
            value: s.to_owned(),
            reason,
        };
        let mut parts = [0u64; 4];
        let mut n = 0;
        for piece in s.split('.') {
            if n == 4 {
                return Err(err("more than four parts"));
            }
            if !is_canonical_number(piece) {
                return Err(err("each part must be a number without leading zeros"));
            }
            parts[n] = piece.parse().map_err(|_| err("part too large"))?;
            n += 1;
        }
        let scheme = match n {
            3 => VersionScheme::Semver,
            4 => VersionScheme::Enterprise,
            _ => return Err(err("expected three parts (3.4.2) or four parts (3.4.1.2)")),
        };
        Ok(Version { scheme, parts })
    }

    /// Parses a version that must follow `scheme`.
    pub fn parse_in(scheme: VersionScheme, s: &str) -> Result<Self, DomainError> {
        let v = Self::parse(s)?;
        v.expect_scheme(scheme)?;
        Ok(v)
    }

    fn expect_scheme(&self, scheme: VersionScheme) -> Result<(), DomainError> {
        if self.scheme != scheme {
            return Err(DomainError::VersionSchemeMismatch {
                version: self.to_string(),
                expected: scheme,
            });
        }
        Ok(())
    }

    pub const fn scheme(&self) -> VersionScheme {
        self.scheme
    }

    pub fn parts(&self) -> &[u64] {
        &self.parts[..self.scheme.parts()]
    }

    pub const fn major(&self) -> u64 {
        self.parts[0]
    }

    /// The next patch release: the last part plus one (3.4.1 → 3.4.2, 3.4.9 → 3.4.10,
    /// 3.4.1.1 → 3.4.1.2).
    pub fn next_patch(&self) -> Version {
        let mut next = *self;
        let last = self.scheme.parts() - 1;
        next.parts[last] = next.parts[last].saturating_add(1);
        next
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        self.parts().cmp(other.parts())
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.parts().iter().enumerate() {
            if i > 0 {
                f.write_str(".")?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

impl FromStr for Version {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl From<Version> for String {
    fn from(v: Version) -> String {
        v.to_string()
    }
}

impl TryFrom<String> for Version {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

/// An upstream component bundled in a release line (`openssl 3.2.1`). The version is upstream's own
/// string, kept as written.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Component {
    pub name: String,
    pub version: String,
}

impl Component {
    pub fn new(name: &str, version: &str) -> Result<Self, DomainError> {
        if name.trim().is_empty() {
            return Err(DomainError::InvalidField {
                field: "component name",
                reason: "empty".into(),
            });
        }
        if version.trim().is_empty() {
            return Err(DomainError::InvalidField {
                field: "component version",
                reason: "empty".into(),
            });
        }
        Ok(Component {
            name: name.trim().to_owned(),
            version: version.trim().to_owned(),
        })
    }
}

/// A release line, `3.4.x`: the releases of one edition that share every version part but the last.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseLine {
    id: ReleaseLineId,
    scheme: VersionScheme,
    /// Every part but the last, e.g. `[3, 4]` for 3.4.x.
    prefix: Vec<u64>,
    latest: Option<Version>,
    /// Whether the vendor still ships fixes for this line.
    pub supported: bool,
    /// The last day of support, if announced.
    pub support_ends: Option<Date>,
    /// Long-term support line.
    pub lts: bool,
    /// Upstream components bundled in the latest release.
    pub components: Vec<Component>,
}

impl ReleaseLine {
    /// A supported, non-LTS line without components. `name` is the prefix and `.x`, matching `scheme`
    /// (`3.4.x`, for both schemes); `latest` must belong to the line.
    pub fn new(
        id: ReleaseLineId,
        name: &str,
        scheme: VersionScheme,
        latest: Option<Version>,
    ) -> Result<Self, DomainError> {
        let bad = || DomainError::InvalidLineName {
            value: name.to_owned(),
            example: scheme.example_line(),
        };
        let prefix_str = name.strip_suffix(".x").ok_or_else(bad)?;
        let prefix = prefix_str
            .split('.')
            .map(|p| {
                if is_canonical_number(p) {
                    p.parse::<u64>().ok()
                } else {
                    None
                }
            })
            .collect::<Option<Vec<u64>>>()
            .ok_or_else(bad)?;
        if prefix.len() != 2 {
            return Err(bad());
        }
        let mut line = ReleaseLine {
            id,
            scheme,
            prefix,
            latest: None,
            supported: true,
            support_ends: None,
            lts: false,
            components: Vec::new(),
        };
        if let Some(v) = latest {
            line.set_latest(v)?;
        }
        Ok(line)
    }

    pub fn id(&self) -> ReleaseLineId {
        self.id
    }

    pub fn scheme(&self) -> VersionScheme {
        self.scheme
    }

    /// The line's name, `3.4.x`.
    pub fn name(&self) -> String {
        let mut s = String::new();
        for p in &self.prefix {
            s.push_str(&p.to_string());
            s.push('.');
        }
        s.push('x');
        s
    }

    /// The major version (first part) of the line.
    pub fn major(&self) -> u64 {
        self.prefix.first().copied().unwrap_or_default()
    }

    pub fn latest(&self) -> Option<Version> {
        self.latest
    }

    /// Records a new latest release; it must belong to the line.
    pub fn set_latest(&mut self, version: Version) -> Result<(), DomainError> {
        self.check_version(&version)?;
        self.latest = Some(version);
        Ok(())
    }

    /// Whether `version` is a release of this line (3.4.2 belongs to 3.4.x; 3.40.0 and 3.4.2.1 do not).
    pub fn line_matches(&self, version: &Version) -> bool {
        version.scheme() == self.scheme && version.parts()[..self.prefix.len()] == self.prefix[..]
    }

    /// Checks that `version` is of the line's scheme and belongs to it.
    pub fn check_version(&self, version: &Version) -> Result<(), DomainError> {
        version.expect_scheme(self.scheme)?;
        if !self.line_matches(version) {
            return Err(DomainError::VersionNotInLine {
                version: version.to_string(),
                line: self.name(),
            });
        }
        Ok(())
    }

    /// The version the next fix ships in: the latest release's next patch, or the line's first
    /// release (`3.4.0`) when nothing has been released yet.
    pub fn next_patch(&self) -> Version {
        match self.latest {
            Some(v) => v.next_patch(),
            None => {
                let mut parts = [0u64; 4];
                parts[..self.prefix.len()].copy_from_slice(&self.prefix);
                Version {
                    scheme: self.scheme,
                    parts,
                }
            }
        }
    }

    /// Supported and, if an end of support is announced, not past it on `today`.
    pub fn is_supported_on(&self, today: Date) -> bool {
        self.supported && self.support_ends.is_none_or(|end| today <= end)
    }
}

/// An edition of a product (Community, Enterprise).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edition {
    pub id: EditionId,
    pub name: String,
    pub lines: Vec<ReleaseLine>,
}

/// A product (Gateway).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Product {
    pub id: ProductId,
    pub name: String,
    pub editions: Vec<Edition>,
}

/// Where a release line sits in the catalog.
#[derive(Debug, Clone, Copy)]
pub struct LinePath<'a> {
    pub product: &'a Product,
    pub edition: &'a Edition,
    pub line: &'a ReleaseLine,
}

/// Everything the vendor ships.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Catalog {
    pub products: Vec<Product>,
}

impl Catalog {
    pub fn lines(&self) -> impl Iterator<Item = LinePath<'_>> {
        self.products.iter().flat_map(|product| {
            product.editions.iter().flat_map(move |edition| {
                edition.lines.iter().map(move |line| LinePath {
                    product,
                    edition,
                    line,
                })
            })
        })
    }

    pub fn line(&self, id: ReleaseLineId) -> Option<LinePath<'_>> {
        self.lines().find(|p| p.line.id() == id)
    }

    /// Whether `id` belongs to its product's latest major version: the highest major among the
    /// product's supported lines, across editions. Unknown lines are not.
    pub fn is_latest_major(&self, id: ReleaseLineId) -> bool {
        let Some(path) = self.line(id) else {
            return false;
        };
        let latest_major = path
            .product
            .editions
            .iter()
            .flat_map(|e| &e.lines)
            .filter(|l| l.supported)
            .map(ReleaseLine::major)
            .max();
        latest_major == Some(path.line.major())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    fn line(name: &str, scheme: VersionScheme, latest: Option<&str>) -> ReleaseLine {
        ReleaseLine::new(
            ReleaseLineId::from_uuid(uuid::Uuid::from_u128(7)),
            name,
            scheme,
            latest.map(v),
        )
        .unwrap()
    }

    #[test]
    fn versions_of_both_schemes_parse_and_print() {
        for (s, scheme) in [
            ("3.4.1", VersionScheme::Semver),
            ("0.0.0", VersionScheme::Semver),
            ("3.4.1.12", VersionScheme::Enterprise),
        ] {
            let version = v(s);
            assert_eq!(version.to_string(), s);
            assert_eq!(version.scheme(), scheme);
        }
    }

    #[test]
    fn malformed_versions_are_rejected_with_a_reason() {
        let check = |s: &str, reason: &str| match Version::parse(s) {
            Err(DomainError::InvalidVersion { reason: got, .. }) => {
                assert_eq!(got, reason, "{s:?}")
            }
            other => panic!("{s:?}: {other:?}"),
        };
        let numbers = "each part must be a number without leading zeros";
        check("", numbers);
        check(
            "3.4",
            "expected three parts (3.4.2) or four parts (3.4.1.2)",
        );
        check("3", "expected three parts (3.4.2) or four parts (3.4.1.2)");
        check("3.4.1.1.1", "more than four parts");
        check("3.x.1", numbers);
        check("03.4.1", numbers);
        check("3.4.1-rc1", numbers);
        check(" 3.4.1", numbers);
        check("3..1", numbers);
        check("v3.4.1", numbers);
        check("3.4.-1", numbers);
        check("3.4.99999999999999999999", "part too large");
    }

    #[test]
    fn versions_order_numerically_part_by_part() {
        assert!(v("3.10.0") > v("3.9.0"));
        assert!(v("3.4.10") > v("3.4.9"));
        assert!(v("10.0.0") > v("9.99.99"));
        assert!(v("3.4.1.10") > v("3.4.1.9"));
        assert!(v("3.4.2.0") > v("3.4.1.99"));
        let mut list = vec![v("3.10.1"), v("3.9.12"), v("3.10.0"), v("2.99.0")];
        list.sort();
        assert_eq!(
            list,
            vec![v("2.99.0"), v("3.9.12"), v("3.10.0"), v("3.10.1")]
        );
    }

    #[test]
    fn next_patch_increments_the_last_part_of_either_scheme() {
        let check = |from: &str, to: &str| assert_eq!(v(from).next_patch().to_string(), to);
        check("3.4.1", "3.4.2");
        check("3.4.9", "3.4.10");
        check("3.4.1.1", "3.4.1.2");
        check("3.4.1.9", "3.4.1.10");
    }

    #[test]
    fn a_version_of_the_wrong_scheme_is_an_error() {
        assert_eq!(
            Version::parse_in(VersionScheme::Semver, "3.4.1.1"),
            Err(DomainError::VersionSchemeMismatch {
                version: "3.4.1.1".into(),
                expected: VersionScheme::Semver
            })
        );
        assert!(Version::parse_in(VersionScheme::Enterprise, "3.4.1").is_err());
        let l = line("3.4.x", VersionScheme::Semver, Some("3.4.1"));
        assert!(matches!(
            l.check_version(&v("3.4.1.1")),
            Err(DomainError::VersionSchemeMismatch { .. })
        ));
    }

    #[test]
    fn line_matches_only_versions_of_that_line() {
        let l = line("3.4.x", VersionScheme::Semver, None);
        assert!(l.line_matches(&v("3.4.2")));
        assert!(l.line_matches(&v("3.4.0")));
        assert!(!l.line_matches(&v("3.40.2")));
        assert!(!l.line_matches(&v("3.5.0")));
        assert!(!l.line_matches(&v("3.4.2.1")));
        let e = line("3.4.x", VersionScheme::Enterprise, None);
        assert!(e.line_matches(&v("3.4.1.7")));
        assert!(e.line_matches(&v("3.4.2.7")));
        assert!(!e.line_matches(&v("3.5.0.1")));
        assert!(!e.line_matches(&v("3.4.1")));
        assert_eq!(
            l.check_version(&v("3.5.0")),
            Err(DomainError::VersionNotInLine {
                version: "3.5.0".into(),
                line: "3.4.x".into()
            })
        );
    }

    #[test]
    fn a_line_computes_its_next_patch_from_its_latest_release() {
        assert_eq!(
            line("3.4.x", VersionScheme::Semver, Some("3.4.9")).next_patch(),
            v("3.4.10")
        );
        assert_eq!(
            line("3.4.x", VersionScheme::Enterprise, Some("3.4.1.1")).next_patch(),
            v("3.4.1.2")
        );
        assert_eq!(
            line("3.5.x", VersionScheme::Semver, None).next_patch(),
            v("3.5.0")
        );
    }

    #[test]
    fn line_names_are_major_dot_minor_dot_x_in_both_schemes() {
        let id = ReleaseLineId::from_uuid(uuid::Uuid::nil());
        for (name, scheme) in [
            ("3.4", VersionScheme::Semver),
            ("3.x", VersionScheme::Semver),
            ("3.4.1.x", VersionScheme::Semver),
            ("3.4.1.x", VersionScheme::Enterprise),
            ("3.04.x", VersionScheme::Semver),
            ("x", VersionScheme::Semver),
        ] {
            assert!(
                matches!(
                    ReleaseLine::new(id, name, scheme, None),
                    Err(DomainError::InvalidLineName { .. })
                ),
                "{name}"
            );
        }
        assert!(matches!(
            ReleaseLine::new(id, "3.4.x", VersionScheme::Semver, Some(v("3.5.1"))),
            Err(DomainError::VersionNotInLine { .. })
        ));
        assert_eq!(
            line("3.4.x", VersionScheme::Enterprise, None).name(),
            "3.4.x"
        );
    }

    #[test]
    fn support_ends_after_the_announced_day() {
        let mut l = line("3.4.x", VersionScheme::Semver, None);
        l.support_ends = Some(jiff::civil::date(2026, 6, 30));
        assert!(l.is_supported_on(jiff::civil::date(2026, 6, 30)));
        assert!(!l.is_supported_on(jiff::civil::date(2026, 7, 1)));
        l.support_ends = None;
        l.supported = false;
        assert!(!l.is_supported_on(jiff::civil::date(2020, 1, 1)));
    }

    #[test]
    fn components_need_a_name_and_a_version() {
        assert_eq!(Component::new("openssl", "3.2.1").unwrap().name, "openssl");
        assert!(Component::new("", "3.2.1").is_err());
        assert!(Component::new("openssl", " ").is_err());
    }

    #[test]
    fn the_latest_major_is_the_highest_supported_major_of_the_product() {
        let id = |n| ReleaseLineId::from_uuid(uuid::Uuid::from_u128(n));
        let mk = |n, name, supported| {
            let mut l = ReleaseLine::new(id(n), name, VersionScheme::Semver, None).unwrap();
            l.supported = supported;
            l
        };
        let catalog = Catalog {
            products: vec![Product {
                id: ProductId::from_uuid(uuid::Uuid::from_u128(100)),
                name: "Gateway".into(),
                editions: vec![
                    Edition {
                        id: EditionId::from_uuid(uuid::Uuid::from_u128(200)),
                        name: "Community".into(),
                        lines: vec![mk(1, "3.4.x", true), mk(2, "4.0.x", true)],
                    },
                    Edition {
                        id: EditionId::from_uuid(uuid::Uuid::from_u128(201)),
                        name: "Enterprise".into(),
                        lines: vec![mk(3, "4.1.x", true), mk(4, "5.0.x", false)],
                    },
                ],
            }],
        };
        assert!(!catalog.is_latest_major(id(1)));
        assert!(catalog.is_latest_major(id(2)));
        assert!(catalog.is_latest_major(id(3)));
        assert!(
            !catalog.is_latest_major(id(4)),
            "an unsupported line does not define the latest major"
        );
        assert!(!catalog.is_latest_major(id(99)));
        assert_eq!(catalog.line(id(3)).unwrap().edition.name, "Enterprise");
    }
}
