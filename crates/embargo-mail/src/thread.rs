//! Thread tokens: the secret that binds a reply to its report.
//!
//! Embargo never trusts a subject line or a Message-ID it did not mint. Each report gets a
//! 128-bit random [`ThreadToken`], and every message Embargo sends about it carries the token
//! twice: in its Message-ID, `<emb.{token}.{n}@{domain}>`, which a reply quotes back in
//! In-Reply-To and References (RFC 5322 §3.6.4), and in its reply address,
//! `security+{token}@{domain}` (a "plus address"), which the reply is sent to. A forger who has
//! not seen one of our messages cannot guess 128 bits.
//!
//! This module only recognises *well-formed candidates*; whether a candidate belongs to a report
//! is the service's question, answered by a lookup.

use std::fmt;
use std::str::FromStr;

use crate::error::TokenError;

const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";

/// 128 random bits written as 26 lower-case base32 characters (RFC 4648 §6 alphabet, no
/// padding). 26 characters hold 130 bits; the last character carries the final 3 bits followed
/// by two zero bits, so each token has exactly one spelling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ThreadToken([u8; ThreadToken::LEN]);

impl ThreadToken {
    /// Length of the written form.
    pub const LEN: usize = 26;

    /// Writes 16 random bytes (from the caller's CSPRNG) as a token.
    pub fn generate(random: [u8; 16]) -> Self {
        let bits = u128::from_be_bytes(random);
        let mut out = [0u8; Self::LEN];
        for (i, slot) in out.iter_mut().enumerate() {
            // The 5-bit group `i` of the 130-bit number `bits << 2`.
            let shift = 123i32 - 5 * i as i32;
            let group = if shift >= 0 {
                (bits >> shift) & 0x1f
            } else {
                (bits << (-shift)) & 0x1f
            };
            *slot = ALPHABET[group as usize];
        }
        ThreadToken(out)
    }

    /// Parses the written form. Upper-case letters are accepted and folded, because some
    /// systems change the case of addresses; anything else must be exact.
    pub fn parse(s: &str) -> Result<Self, TokenError> {
        let err = |reason| TokenError {
            value: s.chars().take(64).collect(),
            reason,
        };
        if s.len() != Self::LEN {
            return Err(err("must be 26 characters"));
        }
        let mut out = [0u8; Self::LEN];
        for (slot, b) in out.iter_mut().zip(s.bytes()) {
            let b = b.to_ascii_lowercase();
            if !ALPHABET.contains(&b) {
                return Err(err("must use only a-z and 2-7"));
            }
            *slot = b;
        }
        let last = ALPHABET
            .iter()
            .position(|&a| a == out[Self::LEN - 1])
            .unwrap_or(0);
        if last & 0b11 != 0 {
            return Err(err("last character is not canonical"));
        }
        Ok(ThreadToken(out))
    }

    /// The 16 bytes the token was generated from.
    pub fn to_bytes(&self) -> [u8; 16] {
        let mut bits: u128 = 0;
        for (i, &c) in self.0.iter().enumerate() {
            let group = ALPHABET.iter().position(|&a| a == c).unwrap_or(0) as u128;
            if i + 1 < Self::LEN {
                bits = (bits << 5) | group;
            } else {
                bits = (bits << 3) | (group >> 2);
            }
        }
        bits.to_be_bytes()
    }

    pub fn as_str(&self) -> &str {
        // Only ever holds bytes of the ASCII alphabet.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// The Message-ID (without angle brackets) of the `n`th message Embargo sends in this thread.
    pub fn message_id(&self, n: u64, domain: &str) -> String {
        format!("emb.{}.{n}@{domain}", self.as_str())
    }

    /// The plus address replies to this thread are sent to.
    pub fn reply_address(&self, local_part: &str, domain: &str) -> String {
        format!("{local_part}+{}@{domain}", self.as_str())
    }

    /// Recognises `emb.{token}.{n}@{domain}` (angle brackets optional).
    pub fn from_message_id(id: &str) -> Option<Self> {
        let id = id.trim().trim_start_matches('<').trim_end_matches('>');
        let (local, domain) = id.rsplit_once('@')?;
        // `get` rather than slicing: the local part may hold any UTF-8, and byte 4 need not be
        // a character boundary.
        let prefix = local.get(..4)?;
        if domain.is_empty() || !prefix.eq_ignore_ascii_case("emb.") {
            return None;
        }
        let (token, n) = local.get(4..)?.split_once('.')?;
        if n.is_empty() || n.len() > 20 || !n.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Self::parse(token).ok()
    }

    /// Recognises `{local}+{token}@{domain}` (angle brackets optional).
    pub fn from_plus_address(address: &str) -> Option<Self> {
        let address = address.trim().trim_start_matches('<').trim_end_matches('>');
        let (local, domain) = address.rsplit_once('@')?;
        let (base, tag) = local.split_once('+')?;
        if base.is_empty() || domain.is_empty() {
            return None;
        }
        Self::parse(tag).ok()
    }
}

impl fmt::Display for ThreadToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl AsRef<str> for ThreadToken {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl FromStr for ThreadToken {
    type Err = TokenError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl From<ThreadToken> for String {
    fn from(t: ThreadToken) -> String {
        t.to_string()
    }
}

/// Candidate tokens in order of trust: In-Reply-To first (the message this one answers), then
/// References from newest to oldest, then the recipient plus addresses. Duplicates are dropped.
pub(crate) fn candidates<'a>(
    in_reply_to: impl IntoIterator<Item = &'a String>,
    references: &'a [String],
    recipients: impl IntoIterator<Item = &'a String>,
) -> Vec<ThreadToken> {
    let mut out: Vec<ThreadToken> = Vec::new();
    let mut push = |t: Option<ThreadToken>| {
        if let Some(t) = t
            && !out.contains(&t)
        {
            out.push(t);
        }
    };
    for id in in_reply_to {
        push(ThreadToken::from_message_id(id));
    }
    for id in references.iter().rev() {
        push(ThreadToken::from_message_id(id));
    }
    for address in recipients {
        push(ThreadToken::from_plus_address(address));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_id_with_a_multibyte_character_early_is_no_token() {
        assert_eq!(
            ThreadToken::from_message_id("<11\u{fffd}8BAF252B7D4@example.org>"),
            None
        );
        assert_eq!(ThreadToken::from_message_id("<é.x.1@example.org>"), None);
    }

    #[test]
    fn tokens_round_trip_through_their_written_form_and_bytes() {
        for random in [[0u8; 16], [0xff; 16], *b"0123456789abcdef"] {
            let t = ThreadToken::generate(random);
            assert_eq!(t.as_str().len(), 26);
            assert_eq!(ThreadToken::parse(t.as_str()), Ok(t));
            assert_eq!(t.to_bytes(), random);
        }
        assert_eq!(ThreadToken::generate([0; 16]).as_str(), "a".repeat(26));
        assert_eq!(
            ThreadToken::generate([0xff; 16]).as_str(),
            format!("{}4", "7".repeat(25))
        );
    }

    #[test]
    fn non_canonical_or_malformed_tokens_are_refused() {
        let good = ThreadToken::generate([7; 16]).to_string();
        assert!(ThreadToken::parse(&good.to_uppercase()).is_ok());
        let mut last_bits = good.clone();
        last_bits.pop();
        last_bits.push('b');
        for bad in [
            "",
            &good[..25],
            &format!("{good}a"),
            &good.replace(&good[..1], "1"),
            &last_bits,
        ] {
            assert!(ThreadToken::parse(bad).is_err(), "{bad:?}");
        }
    }
}
