//! Embargo's OpenPGP: every OpenPGP operation the product needs, behind one crate.
//!
//! - [`TeamKey`]: the team's secret key (generate, import, export, sign).
//! - [`PublicKey`]: a reporter's key, checked on import (not revoked, not expired, can encrypt).
//! - Signatures: [`TeamKey::sign_detached`] (CSAF `.asc`), [`TeamKey::sign_cleartext`]
//!   (security.txt, RFC 9116), [`verify_detached`], [`verify_cleartext`].
//! - Outbound mail: [`encrypt_and_sign`] and [`pgp_mime::encrypt_entity`] (RFC 3156).
//! - Inbound mail: [`decrypt_mail`], [`verify_mail`], [`keys_in_mail`].
//!
//! **Architecture invariant:** the OpenPGP library (rpgp) is an implementation detail; none of
//! its types appear in this crate's API, so it can be swapped.
//!
//! **Architecture invariant:** plaintext is never returned from a message without verified
//! integrity protection (EFAIL): see [`PgpError::IntegrityMissing`] and
//! [`PgpError::IntegrityFailed`].
//!
//! Time is a parameter: key validity is checked at the `now` the caller passes.

mod error;
mod key;
mod mail;
mod message;
pub mod pgp_mime;
mod sign;

pub use error::{PgpError, Result};
pub use key::{PublicKey, TeamKey};
pub use mail::{DecryptedMail, MailKind, decrypt_mail, keys_in_mail, verify_mail};
pub use message::{Decrypted, MAX_PLAINTEXT, decrypt, encrypt_and_sign};
pub use sign::{SignatureStatus, VerifiedText, verify_cleartext, verify_detached};

/// The random number generator handed to the OpenPGP library (a CSPRNG seeded from the OS).
fn rng() -> rand08::rngs::ThreadRng {
    rand08::thread_rng()
}
