//! Signatures: detached (CSAF `.asc` files), cleartext (security.txt, RFC 9116 §2.3), and how a
//! signature is matched to a known key.

use std::io::Cursor;

use pgp::composed::{ArmorOptions, CleartextSignedMessage, Deserializable, DetachedSignature};
use pgp::crypto::hash::HashAlgorithm;
use pgp::packet::{Signature, SignatureType};
use pgp::types::{Password, VerifyingKey};

use crate::error::{PgpError, Result};
use crate::key::{Component, PublicKey, TeamKey, hex_upper};

/// The hash every signature of ours uses.
pub(crate) const HASH: HashAlgorithm = HashAlgorithm::Sha256;

/// The outcome of checking a signature against the keys we know.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignatureStatus {
    /// No signature was found.
    Unsigned,
    /// A known key made the signature and it verifies.
    Good {
        /// Primary-key fingerprint (upper-case hex) of the signer.
        fingerprint: String,
    },
    /// The signature was made by a key we do not know, so it cannot be checked.
    UnknownKey {
        /// The issuer the signature names: a fingerprint, else a key ID (upper-case hex).
        issuer: String,
    },
    /// The signature does not verify: the data was changed, or the signature is broken.
    Bad {
        /// Primary-key fingerprint of the known key the signature claims, if one matched.
        fingerprint: Option<String>,
    },
}

impl SignatureStatus {
    /// True only for [`SignatureStatus::Good`].
    pub fn is_good(&self) -> bool {
        matches!(self, SignatureStatus::Good { .. })
    }
}

/// A cleartext-signed text after verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedText {
    /// The signed text, dash-escaping removed, with CRLF line ends as it was hashed.
    pub text: String,
    /// What the signature check found.
    pub signature: SignatureStatus,
}

impl TeamKey {
    /// Signs `data` with the team key, returning an ASCII-armored detached signature
    /// (`-----BEGIN PGP SIGNATURE-----`), e.g. the `.asc` file next to a CSAF document.
    pub fn sign_detached(&self, data: &[u8]) -> Result<String> {
        let signature = DetachedSignature::sign_binary_data(
            crate::rng(),
            &Box::new(self.signing_key()),
            &Password::empty(),
            HASH,
            data,
        )
        .map_err(signing_error)?;
        signature
            .to_armored_string(ArmorOptions::default())
            .map_err(signing_error)
    }

    /// Signs `text` as an OpenPGP cleartext-signed message (RFC 9580 §7), as RFC 9116 §2.3
    /// asks for `/.well-known/security.txt`. Line ends are hashed as CRLF, so the signature
    /// survives a change between LF and CRLF.
    pub fn sign_cleartext(&self, text: &str) -> Result<String> {
        let signed = CleartextSignedMessage::sign(
            crate::rng(),
            text,
            &Box::new(self.signing_key()),
            &Password::empty(),
        )
        .map_err(signing_error)?;
        signed
            .to_armored_string(ArmorOptions::default())
            .map_err(signing_error)
    }
}

fn signing_error(err: pgp::errors::Error) -> PgpError {
    PgpError::Signing {
        reason: err.to_string(),
    }
}

/// Verifies an ASCII-armored (or binary) detached signature over `data` against `signers`.
///
/// Returns [`SignatureStatus::Good`] when one of `signers` made it, [`SignatureStatus::Bad`] when
/// a known signer's signature does not match `data`, [`SignatureStatus::UnknownKey`] otherwise.
/// Fails only when `signature` cannot be read.
pub fn verify_detached(
    signers: &[PublicKey],
    data: &[u8],
    signature: &[u8],
) -> Result<SignatureStatus> {
    let (parsed, _headers) = DetachedSignature::from_reader_single(Cursor::new(signature))
        .map_err(|err| PgpError::InvalidSignature {
            reason: err.to_string(),
        })?;
    Ok(status_of(signers, [&parsed.signature], |key, sig| {
        matches!(sig.typ(), Some(SignatureType::Binary | SignatureType::Text))
            && key.verify(sig, data)
    }))
}

/// Verifies a cleartext-signed message (e.g. a signed security.txt) against `signers`.
///
/// The input may have text before `-----BEGIN PGP SIGNED MESSAGE-----`; it is ignored.
pub fn verify_cleartext(signers: &[PublicKey], signed: &str) -> Result<VerifiedText> {
    let start = signed
        .find("-----BEGIN PGP SIGNED MESSAGE-----")
        .ok_or_else(|| PgpError::InvalidSignature {
            reason: "no -----BEGIN PGP SIGNED MESSAGE----- line".to_owned(),
        })?;
    let (message, _headers) =
        CleartextSignedMessage::from_string(&signed[start..]).map_err(|err| {
            PgpError::InvalidSignature {
                reason: err.to_string(),
            }
        })?;
    let hashed = message.signed_text();
    let signature = status_of(signers, message.signatures(), |key, sig| {
        sig.typ() == Some(SignatureType::Text) && key.verify(sig, hashed.as_bytes())
    });
    Ok(VerifiedText {
        text: hashed,
        signature,
    })
}

/// The status of a set of signatures: Bad if any known signer's signature fails, else Good if any
/// verifies, else UnknownKey for the first issuer, else Unsigned.
pub(crate) fn status_of<'s>(
    signers: &[PublicKey],
    signatures: impl IntoIterator<Item = &'s Signature>,
    verify: impl Fn(SignerKey<'_>, &Signature) -> bool,
) -> SignatureStatus {
    let mut good = None;
    let mut unknown = None;
    for sig in signatures {
        match find_signer(signers, sig) {
            Some((signer, key)) => {
                if verify(key, sig) {
                    good.get_or_insert_with(|| signer.fingerprint().to_owned());
                } else {
                    return SignatureStatus::Bad {
                        fingerprint: Some(signer.fingerprint().to_owned()),
                    };
                }
            }
            None => {
                unknown.get_or_insert_with(|| issuer_of(sig));
            }
        }
    }
    match (good, unknown) {
        (Some(fingerprint), _) => SignatureStatus::Good { fingerprint },
        (None, Some(issuer)) => SignatureStatus::UnknownKey { issuer },
        (None, None) => SignatureStatus::Unsigned,
    }
}

/// The issuer a signature names, as upper-case hex (fingerprint preferred).
pub(crate) fn issuer_of(sig: &Signature) -> String {
    if let Some(fp) = sig.issuer_fingerprint().first() {
        return hex_upper(fp.as_bytes());
    }
    if let Some(id) = sig.issuer_key_id().first() {
        return hex_upper(id.as_ref());
    }
    "unknown".to_owned()
}

/// A signing-capable component key of a known signer.
#[derive(Clone, Copy)]
pub(crate) enum SignerKey<'k> {
    Primary(&'k pgp::packet::PublicKey),
    Subkey(&'k pgp::packet::PublicSubkey),
}

impl<'k> SignerKey<'k> {
    /// Whether `sig` is a valid signature by this key over `data`.
    pub(crate) fn verify(self, sig: &Signature, data: &[u8]) -> bool {
        match self {
            SignerKey::Primary(key) => sig.verify(key, data).is_ok(),
            SignerKey::Subkey(key) => sig.verify(key, data).is_ok(),
        }
    }

    pub(crate) fn as_dyn(self) -> &'k dyn VerifyingKey {
        match self {
            SignerKey::Primary(key) => key,
            SignerKey::Subkey(key) => key,
        }
    }
}

/// The known signer and its signing-capable component that `sig` names as issuer.
pub(crate) fn find_signer<'k>(
    signers: &'k [PublicKey],
    sig: &Signature,
) -> Option<(&'k PublicKey, SignerKey<'k>)> {
    let fingerprints = sig.issuer_fingerprint();
    let key_ids = sig.issuer_key_id();
    for signer in signers {
        for component in &signer.signing {
            let key = match component {
                Component::Primary => SignerKey::Primary(&signer.cert.primary_key),
                Component::Subkey(i) => match signer.cert.public_subkeys.get(*i) {
                    Some(sub) => SignerKey::Subkey(&sub.key),
                    None => continue,
                },
            };
            let dyn_key = key.as_dyn();
            let named = fingerprints.iter().any(|fp| **fp == dyn_key.fingerprint())
                || key_ids.iter().any(|id| **id == dyn_key.legacy_key_id());
            if named {
                return Some((signer, key));
            }
        }
    }
    None
}
