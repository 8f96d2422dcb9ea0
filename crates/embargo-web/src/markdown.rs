//! The team's Markdown (advisory descriptions and workarounds) as HTML safe to put in a page:
//! CommonMark (with tables and strikethrough) by pulldown-cmark, then ammonia's allowlist over
//! the result, because Markdown passes raw HTML through. Links may only point to `http`,
//! `https` and `mailto` (relative links and every other scheme lose their target), open
//! nothing with the page's authority (`rel="noopener noreferrer nofollow"`), and images are
//! dropped (the page's CSP would block outside images anyway).

use std::collections::HashSet;

use pulldown_cmark::{Event, Options, Parser, html};

/// Renders `md` to sanitized HTML.
pub(crate) fn to_html(md: &str) -> String {
    let mut raw = String::new();
    html::push_html(&mut raw, Parser::new_ext(md, options()));
    sanitize(&raw)
}

/// A thread message: the same Markdown, except that a line break stays a line break, because
/// many messages are mail replies written as plain text.
pub(crate) fn message_html(md: &str) -> String {
    let mut raw = String::new();
    let events = Parser::new_ext(md, options()).map(|e| match e {
        Event::SoftBreak => Event::HardBreak,
        other => other,
    });
    html::push_html(&mut raw, events);
    sanitize(&raw)
}

fn options() -> Options {
    let mut options = Options::empty();
    options.insert(Options::ENABLE_TABLES);
    options.insert(Options::ENABLE_STRIKETHROUGH);
    options
}

fn sanitize(raw: &str) -> String {
    ammonia::Builder::default()
        .rm_tags(["img"])
        .url_schemes(HashSet::from(["http", "https", "mailto"]))
        .url_relative(ammonia::UrlRelative::Deny)
        .link_rel(Some("noopener noreferrer nofollow"))
        .clean(raw)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::{message_html, to_html};

    #[track_caller]
    fn check(md: &str, must: &[&str], must_not: &[&str]) {
        let html = to_html(md);
        for m in must {
            assert!(html.contains(m), "{md:?} → {html}: missing {m:?}");
        }
        for m in must_not {
            assert!(
                !html.to_lowercase().contains(m),
                "{md:?} → {html}: has {m:?}"
            );
        }
    }

    #[test]
    fn markdown_becomes_html() {
        check(
            "Gateway *before* 3.4.2\n\n- one\n- `two`",
            &["<em>before</em>", "<li>one</li>", "<code>two</code>"],
            &[],
        );
        check(
            "| a | b |\n|---|---|\n| 1 | 2 |",
            &["<table>", "<td>1</td>"],
            &[],
        );
    }

    #[test]
    fn raw_html_scripts_and_handlers_are_removed() {
        check(
            "<script>alert(1)</script>\n\n<p onclick=\"x()\">hi</p><iframe src=\"https://e.test\"></iframe>",
            &["hi"],
            &["<script", "onclick", "<iframe", "alert(1)"],
        );
        check(
            "<img src=\"https://e.test/a.png\" onerror=\"x()\">",
            &[],
            &["<img", "onerror"],
        );
    }

    #[test]
    fn links_keep_only_http_https_and_mailto_targets() {
        check(
            "[a](https://vendor.test/x) [b](mailto:s@vendor.test) [c](http://v.test)",
            &[
                "href=\"https://vendor.test/x\"",
                "href=\"mailto:s@vendor.test\"",
                "href=\"http://v.test\"",
                "rel=\"noopener noreferrer nofollow\"",
            ],
            &[],
        );
        check(
            "[x](javascript:alert(1)) [y](data:text/html,hi) [z](/relative) [w](vbscript:x)",
            &[">x</a>", ">z</a>"],
            &["javascript:", "data:", "href=\"/relative", "vbscript"],
        );
        check(
            "<a href=\"javascript:alert(1)\">raw</a>",
            &["raw"],
            &["javascript:"],
        );
    }

    #[test]
    fn messages_keep_line_breaks_and_are_sanitized_alike() {
        let html = message_html(
            "Hello,\nsee below.\n\n<script>alert(2)</script><b onmouseover=\"x()\">b</b>",
        );
        assert!(html.contains("Hello,<br>"), "{html}");
        assert!(html.contains("<b>b</b>"), "{html}");
        assert!(
            !html.contains("<script")
                && !html.contains("alert(2)")
                && !html.contains("onmouseover"),
            "{html}"
        );
    }
}
