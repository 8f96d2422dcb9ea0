//! An Atom 1.0 feed (RFC 4287) of published advisories, written with a small escaping XML
//! writer: every text and attribute value goes through [`escape`], which also drops the
//! characters XML 1.0 does not allow, so user text cannot break the document.
//!
//! Per entry (RFC 4287 section 4.1.2): `id` is the caller's stable URI (a `urn:uuid:` of the
//! advisory, unchanged across revisions), `updated` the current revision's date, `published`
//! the first publication, `title` `<id>: <title>`, `summary` the one-line summary, `content`
//! the Markdown description as text, one `category` per CVSS severity given, and links to the
//! advisory page (`alternate`) and to its JSON documents (`related`).

use std::fmt::Write;

use jiff::Timestamp;

use crate::model::Advisory;

/// The feed's own metadata.
#[derive(Debug, Clone)]
pub struct Feed<'a> {
    /// A stable URI for the feed.
    pub id: &'a str,
    pub title: &'a str,
    /// The feed's own URL (`rel="self"`).
    pub self_url: &'a str,
    /// The HTML list it mirrors (`rel="alternate"`).
    pub html_url: &'a str,
    /// Author of the feed and its entries.
    pub author: &'a str,
    /// When nothing is published: the feed's `updated` (the newest entry's otherwise).
    pub empty_updated: Timestamp,
}

/// One advisory of the feed.
#[derive(Debug, Clone)]
pub struct Entry<'a> {
    /// A stable URI, e.g. `urn:uuid:…`.
    pub id: String,
    /// The advisory page.
    pub url: String,
    /// Other documents of the advisory: (URL, media type, title).
    pub related: Vec<(String, &'static str, String)>,
    /// Severity words for categories, e.g. `High`.
    pub categories: Vec<String>,
    /// The current revision's date.
    pub updated: Timestamp,
    pub advisory: &'a Advisory,
}

/// Escapes text for XML element content and attribute values, and drops characters XML 1.0
/// forbids (controls other than tab, line feed and carriage return; U+FFFE, U+FFFF).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

fn date(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// The feed document. Entries appear in the order given.
pub fn feed(feed: &Feed<'_>, entries: &[Entry<'_>]) -> String {
    let updated = entries
        .iter()
        .map(|e| e.updated)
        .max()
        .unwrap_or(feed.empty_updated);
    let mut x = String::new();
    // `write!` to a String cannot fail.
    let _ = write!(
        x,
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n\
         <feed xmlns=\"http://www.w3.org/2005/Atom\">\n\
         \x20 <id>{}</id>\n\
         \x20 <title>{}</title>\n\
         \x20 <updated>{}</updated>\n\
         \x20 <author><name>{}</name></author>\n\
         \x20 <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n\
         \x20 <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n\
         \x20 <generator version=\"{}\">{}</generator>\n",
        escape(feed.id),
        escape(feed.title),
        date(updated),
        escape(feed.author),
        escape(feed.self_url),
        escape(feed.html_url),
        escape(crate::GENERATOR_VERSION),
        escape(crate::GENERATOR),
    );
    for e in entries {
        let a = e.advisory;
        let _ = write!(
            x,
            "  <entry>\n\
             \x20   <id>{}</id>\n\
             \x20   <title>{}: {}</title>\n\
             \x20   <updated>{}</updated>\n\
             \x20   <published>{}</published>\n\
             \x20   <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
            escape(&e.id),
            escape(&a.id),
            escape(&a.title),
            date(e.updated),
            date(a.published),
            escape(&e.url),
        );
        for (url, media_type, title) in &e.related {
            let _ = writeln!(
                x,
                "    <link rel=\"related\" type=\"{}\" title=\"{}\" href=\"{}\"/>",
                escape(media_type),
                escape(title),
                escape(url),
            );
        }
        for c in &e.categories {
            let _ = writeln!(x, "    <category term=\"{}\"/>", escape(c));
        }
        let _ = write!(
            x,
            "    <summary type=\"text\">{}</summary>\n\
             \x20   <content type=\"text\">{}</content>\n\
             \x20 </entry>\n",
            escape(&a.summary),
            escape(&a.description_md),
        );
    }
    x.push_str("</feed>\n");
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_covers_markup_and_drops_what_xml_forbids() {
        let check = |input: &str, expect: &str| assert_eq!(escape(input), expect, "{input:?}");
        check(
            "a < b & c > \"d\" 'e'",
            "a &lt; b &amp; c &gt; &quot;d&quot; &apos;e&apos;",
        );
        check("bell\u{7}\u{0}ok\ttab\nnl", "bellok\ttab\nnl");
        check("</summary><x>", "&lt;/summary&gt;&lt;x&gt;");
        check("\u{FFFF}é", "é");
    }
}
