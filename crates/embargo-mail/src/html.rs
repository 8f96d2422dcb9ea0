//! HTML to plain text, for messages that arrive only as HTML.
//!
//! A small tolerant tokenizer, not a browser: it never fetches anything, never runs anything and
//! never returns markup. Script, style, head and template content is dropped; block elements
//! become line breaks; list items get a dash; a link keeps its target as text
//! (`label <https://…>`), because in a vulnerability report the URL often *is* the content;
//! images keep their alt text. Character references are decoded.

/// Elements whose content is not text for a reader.
const DROPPED: &[&str] = &[
    "script", "style", "head", "title", "template", "object", "iframe",
];

/// Elements that start and end on their own line.
const BLOCK: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "center",
    "dd",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
    "body",
    "html",
];

/// Renders HTML as readable plain text.
pub fn html_to_text(html: &str) -> String {
    let mut r = Renderer::default();
    let bytes = html.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'<'
            && let Some(end) = r.tag(html, i)
        {
            i = end;
            continue;
        }
        // Text up to the next '<'.
        let from = if bytes[i] == b'<' { i + 1 } else { i };
        let next = html[from..].find('<').map_or(html.len(), |p| from + p);
        if r.dropping.is_none() {
            r.text(&decode_entities(&html[i..next]));
        }
        i = next;
    }
    r.finish()
}

#[derive(Default)]
struct Renderer {
    out: String,
    /// Inside a dropped element: its name, until the matching end tag.
    dropping: Option<String>,
    pre_depth: usize,
    /// The target of the open `<a>`, and where its label starts in `out`.
    link: Option<(String, usize)>,
}

impl Renderer {
    /// Handles the markup starting at `start` (a `<`); returns the index after it, or `None` if
    /// this `<` is just text.
    fn tag(&mut self, html: &str, start: usize) -> Option<usize> {
        let rest = &html[start..];
        if rest.starts_with("<!--") {
            return Some(rest.find("-->").map_or(html.len(), |p| start + p + 3));
        }
        if rest.starts_with("<!") || rest.starts_with("<?") {
            return Some(rest.find('>').map_or(html.len(), |p| start + p + 1));
        }
        let closing = rest.as_bytes().get(1) == Some(&b'/');
        let name_start = if closing { 2 } else { 1 };
        let name: String = rest[name_start..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
            return None;
        }
        let end = tag_end(rest).map_or(html.len(), |p| start + p + 1);
        let inner = &html[start..end];

        if let Some(dropped) = &self.dropping {
            if closing && *dropped == name {
                self.dropping = None;
            }
            return Some(end);
        }
        if !closing && DROPPED.contains(&name.as_str()) && !inner.ends_with("/>") {
            self.dropping = Some(name);
            return Some(end);
        }
        match (name.as_str(), closing) {
            ("br", _) => self.newline(),
            ("p", _) => self.blank_line(),
            ("li", false) => {
                self.newline();
                self.out.push_str("- ");
            }
            ("pre", false) => {
                self.newline();
                self.pre_depth += 1;
            }
            ("pre", true) => {
                self.pre_depth = self.pre_depth.saturating_sub(1);
                self.newline();
            }
            ("td" | "th", true) => self.space(),
            ("a", false) => {
                let href = attribute(inner, "href").unwrap_or_default();
                self.link = Some((href, self.out.len()));
            }
            ("a", true) => self.close_link(),
            ("img", _) => {
                if let Some(alt) = attribute(inner, "alt").filter(|a| !a.trim().is_empty()) {
                    self.text(&format!("[{}]", alt.trim()));
                }
            }
            (n, _) if BLOCK.contains(&n) => self.newline(),
            _ => {}
        }
        Some(end)
    }

    fn close_link(&mut self) {
        let Some((href, label_start)) = self.link.take() else {
            return;
        };
        let href = href.trim();
        if href.is_empty() || href.starts_with('#') {
            return;
        }
        let lower = href.to_ascii_lowercase();
        if lower.starts_with("javascript:") || lower.starts_with("data:") {
            return;
        }
        let label = self.out.get(label_start..).unwrap_or_default().trim();
        let shown = lower
            .strip_prefix("mailto:")
            .map_or(href, |_| href.get(7..).unwrap_or(href));
        if label == href || label == shown {
            return;
        }
        if label.is_empty() {
            self.text(href);
        } else {
            self.text(&format!(" <{href}>"));
        }
    }

    fn text(&mut self, s: &str) {
        if self.pre_depth > 0 {
            self.out.push_str(s);
            return;
        }
        for c in s.chars() {
            if c.is_whitespace() {
                if !self.out.is_empty() && !self.out.ends_with([' ', '\n']) {
                    self.out.push(' ');
                }
            } else {
                self.out.push(c);
            }
        }
    }

    fn space(&mut self) {
        if !self.out.is_empty() && !self.out.ends_with([' ', '\n']) {
            self.out.push(' ');
        }
    }

    fn newline(&mut self) {
        while self.out.ends_with(' ') {
            self.out.pop();
        }
        if !self.out.is_empty() && !self.out.ends_with('\n') {
            self.out.push('\n');
        }
    }

    fn blank_line(&mut self) {
        self.newline();
        if !self.out.is_empty() && !self.out.ends_with("\n\n") {
            self.out.push('\n');
        }
    }

    fn finish(mut self) -> String {
        self.close_link();
        let mut lines: Vec<&str> = Vec::new();
        let mut blank = 0;
        for line in self.out.lines() {
            let line = line.trim_end();
            if line.trim().is_empty() {
                blank += 1;
                if blank > 1 || lines.is_empty() {
                    continue;
                }
            } else {
                blank = 0;
            }
            lines.push(line);
        }
        while lines.last().is_some_and(|l| l.trim().is_empty()) {
            lines.pop();
        }
        lines.join("\n")
    }
}

/// Index of the `>` closing the tag at the start of `s`, skipping quoted attribute values.
fn tag_end(s: &str) -> Option<usize> {
    let mut quote: Option<u8> = None;
    for (i, b) in s.bytes().enumerate().skip(1) {
        match (quote, b) {
            (Some(q), b) if b == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(b),
            (None, b'>') => return Some(i),
            (None, b'<') => return Some(i.saturating_sub(1)),
            _ => {}
        }
    }
    None
}

/// The decoded value of attribute `name` in a start tag.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let lower = tag.to_ascii_lowercase();
    let mut from = 0;
    while let Some(p) = lower[from..].find(name) {
        let at = from + p;
        from = at + name.len();
        let before_ok = lower[..at].ends_with(|c: char| c.is_ascii_whitespace());
        let after = lower[from..].trim_start();
        if !before_ok || !after.starts_with('=') {
            continue;
        }
        let value_start = tag.len() - after.len() + 1;
        let value = tag[value_start..].trim_start();
        let raw = match value.chars().next() {
            Some(q @ ('"' | '\'')) => value[1..].split(q).next().unwrap_or_default(),
            _ => value
                .split(|c: char| c.is_ascii_whitespace() || c == '>')
                .next()
                .unwrap_or_default(),
        };
        return Some(decode_entities(raw));
    }
    None
}

/// Decodes numeric character references and the named ones that occur in mail.
pub fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(p) = rest.find('&') {
        out.push_str(&rest[..p]);
        rest = &rest[p..];
        let end = rest[1..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '#'))
            .map_or(rest.len(), |e| e + 1);
        let name = &rest[1..end];
        let decoded = if let Some(num) = name.strip_prefix('#') {
            let n = match num.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok(),
                None => num.parse::<u32>().ok(),
            };
            n.map(|n| {
                char::from_u32(n)
                    .filter(|c| *c != '\0')
                    .unwrap_or('\u{FFFD}')
            })
        } else {
            named_entity(name)
        };
        match decoded {
            Some(c) => {
                out.push(c);
                let consumed = if rest[end..].starts_with(';') {
                    end + 1
                } else {
                    end
                };
                rest = &rest[consumed..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn named_entity(name: &str) -> Option<char> {
    Some(match name {
        "amp" | "AMP" => '&',
        "lt" | "LT" => '<',
        "gt" | "GT" => '>',
        "quot" | "QUOT" => '"',
        "apos" => '\'',
        "nbsp" => '\u{a0}',
        "shy" => '\u{ad}',
        "copy" => '©',
        "reg" => '®',
        "trade" => '™',
        "euro" => '€',
        "pound" => '£',
        "yen" => '¥',
        "cent" => '¢',
        "sect" => '§',
        "deg" => '°',
        "plusmn" => '±',
        "middot" => '·',
        "bull" => '•',
        "hellip" => '…',
        "ndash" => '–',
        "mdash" => '—',
        "lsquo" => '‘',
        "rsquo" => '’',
        "sbquo" => '‚',
        "ldquo" => '“',
        "rdquo" => '”',
        "bdquo" => '„',
        "laquo" => '«',
        "raquo" => '»',
        "times" => '×',
        "divide" => '÷',
        "auml" => 'ä',
        "ouml" => 'ö',
        "uuml" => 'ü',
        "Auml" => 'Ä',
        "Ouml" => 'Ö',
        "Uuml" => 'Ü',
        "szlig" => 'ß',
        "eacute" => 'é',
        "egrave" => 'è',
        "ecirc" => 'ê',
        "aacute" => 'á',
        "agrave" => 'à',
        "acirc" => 'â',
        "iacute" => 'í',
        "oacute" => 'ó',
        "uacute" => 'ú',
        "ccedil" => 'ç',
        "ntilde" => 'ñ',
        "aring" => 'å',
        "oslash" => 'ø',
        "aelig" => 'æ',
        "Eacute" => 'É',
        "Aring" => 'Å',
        "Oslash" => 'Ø',
        "AElig" => 'Æ',
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(html: &str, expect: &str) {
        assert_eq!(html_to_text(html), expect, "{html:?}");
    }

    #[test]
    fn html_becomes_readable_text_with_link_targets() {
        check(
            "<p>Hello <b>world</b></p><p>Second</p>",
            "Hello world\n\nSecond",
        );
        check(
            r#"See <a href="https://evil.example/poc?a=1&amp;b=2">the PoC</a>."#,
            "See the PoC <https://evil.example/poc?a=1&b=2>.",
        );
        check(
            r#"<a href="https://x.example/">https://x.example/</a>"#,
            "https://x.example/",
        );
        check(
            r#"<a href="mailto:a@b.example">a@b.example</a>"#,
            "a@b.example",
        );
        check("<ul><li>one</li><li>two</li></ul>", "- one\n- two");
        check("a<br>b<br/>c", "a\nb\nc");
        check(
            "caf&eacute; &#233; &#x41; &amp;&lt;x&gt; &bogus;",
            "café é A &<x> &bogus;",
        );
    }

    #[test]
    fn scripts_styles_and_comments_are_dropped() {
        check(
            "<html><head><title>T</title><style>p{}</style></head><body>\
             <script>alert('x<p>')</script><!-- hidden --><p>shown</p></body></html>",
            "shown",
        );
        check(r#"<a href="javascript:alert(1)">click</a>"#, "click");
        check("<pre>  a\n  b</pre>", "  a\n  b");
        check("1 < 2 and <3", "1 < 2 and <3");
        check(r#"<img src="cid:x" alt="logo">"#, "[logo]");
    }
}
