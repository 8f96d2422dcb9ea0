//! Guards for text that came from a message and may later reach an outgoing header, a file
//! name or a screen.

use crate::error::HeaderError;

/// The longest header value [`header_safe`] accepts. RFC 5322 §2.1.1 limits a line to 998
/// characters; this leaves room for the field name and folding.
pub const MAX_HEADER_VALUE: usize = 900;

/// Returns `s` unchanged when it may be written as (part of) one header field value: no CR, LF,
/// NUL or other control character (horizontal tab is allowed), no Unicode line or paragraph
/// separator, at most [`MAX_HEADER_VALUE`] bytes. Every piece of user text that goes into an
/// outgoing header passes through here, so a decoded `=?utf-8?Q?x=0D=0ABcc:...?=` can never
/// start a new header line.
pub fn header_safe(s: &str) -> Result<&str, HeaderError> {
    if s.len() > MAX_HEADER_VALUE {
        return Err(HeaderError::TooLong {
            len: s.len(),
            max: MAX_HEADER_VALUE,
        });
    }
    for (at, c) in s.char_indices() {
        match c {
            '\r' | '\n' | '\u{0085}' | '\u{2028}' | '\u{2029}' => {
                return Err(HeaderError::LineBreak { found: c, at });
            }
            '\0' => return Err(HeaderError::Nul { at }),
            '\t' => {}
            c if c.is_control() => return Err(HeaderError::ControlCharacter { found: c, at }),
            _ => {}
        }
    }
    Ok(s)
}

/// Characters that change how text around them is displayed without being visible themselves:
/// bidirectional overrides and isolates (used to disguise `exe.pdf` as `fdp.exe`), zero-width
/// characters and the byte order mark.
fn is_invisible_format(c: char) -> bool {
    matches!(c,
        '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{2069}' | '\u{FEFF}' | '\u{061C}')
}

/// Collapses text onto one line: control characters and line breaks become spaces, invisible
/// formatting characters are removed, runs of white space shrink to one space, ends are trimmed.
pub fn one_line(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.chars() {
        if is_invisible_format(c) {
            continue;
        }
        if c.is_whitespace() || c.is_control() {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.push(c);
    }
    out
}

/// The longest display name [`sanitize_display_name`] returns, in characters.
pub const MAX_DISPLAY_NAME_CHARS: usize = 64;

/// Makes a sender's display name safe to show and to quote in an outgoing header: one line, no
/// control or invisible formatting characters, no `<`, `>`, `"` or `\` (which could make the name
/// look like an address or break quoting), at most [`MAX_DISPLAY_NAME_CHARS`] characters.
/// The result always passes [`header_safe`].
pub fn sanitize_display_name(s: &str) -> String {
    let cleaned: String = s
        .chars()
        .filter(|c| !matches!(c, '<' | '>' | '"' | '\\'))
        .collect();
    let line = one_line(&cleaned);
    line.chars()
        .take(MAX_DISPLAY_NAME_CHARS)
        .collect::<String>()
        .trim()
        .to_owned()
}

/// The longest attachment name [`sanitize_file_name`] returns, in bytes.
pub const MAX_FILE_NAME_BYTES: usize = 200;

/// Makes a sender-supplied attachment name safe to store and offer for download: path
/// separators and characters Windows forbids (`/ \ : * ? " < > |`) become `_`, control and
/// invisible formatting characters are removed, leading dots and spaces are dropped (no hidden
/// files, no `..`), and the name is cut to [`MAX_FILE_NAME_BYTES`] keeping its extension.
/// Returns `None` when nothing usable is left.
pub fn sanitize_file_name(s: &str) -> Option<String> {
    let mapped: String = s
        .chars()
        .filter(|c| !is_invisible_format(*c))
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            c if c.is_control() || c.is_whitespace() => ' ',
            c => c,
        })
        .collect();
    let line = one_line(&mapped);
    let trimmed = line
        .trim_start_matches(['.', ' '])
        .trim_end_matches(['.', ' ']);
    if trimmed.is_empty() || trimmed.chars().all(|c| c == '_') {
        return None;
    }
    if trimmed.len() <= MAX_FILE_NAME_BYTES {
        return Some(trimmed.to_owned());
    }
    // Keep a short extension, cut the stem.
    let (stem, ext) = match trimmed.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() && ext.len() <= 16 => (stem, Some(ext)),
        _ => (trimmed, None),
    };
    let room = MAX_FILE_NAME_BYTES - ext.map_or(0, |e| e.len() + 1);
    let mut cut = room.min(stem.len());
    while !stem.is_char_boundary(cut) {
        cut -= 1;
    }
    let mut out = stem[..cut].to_owned();
    if let Some(ext) = ext {
        out.push('.');
        out.push_str(ext);
    }
    Some(out)
}

/// Cuts `s` to at most `max` bytes at a character boundary; returns whether it cut.
pub fn truncate_at_boundary(s: &mut String, max: usize) -> bool {
    if s.len() <= max {
        return false;
    }
    let mut cut = max;
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    s.truncate(cut);
    true
}
