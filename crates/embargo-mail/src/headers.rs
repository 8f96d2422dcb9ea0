//! A minimal reader for the top-level header block, independent of the MIME parser.
//!
//! The reply policy must look at the raw fields exactly as received (repeated fields, empty
//! values, raw 8-bit bytes), and it must work on a message the MIME parser gives up on.

/// One unfolded header field of the top-level header block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RawField {
    pub name: String,
    /// The value with folding removed and surrounding white space trimmed; bytes as received.
    pub value: Vec<u8>,
}

impl RawField {
    pub fn is(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name)
    }

    /// The value as text; bytes that are not UTF-8 are replaced.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.value).into_owned()
    }
}

/// Most fields read from one header block; later ones are ignored.
const MAX_FIELDS: usize = 2_000;

/// Reads the fields before the first empty line. A leading mbox `From ` line is skipped; the
/// block also ends at the first line that is neither a field nor a continuation.
pub(crate) fn top_level_fields(raw: &[u8]) -> Vec<RawField> {
    let mut fields: Vec<RawField> = Vec::new();
    let mut first = true;
    for line in raw.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            break;
        }
        if matches!(line[0], b' ' | b'\t')
            && let Some(last) = fields.last_mut()
        {
            if !last.value.is_empty() {
                last.value.push(b' ');
            }
            last.value.extend_from_slice(trim(line));
            continue;
        }
        if first && line.starts_with(b"From ") && !trim(&line[5..]).starts_with(b":") {
            first = false;
            continue;
        }
        first = false;
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            break;
        };
        let name = trim(&line[..colon]);
        if name.is_empty() || !name.iter().all(|&b| (33..=126).contains(&b)) {
            break;
        }
        if fields.len() >= MAX_FIELDS {
            break;
        }
        fields.push(RawField {
            name: String::from_utf8_lossy(name).into_owned(),
            value: trim(&line[colon + 1..]).to_vec(),
        });
    }
    fields
}

fn trim(b: &[u8]) -> &[u8] {
    let start = b
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(b.len());
    let end = b
        .iter()
        .rposition(|c| !c.is_ascii_whitespace())
        .map_or(start, |e| e + 1);
    &b[start..end.max(start)]
}

/// Fields named `name`, in order.
pub(crate) fn all<'a>(fields: &'a [RawField], name: &'a str) -> impl Iterator<Item = &'a RawField> {
    fields.iter().filter(move |f| f.is(name))
}

/// The first field named `name`.
pub(crate) fn first<'a>(fields: &'a [RawField], name: &str) -> Option<&'a RawField> {
    fields.iter().find(|f| f.is(name))
}

/// Removes RFC 5322 comments `( … )`, which may nest, from a header value.
pub(crate) fn without_comments(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut depth = 0usize;
    let mut quoted = false;
    for c in s.chars() {
        match c {
            '"' if depth == 0 => {
                quoted = !quoted;
                out.push(c);
            }
            '(' if !quoted => depth += 1,
            ')' if !quoted && depth > 0 => depth -= 1,
            c if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// Addresses written in a simple address field such as Delivered-To or Return-Path:
/// `<a@b>`, `a@b`, or a comma-separated list of those.
pub(crate) fn simple_addresses(value: &str) -> Vec<String> {
    without_comments(value)
        .split(',')
        .filter_map(|part| {
            let part = part.trim();
            let inner = match (part.rfind('<'), part.rfind('>')) {
                (Some(open), Some(close)) if open < close => &part[open + 1..close],
                _ => part,
            };
            let inner = inner.trim();
            inner.contains('@').then(|| inner.to_owned())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_unfolded_and_the_block_ends_at_the_first_empty_line() {
        let raw = b"From sender@example.org Mon Jan  1 00:00:00 2024\r\nSubject: one\r\n two\r\nX-A:\r\n\r\nBody: no\r\n";
        let f = top_level_fields(raw);
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].name, "Subject");
        assert_eq!(f[0].value, b"one two");
        assert_eq!(f[1].value, b"");
    }

    #[test]
    fn simple_address_fields_yield_their_addresses() {
        assert_eq!(
            simple_addresses("<a@b.example> (comment)"),
            vec!["a@b.example"]
        );
        assert_eq!(
            simple_addresses("x@y.example, <z@w.example>"),
            vec!["x@y.example", "z@w.example"]
        );
        assert!(simple_addresses("<>").is_empty());
    }
}
