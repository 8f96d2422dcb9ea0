//! Output-safety helpers.

use embargo_mail::{
    HeaderError, MAX_HEADER_VALUE, header_safe, sanitize_display_name, sanitize_file_name,
};

#[test]
fn header_safe_refuses_line_breaks_nul_controls_and_overlong_values() {
    assert_eq!(
        header_safe("Re: XSS in login\tform"),
        Ok("Re: XSS in login\tform")
    );
    assert_eq!(
        header_safe("a\r\nBcc: x"),
        Err(HeaderError::LineBreak { found: '\r', at: 1 })
    );
    assert_eq!(
        header_safe("a\nb"),
        Err(HeaderError::LineBreak { found: '\n', at: 1 })
    );
    assert_eq!(
        header_safe("a\u{2028}b"),
        Err(HeaderError::LineBreak {
            found: '\u{2028}',
            at: 1
        })
    );
    assert_eq!(header_safe("a\0b"), Err(HeaderError::Nul { at: 1 }));
    assert_eq!(
        header_safe("a\u{1b}[31m"),
        Err(HeaderError::ControlCharacter {
            found: '\u{1b}',
            at: 1
        })
    );
    let long = "x".repeat(MAX_HEADER_VALUE + 1);
    assert_eq!(
        header_safe(&long),
        Err(HeaderError::TooLong {
            len: MAX_HEADER_VALUE + 1,
            max: MAX_HEADER_VALUE
        })
    );
}

#[test]
fn display_names_are_one_short_line_without_address_lookalikes() {
    assert_eq!(
        sanitize_display_name("  Jörn \r\n Støylen "),
        "Jörn Støylen"
    );
    assert_eq!(
        sanitize_display_name("\"Bank\" <ceo@bank.example>"),
        "Bank ceo@bank.example"
    );
    assert_eq!(sanitize_display_name("a\u{202E}b\u{200B}c"), "abc");
    assert_eq!(sanitize_display_name(&"n".repeat(500)).chars().count(), 64);
    for nasty in ["x\r\nBcc: y", "\0\u{7f}", "\u{2029}"] {
        assert!(
            header_safe(&sanitize_display_name(nasty)).is_ok(),
            "{nasty:?}"
        );
    }
}

#[test]
fn file_names_lose_paths_controls_and_excess_length() {
    assert_eq!(
        sanitize_file_name("report.pdf").as_deref(),
        Some("report.pdf")
    );
    assert_eq!(
        sanitize_file_name("/etc/passwd").as_deref(),
        Some("_etc_passwd")
    );
    assert_eq!(
        sanitize_file_name("a\tb\nc.txt").as_deref(),
        Some("a b c.txt")
    );
    assert_eq!(sanitize_file_name(".."), None);
    assert_eq!(sanitize_file_name("  "), None);
    let long = format!("{}.tar.gz", "a".repeat(300));
    let cut = sanitize_file_name(&long).unwrap();
    assert!(cut.len() <= 200 && cut.ends_with(".gz"), "{cut}");
}
