//! Thread tokens found in replies.

use embargo_mail::ThreadToken;

use crate::analyze_default;

fn token() -> ThreadToken {
    ThreadToken::generate(*b"sixteen  bytes!!")
}

#[test]
fn a_reply_quoting_our_message_id_carries_its_token() {
    let t = token();
    let raw = format!(
        "From: r@example.org\r\nTo: security@vendor.example\r\nSubject: Re: report\r\nIn-Reply-To: <{}>\r\n\r\nmore details\r\n",
        t.message_id(3, "vendor.example")
    );
    let mail = analyze_default(raw.as_bytes());
    assert_eq!(mail.thread_token, Some(t));
}

#[test]
fn references_are_searched_newest_first_after_in_reply_to() {
    let (old, new) = (
        ThreadToken::generate([1; 16]),
        ThreadToken::generate([2; 16]),
    );
    let raw = format!(
        "From: r@example.org\r\nSubject: Re\r\nIn-Reply-To: <elsewhere@example.org>\r\nReferences: <{}> <x@example.org> <{}>\r\n\r\nhi\r\n",
        old.message_id(1, "v.example"),
        new.message_id(2, "v.example")
    );
    let mail = analyze_default(raw.as_bytes());
    assert_eq!(mail.thread_token, Some(new));
    assert_eq!(mail.thread_token_candidates, [new, old]);
}

#[test]
fn a_reply_to_our_plus_address_carries_its_token_in_any_recipient_field() {
    let t = token();
    let plus = t.reply_address("security", "vendor.example");
    for field in ["To", "Cc", "Delivered-To", "X-Original-To"] {
        let raw =
            format!("From: r@example.org\r\n{field}: Team <{plus}>\r\nSubject: s\r\n\r\nhi\r\n");
        let mail = analyze_default(raw.as_bytes());
        assert_eq!(mail.thread_token, Some(t), "{field}");
    }
    let upper = format!(
        "From: r@example.org\r\nTo: {}\r\nSubject: s\r\n\r\nhi\r\n",
        plus.to_uppercase()
    );
    assert_eq!(
        analyze_default(upper.as_bytes()).thread_token,
        Some(t),
        "case folded by a relay"
    );
}

#[test]
fn ordinary_plus_addresses_and_message_ids_are_not_tokens() {
    let raw = b"From: r@example.org\r\nTo: security+reports@vendor.example\r\nSubject: s\r\nIn-Reply-To: <CAEMnOreG=99=qx-ONib=g+32uBdSav5WP303BA@mail.gmail.com>\r\n\r\nhi\r\n";
    assert_eq!(analyze_default(raw).thread_token, None);
}
