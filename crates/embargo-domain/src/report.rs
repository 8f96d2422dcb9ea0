//! A report: one submission exactly as it was received.
//!
//! Reports are immutable. The workflow never edits or deletes one; it attaches reports to cases
//! ([`Case::attach_report`](crate::Case::attach_report)) and several reports may attach to one case. The
//! raw original (the MIME message, the form post, the import file) stays outside the domain: a report
//! only holds an opaque [`RawOriginal`] reference to the stored bytes.

use std::fmt;
use std::str::FromStr;

use jiff::Timestamp;

use crate::DomainError;
use crate::identifiers::strip_prefix_ignore_case;
use crate::ids::ReportId;

/// How a report reached us.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Channel {
    Email,
    WebForm,
    Api,
    Import,
}

impl Channel {
    /// The name the API, the CLI and the UI show (the serde spelling).
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::WebForm => "web-form",
            Channel::Api => "api",
            Channel::Import => "import",
        }
    }
}

/// A reporter's email address: trimmed, one `@`, a non-empty local part, a dotted domain, no spaces
/// or control characters, at most 254 bytes. Deliverability is not the domain's business.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct ReporterEmail(String);

impl ReporterEmail {
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        let value = s.trim();
        let err = |reason| DomainError::InvalidEmail {
            value: s.to_owned(),
            reason,
        };
        if value.is_empty() {
            return Err(err("empty"));
        }
        if value.len() > 254 {
            return Err(err("longer than 254 bytes"));
        }
        if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(err("contains whitespace or control characters"));
        }
        let Some((local, domain)) = value.split_once('@') else {
            return Err(err("missing @"));
        };
        if domain.contains('@') {
            return Err(err("more than one @"));
        }
        if local.is_empty() || local.len() > 64 {
            return Err(err("local part must be 1 to 64 bytes"));
        }
        let labels_ok = domain
            .split('.')
            .all(|l| !l.is_empty() && !l.starts_with('-') && !l.ends_with('-'));
        if !domain.contains('.')
            || !labels_ok
            || domain.chars().any(|c| "<>()[],;:\\\"".contains(c))
        {
            return Err(err("domain must be a dotted host name"));
        }
        Ok(ReporterEmail(value.to_owned()))
    }

    /// Two addresses name the same reporter when they are equal ignoring ASCII case.
    pub fn same_reporter(&self, other: &ReporterEmail) -> bool {
        self.0.eq_ignore_ascii_case(&other.0)
    }
}

impl AsRef<str> for ReporterEmail {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ReporterEmail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// The public tracking id quoted to the reporter: `EMB-` and 8 Crockford base32 characters (40 bits),
/// e.g. `EMB-7Q2K9M4X`. It is made from random bytes the caller supplies, so that the domain stays
/// deterministic. Parsing is forgiving the way Crockford intends for ids typed by people (any letter
/// case; `I`/`L` read as `1`, `O` as `0`) and always prints the canonical form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(into = "String")]
pub struct TrackingId([u8; 8]);

impl TrackingId {
    pub const PREFIX: &'static str = "EMB-";

    /// Builds the id from 40 random bits.
    pub fn from_random(bytes: [u8; 5]) -> Self {
        let mut bits: u64 = 0;
        for b in bytes {
            bits = (bits << 8) | u64::from(b);
        }
        let mut out = [0u8; 8];
        for (i, slot) in out.iter_mut().enumerate() {
            let shift = 35 - 5 * i;
            *slot = CROCKFORD[((bits >> shift) & 0x1f) as usize];
        }
        TrackingId(out)
    }

    pub fn parse(s: &str) -> Result<Self, DomainError> {
        let err = || DomainError::InvalidTrackingId {
            value: s.to_owned(),
        };
        let body = strip_prefix_ignore_case(s, Self::PREFIX).ok_or_else(err)?;
        if body.len() != 8 {
            return Err(err());
        }
        let mut out = [0u8; 8];
        for (slot, c) in out.iter_mut().zip(body.bytes()) {
            let c = match c.to_ascii_uppercase() {
                b'I' | b'L' => b'1',
                b'O' => b'0',
                c => c,
            };
            if !CROCKFORD.contains(&c) {
                return Err(err());
            }
            *slot = c;
        }
        Ok(TrackingId(out))
    }
}

impl fmt::Display for TrackingId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(Self::PREFIX)?;
        // Only ever holds bytes of the ASCII alphabet above.
        f.write_str(std::str::from_utf8(&self.0).map_err(|_| fmt::Error)?)
    }
}

impl From<TrackingId> for String {
    fn from(id: TrackingId) -> String {
        id.to_string()
    }
}

impl FromStr for TrackingId {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// A SHA-256 digest, held as 64 lower-case hex characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct Sha256Digest(String);

impl Sha256Digest {
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        if s.len() != 64 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(DomainError::InvalidSha256 {
                value: s.to_owned(),
            });
        }
        Ok(Sha256Digest(s.to_ascii_lowercase()))
    }
}

impl AsRef<str> for Sha256Digest {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// A media type as declared by the sender, `type/subtype` (parameters dropped, lower case). Declared,
/// not trusted: nothing in the product renders an attachment based on it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct MediaType(String);

impl MediaType {
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        let err = || DomainError::InvalidMediaType {
            value: s.to_owned(),
        };
        let essence = s.split(';').next().unwrap_or_default().trim();
        let (ty, sub) = essence.split_once('/').ok_or_else(err)?;
        let token = |t: &str| {
            !t.is_empty()
                && t.len() <= 127
                && t.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"!#$&-^_.+".contains(&b))
        };
        if !token(ty) || !token(sub) {
            return Err(err());
        }
        Ok(MediaType(essence.to_ascii_lowercase()))
    }
}

impl AsRef<str> for MediaType {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// Metadata of one attachment; the bytes live in blob storage, addressed by `sha256`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Attachment {
    pub name: String,
    pub media_type: MediaType,
    pub size: u64,
    pub sha256: Sha256Digest,
}

/// An opaque reference to the stored original (a blob key). The domain never looks inside.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct RawOriginal(String);

impl RawOriginal {
    pub fn new(key: impl Into<String>) -> Result<Self, DomainError> {
        let key = key.into();
        if key.is_empty() {
            return Err(DomainError::InvalidField {
                field: "raw original",
                reason: "empty reference".into(),
            });
        }
        Ok(RawOriginal(key))
    }
}

impl AsRef<str> for RawOriginal {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// Who sent a report, as they identified themselves.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ReporterIdentity {
    pub email: ReporterEmail,
    pub name: Option<String>,
}

/// Everything needed to record a received report. The caller supplies the id, the random bytes of
/// the tracking id and the time of receipt.
#[derive(Debug, Clone)]
pub struct NewReport {
    pub id: ReportId,
    pub tracking_random: [u8; 5],
    pub channel: Channel,
    pub reporter: ReporterIdentity,
    pub received_at: Timestamp,
    pub subject: String,
    pub body: String,
    pub attachments: Vec<Attachment>,
    pub raw: RawOriginal,
}

/// One submission as received. Read-only after [`Report::receive`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    id: ReportId,
    tracking: TrackingId,
    channel: Channel,
    reporter: ReporterIdentity,
    received_at: Timestamp,
    subject: String,
    body: String,
    attachments: Vec<Attachment>,
    raw: RawOriginal,
}

impl Report {
    /// Records a report. The subject may be empty (a bare email), but is limited to 998 bytes (the RFC
    /// 5322 line limit); attachment names must not be empty.
    pub fn receive(new: NewReport) -> Result<Self, DomainError> {
        Self::check(&new)?;
        Ok(Report {
            id: new.id,
            tracking: TrackingId::from_random(new.tracking_random),
            channel: new.channel,
            reporter: new.reporter,
            received_at: new.received_at,
            subject: new.subject,
            body: new.body,
            attachments: new.attachments,
            raw: new.raw,
        })
    }

    /// Rebuilds a stored report with its existing tracking id (for the store layer).
    pub fn restore(tracking: TrackingId, new: NewReport) -> Result<Self, DomainError> {
        let mut report = Self::receive(new)?;
        report.tracking = tracking;
        Ok(report)
    }

    fn check(new: &NewReport) -> Result<(), DomainError> {
        if new.subject.len() > 998 {
            return Err(DomainError::InvalidField {
                field: "subject",
                reason: "longer than 998 bytes".into(),
            });
        }
        if new.attachments.iter().any(|a| a.name.trim().is_empty()) {
            return Err(DomainError::InvalidField {
                field: "attachment name",
                reason: "empty".into(),
            });
        }
        Ok(())
    }

    pub fn id(&self) -> ReportId {
        self.id
    }
    pub fn tracking_id(&self) -> TrackingId {
        self.tracking
    }
    pub fn channel(&self) -> Channel {
        self.channel
    }
    pub fn reporter(&self) -> &ReporterIdentity {
        &self.reporter
    }
    pub fn received_at(&self) -> Timestamp {
        self.received_at
    }
    pub fn subject(&self) -> &str {
        &self.subject
    }
    pub fn body(&self) -> &str {
        &self.body
    }
    pub fn attachments(&self) -> &[Attachment] {
        &self.attachments
    }
    pub fn raw(&self) -> &RawOriginal {
        &self.raw
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_email(input: &str, expect: Result<&str, &str>) {
        let got = ReporterEmail::parse(input);
        match (got, expect) {
            (Ok(e), Ok(want)) => assert_eq!(e.as_ref(), want, "{input:?}"),
            (Err(DomainError::InvalidEmail { reason, .. }), Err(want)) => {
                assert_eq!(reason, want, "{input:?}")
            }
            (got, want) => panic!("{input:?}: got {got:?}, want {want:?}"),
        }
    }

    #[test]
    fn reporter_emails_parse_and_are_trimmed() {
        check_email("alice@example.com", Ok("alice@example.com"));
        check_email(
            "  bob+sec@mail.example.org\n",
            Ok("bob+sec@mail.example.org"),
        );
    }

    #[test]
    fn malformed_reporter_emails_are_rejected_with_a_reason() {
        check_email("", Err("empty"));
        check_email("   ", Err("empty"));
        check_email("alice.example.com", Err("missing @"));
        check_email("a@b@example.com", Err("more than one @"));
        check_email("@example.com", Err("local part must be 1 to 64 bytes"));
        check_email("alice@localhost", Err("domain must be a dotted host name"));
        check_email(
            "alice@example..com",
            Err("domain must be a dotted host name"),
        );
        check_email(
            "alice@-example.com",
            Err("domain must be a dotted host name"),
        );
        check_email("alice@", Err("domain must be a dotted host name"));
        check_email(
            "al ice@example.com",
            Err("contains whitespace or control characters"),
        );
        check_email(
            &format!("{}@example.com", "a".repeat(65)),
            Err("local part must be 1 to 64 bytes"),
        );
        check_email(
            &format!("a@{}.com", "b".repeat(260)),
            Err("longer than 254 bytes"),
        );
    }

    #[test]
    fn reporter_emails_compare_case_insensitively_for_identity() {
        let a = ReporterEmail::parse("Alice@Example.com").unwrap();
        let b = ReporterEmail::parse("alice@example.com").unwrap();
        assert!(a.same_reporter(&b));
    }

    #[test]
    fn tracking_ids_are_built_from_forty_random_bits() {
        assert_eq!(TrackingId::from_random([0; 5]).to_string(), "EMB-00000000");
        assert_eq!(
            TrackingId::from_random([0xff; 5]).to_string(),
            "EMB-ZZZZZZZZ"
        );
        assert_eq!(
            TrackingId::from_random([0x08, 0x86, 0x42, 0x98, 0xe8]).to_string(),
            "EMB-12345678"
        );
    }

    #[test]
    fn tracking_ids_round_trip_and_parse_forgivingly() {
        let id = TrackingId::from_random([1, 2, 3, 4, 5]);
        assert_eq!(TrackingId::parse(&id.to_string()), Ok(id));
        assert_eq!(
            TrackingId::parse("emb-7q2k9m4x").unwrap().to_string(),
            "EMB-7Q2K9M4X"
        );
        assert_eq!(
            TrackingId::parse("EMB-OIL00000").unwrap().to_string(),
            "EMB-01100000"
        );
    }

    #[test]
    fn malformed_tracking_ids_are_rejected() {
        for bad in [
            "",
            "EMB-",
            "EMB-1234567",
            "EMB-123456789",
            "EMB-1234567U",
            "EMB_12345678",
            "XYZ-12345678",
            "12345678",
            "EMB-1234 678",
        ] {
            assert_eq!(
                TrackingId::parse(bad),
                Err(DomainError::InvalidTrackingId {
                    value: bad.to_owned()
                }),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn sha256_digests_must_be_64_hex_characters() {
        let ok = "A".repeat(64);
        assert_eq!(Sha256Digest::parse(&ok).unwrap().as_ref(), "a".repeat(64));
        for bad in [
            String::new(),
            "a".repeat(63),
            "g".repeat(64),
            "a".repeat(65),
        ] {
            assert!(
                matches!(
                    Sha256Digest::parse(&bad),
                    Err(DomainError::InvalidSha256 { .. })
                ),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn media_types_keep_their_essence_and_reject_garbage() {
        assert_eq!(
            MediaType::parse("Text/Plain; charset=utf-8")
                .unwrap()
                .as_ref(),
            "text/plain"
        );
        assert_eq!(
            MediaType::parse("application/vnd.tcpdump.pcap")
                .unwrap()
                .as_ref(),
            "application/vnd.tcpdump.pcap"
        );
        for bad in ["", "text", "/plain", "text/", "te xt/plain", "text/pl@in"] {
            assert!(
                matches!(
                    MediaType::parse(bad),
                    Err(DomainError::InvalidMediaType { .. })
                ),
                "{bad:?}"
            );
        }
    }

    fn new_report() -> NewReport {
        NewReport {
            id: ReportId::from_uuid(uuid::Uuid::from_u128(1)),
            tracking_random: [9, 9, 9, 9, 9],
            channel: Channel::Email,
            reporter: ReporterIdentity {
                email: ReporterEmail::parse("r@example.com").unwrap(),
                name: None,
            },
            received_at: Timestamp::UNIX_EPOCH,
            subject: "XSS in login".into(),
            body: "details".into(),
            attachments: vec![],
            raw: RawOriginal::new("blob/abc").unwrap(),
        }
    }

    #[test]
    fn a_received_report_keeps_everything_as_given() {
        let report = Report::receive(new_report()).unwrap();
        assert_eq!(report.subject(), "XSS in login");
        assert_eq!(report.tracking_id(), TrackingId::from_random([9; 5]));
        assert_eq!(report.raw().as_ref(), "blob/abc");
    }

    #[test]
    fn a_report_with_an_unnamed_attachment_or_overlong_subject_is_refused() {
        let mut new = new_report();
        new.attachments.push(Attachment {
            name: " ".into(),
            media_type: MediaType::parse("text/plain").unwrap(),
            size: 1,
            sha256: Sha256Digest::parse(&"0".repeat(64)).unwrap(),
        });
        assert!(matches!(
            Report::receive(new),
            Err(DomainError::InvalidField {
                field: "attachment name",
                ..
            })
        ));
        let mut new = new_report();
        new.subject = "s".repeat(999);
        assert!(matches!(
            Report::receive(new),
            Err(DomainError::InvalidField {
                field: "subject",
                ..
            })
        ));
        assert!(RawOriginal::new("").is_err());
    }
}
