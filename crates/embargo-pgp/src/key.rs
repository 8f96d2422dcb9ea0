//! Keys: the team's secret key ([`TeamKey`]) and reporters' public keys ([`PublicKey`]).
//!
//! The OpenPGP library parses keys and checks signatures, but leaves key semantics to us
//! (RFC 9580 §5.2.3.13 key flags, §5.2.3.18 key expiration, §5.5.2 revocation). This module
//! decides which component keys may sign and which may encrypt, at a given time.

use std::io::Cursor;

use jiff::Timestamp;
use pgp::composed::{
    ArmorOptions, Deserializable, EncryptionCaps, KeyType, SecretKeyParamsBuilder, SignedPublicKey,
    SignedSecretKey, SubkeyParamsBuilder,
};
use pgp::crypto::ecc_curve::ECCCurve;
use pgp::crypto::hash::HashAlgorithm;
use pgp::crypto::sym::SymmetricKeyAlgorithm;
use pgp::packet::{KeyFlags, Signature, SignatureType, SubpacketData};
use pgp::types::{CompressionAlgorithm, KeyDetails, SigningKey, Tag};

use crate::error::{PgpError, Result};

/// A component key of a certificate: the primary key or the subkey at an index of
/// `SignedPublicKey::public_subkeys`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Component {
    Primary,
    Subkey(usize),
}

/// A reporter's (or any correspondent's) OpenPGP public key, checked for use.
///
/// Construction checks the self-signatures, rejects revoked and expired keys and keys without a
/// valid encryption-capable component, so a `PublicKey` can always be encrypted to.
#[derive(Debug, Clone)]
pub struct PublicKey {
    pub(crate) cert: SignedPublicKey,
    pub(crate) signing: Vec<Component>,
    pub(crate) encryption: Vec<Component>,
    user_ids: Vec<String>,
    fingerprint: String,
    armored: String,
}

impl PublicKey {
    /// Imports an ASCII-armored public key (`-----BEGIN PGP PUBLIC KEY BLOCK-----`), checked at `now`.
    ///
    /// Fails with [`PgpError::Revoked`], [`PgpError::Expired`] or [`PgpError::NoEncryptionKey`]
    /// for keys we could not encrypt to, and [`PgpError::SecretKeyGiven`] for a secret key.
    pub fn from_armored(armored: &str, now: Timestamp) -> Result<PublicKey> {
        Self::from_bytes(armored.as_bytes(), now)
    }

    /// Imports a public key in binary or ASCII-armored form, checked at `now`.
    ///
    /// If the data holds several keys, the first one is taken.
    pub fn from_bytes(bytes: &[u8], now: Timestamp) -> Result<PublicKey> {
        let cert = match SignedPublicKey::from_reader_single(Cursor::new(bytes)) {
            Ok((cert, _headers)) => cert,
            Err(err) => {
                if SignedSecretKey::from_reader_single(Cursor::new(bytes)).is_ok() {
                    return Err(PgpError::SecretKeyGiven);
                }
                return Err(PgpError::InvalidKey {
                    reason: err.to_string(),
                });
            }
        };
        Self::from_cert(cert, now)
    }

    fn from_cert(cert: SignedPublicKey, now: Timestamp) -> Result<PublicKey> {
        let usage = analyse(&cert, now)?;
        if usage.encryption.is_empty() {
            return Err(PgpError::NoEncryptionKey {
                fingerprint: usage.fingerprint,
            });
        }
        let armored = cert
            .to_armored_string(ArmorOptions::default())
            .map_err(|err| PgpError::InvalidKey {
                reason: err.to_string(),
            })?;
        Ok(PublicKey {
            cert,
            signing: usage.signing,
            encryption: usage.encryption,
            user_ids: usage.user_ids,
            fingerprint: usage.fingerprint,
            armored,
        })
    }

    /// The primary key's fingerprint, upper-case hex without spaces.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// The User IDs with a valid, unrevoked self-signature, as text.
    pub fn user_ids(&self) -> &[String] {
        &self.user_ids
    }

    /// The e-mail addresses found in the valid User IDs (`Name <addr>` or a bare address).
    pub fn emails(&self) -> Vec<String> {
        let mut emails: Vec<String> = self
            .user_ids
            .iter()
            .filter_map(|uid| email_of(uid))
            .collect();
        emails.dedup();
        emails
    }

    /// Whether a message can be encrypted to this key; always true for an imported key, as
    /// import rejects keys without a valid encryption component.
    pub fn can_encrypt(&self) -> bool {
        !self.encryption.is_empty()
    }

    /// Whether this key has a valid signing-capable component, so its signatures can be verified.
    pub fn can_sign(&self) -> bool {
        !self.signing.is_empty()
    }

    /// The key as an ASCII-armored public key block, ready to store or publish.
    pub fn to_armored(&self) -> &str {
        &self.armored
    }
}

/// The team's OpenPGP secret key: signs outgoing documents and mail, decrypts incoming reports.
///
/// Held unprotected in memory; the caller keeps the armored form secret at rest. Its `Debug`
/// output shows only the fingerprint, so the key cannot end up in a log.
#[derive(Clone)]
pub struct TeamKey {
    pub(crate) secret: SignedSecretKey,
    pub(crate) public: PublicKey,
    signer: SecretComponent,
    armored_secret: String,
}

impl std::fmt::Debug for TeamKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TeamKey")
            .field("fingerprint", &self.fingerprint())
            .finish_non_exhaustive()
    }
}

/// Where the secret signing key sits in a [`SignedSecretKey`].
#[derive(Debug, Clone, Copy)]
enum SecretComponent {
    Primary,
    SecretSubkey(usize),
}

impl TeamKey {
    /// Generates a new team key for `user_id` (e.g. `"Example PSIRT <psirt@example.com>"`),
    /// created at `now`: an Ed25519 primary key that certifies and signs, and a Curve25519
    /// (X25519 ECDH) encryption subkey, both in the v4 format every OpenPGP client reads.
    pub fn generate(user_id: &str, now: Timestamp) -> Result<TeamKey> {
        let user_id_trimmed = user_id.trim();
        if user_id_trimmed.is_empty() || user_id.contains(['\r', '\n', '\0']) {
            return Err(PgpError::InvalidUserId {
                user_id: user_id.to_owned(),
                reason: "must be one non-empty line".to_owned(),
            });
        }
        let created_at = to_pgp_time(now)?;
        let keygen_err = |reason: String| PgpError::KeyGeneration { reason };

        let mut encryption = SubkeyParamsBuilder::default();
        encryption
            .key_type(KeyType::ECDH(ECCCurve::Curve25519Legacy))
            .can_sign(false)
            .can_encrypt(EncryptionCaps::All)
            .can_authenticate(false)
            .created_at(created_at);
        let encryption = encryption
            .build()
            .map_err(|err| keygen_err(err.to_string()))?;

        let mut params = SecretKeyParamsBuilder::default();
        params
            .key_type(KeyType::Ed25519Legacy)
            .can_certify(true)
            .can_sign(true)
            .can_encrypt(EncryptionCaps::None)
            .created_at(created_at)
            .primary_user_id(user_id_trimmed.to_owned())
            .preferred_symmetric_algorithms(
                vec![SymmetricKeyAlgorithm::AES256, SymmetricKeyAlgorithm::AES128].into(),
            )
            .preferred_hash_algorithms(vec![HashAlgorithm::Sha256, HashAlgorithm::Sha512].into())
            .preferred_compression_algorithms(
                vec![CompressionAlgorithm::ZLIB, CompressionAlgorithm::ZIP].into(),
            )
            .subkeys(vec![encryption]);
        let params = params.build().map_err(|err| keygen_err(err.to_string()))?;
        let secret = params
            .generate(crate::rng())
            .map_err(|err| keygen_err(err.to_string()))?;
        Self::from_secret(secret, now)
    }

    /// Imports an ASCII-armored, unprotected secret key (`-----BEGIN PGP PRIVATE KEY BLOCK-----`),
    /// checked at `now`.
    ///
    /// Rejects a key protected by a passphrase, a key that cannot sign, one without an
    /// encryption-capable key, and revoked or expired keys.
    pub fn from_armored(armored: &str, now: Timestamp) -> Result<TeamKey> {
        let (secret, _headers) = SignedSecretKey::from_reader_single(Cursor::new(armored))
            .map_err(|err| PgpError::InvalidKey {
                reason: err.to_string(),
            })?;
        Self::from_secret(secret, now)
    }

    fn from_secret(secret: SignedSecretKey, now: Timestamp) -> Result<TeamKey> {
        let cert = secret.to_public_key();
        let usage = analyse(&cert, now)?;
        let fingerprint = usage.fingerprint.clone();
        let public_only = secret.public_subkeys.len();

        // Map a component of the public view back to its secret material.
        let secret_of = |component: Component| match component {
            Component::Primary => Some(SecretComponent::Primary),
            Component::Subkey(index) => index
                .checked_sub(public_only)
                .filter(|i| *i < secret.secret_subkeys.len())
                .map(SecretComponent::SecretSubkey),
        };
        let is_protected = |component: SecretComponent| match component {
            SecretComponent::Primary => secret.primary_key.secret_params().is_encrypted(),
            SecretComponent::SecretSubkey(i) => secret
                .secret_subkeys
                .get(i)
                .is_none_or(|sub| sub.key.secret_params().is_encrypted()),
        };

        let signer = usage
            .signing
            .iter()
            .find_map(|c| secret_of(*c))
            .ok_or_else(|| PgpError::CannotSign {
                fingerprint: fingerprint.clone(),
            })?;
        let decrypters: Vec<SecretComponent> = usage
            .encryption
            .iter()
            .filter_map(|c| secret_of(*c))
            .collect();
        if decrypters.is_empty() {
            return Err(PgpError::NoEncryptionKey { fingerprint });
        }
        if is_protected(signer) || decrypters.iter().any(|c| is_protected(*c)) {
            return Err(PgpError::PassphraseProtected { fingerprint });
        }

        let armored_secret = secret
            .to_armored_string(ArmorOptions::default())
            .map_err(|err| PgpError::InvalidKey {
                reason: err.to_string(),
            })?;
        let public = PublicKey::from_cert(cert, now)?;
        Ok(TeamKey {
            secret,
            public,
            signer,
            armored_secret,
        })
    }

    /// The secret key, ASCII-armored and unprotected. Keep it secret.
    pub fn to_armored_secret(&self) -> &str {
        &self.armored_secret
    }

    /// The public half, ASCII-armored, to publish (e.g. next to security.txt).
    pub fn public_armored(&self) -> &str {
        self.public.to_armored()
    }

    /// The public half as a [`PublicKey`], e.g. to verify the team's own signatures.
    pub fn public_key(&self) -> &PublicKey {
        &self.public
    }

    /// The primary key's fingerprint, upper-case hex without spaces.
    pub fn fingerprint(&self) -> &str {
        self.public.fingerprint()
    }

    /// The User IDs with a valid self-signature.
    pub fn user_ids(&self) -> &[String] {
        self.public.user_ids()
    }

    pub(crate) fn signing_key(&self) -> &dyn SigningKey {
        match self.signer {
            SecretComponent::Primary => &self.secret.primary_key,
            SecretComponent::SecretSubkey(i) => match self.secret.secret_subkeys.get(i) {
                Some(sub) => &sub.key,
                // Unreachable: `signer` was checked against `secret_subkeys` on construction.
                None => &self.secret.primary_key,
            },
        }
    }
}

/// Upper-case hex of a fingerprint or key ID.
pub(crate) fn hex_upper(bytes: &[u8]) -> String {
    hex::encode_upper(bytes)
}

fn to_pgp_time(now: Timestamp) -> Result<pgp::types::Timestamp> {
    let secs = u32::try_from(now.as_second()).map_err(|_| PgpError::KeyGeneration {
        reason: format!("time {now} cannot be stored in an OpenPGP key"),
    })?;
    Ok(pgp::types::Timestamp::from_secs(secs))
}

/// The address in a User ID: the text in the last `<...>`, or the whole User ID if it is an address.
fn email_of(user_id: &str) -> Option<String> {
    let candidate = match (user_id.rfind('<'), user_id.rfind('>')) {
        (Some(open), Some(close)) if open < close => &user_id[open + 1..close],
        _ => user_id,
    };
    let candidate = candidate.trim();
    let (local, domain) = candidate.split_once('@')?;
    let plausible = !local.is_empty()
        && !domain.is_empty()
        && !domain.contains('@')
        && !candidate.contains(char::is_whitespace);
    plausible.then(|| candidate.to_owned())
}

/// What a certificate may be used for, at a given time.
struct Usage {
    fingerprint: String,
    user_ids: Vec<String>,
    signing: Vec<Component>,
    encryption: Vec<Component>,
}

/// Key flags of a binding signature, `None` if it carries no Key Flags subpacket.
fn flags_of(sig: &Signature) -> Option<KeyFlags> {
    let config = sig.config()?;
    config.hashed_subpackets().find_map(|p| match &p.data {
        SubpacketData::KeyFlags(flags) => Some(flags.clone()),
        _ => None,
    })
}

fn created_secs(sig: &Signature) -> u32 {
    sig.created().map(|t| t.as_secs()).unwrap_or(0)
}

/// Newest of the signatures that pass `valid`.
fn newest<'a>(
    sigs: impl Iterator<Item = &'a Signature>,
    valid: impl Fn(&Signature) -> bool,
) -> Option<&'a Signature> {
    sigs.filter(|sig| valid(sig))
        .max_by_key(|sig| created_secs(sig))
}

/// Expiry of a component created at `created` as set by `binding`, if any.
fn expiry(created: pgp::types::Timestamp, binding: &Signature) -> Option<Timestamp> {
    let lifetime = binding.key_expiration_time()?.as_secs();
    if lifetime == 0 {
        return None;
    }
    let at = i64::from(created.as_secs()) + i64::from(lifetime);
    Timestamp::from_second(at).ok()
}

fn analyse(cert: &SignedPublicKey, now: Timestamp) -> Result<Usage> {
    let primary = &cert.primary_key;
    let fingerprint = hex_upper(primary.fingerprint().as_bytes());

    let revoked = cert.details.revocation_signatures.iter().any(|sig| {
        sig.typ() == Some(SignatureType::KeyRevocation) && sig.verify_key(primary).is_ok()
    });
    if revoked {
        return Err(PgpError::Revoked { fingerprint });
    }

    // User IDs with a valid self-signature whose newest one is not a revocation.
    let mut user_ids = Vec::new();
    let mut user_bindings: Vec<&Signature> = Vec::new();
    for user in &cert.details.users {
        let latest = newest(user.signatures.iter(), |sig| {
            sig.verify_certification(primary, Tag::UserId, &user.id)
                .is_ok()
        });
        let Some(latest) = latest else { continue };
        if latest.typ() == Some(SignatureType::CertRevocation) {
            continue;
        }
        user_ids.push(String::from_utf8_lossy(user.id.id()).into_owned());
        user_bindings.push(latest);
    }
    let direct = newest(cert.details.direct_signatures.iter(), |sig| {
        sig.typ() == Some(SignatureType::Key) && sig.verify_key(primary).is_ok()
    });

    // The primary key's binding: the primary User ID's self-signature, else the newest one,
    // else a direct-key signature.
    let primary_binding = user_bindings
        .iter()
        .copied()
        .filter(|sig| sig.is_primary())
        .max_by_key(|sig| created_secs(sig))
        .or_else(|| {
            user_bindings
                .iter()
                .copied()
                .max_by_key(|s| created_secs(s))
        })
        .or(direct)
        .ok_or_else(|| PgpError::InvalidKey {
            reason: format!("key {fingerprint} has no valid self-signature"),
        })?;

    for binding in [Some(primary_binding), direct].into_iter().flatten() {
        if let Some(expired_at) = expiry(primary.created_at(), binding)
            && expired_at <= now
        {
            return Err(PgpError::Expired {
                fingerprint,
                expired_at,
            });
        }
    }

    let mut signing = Vec::new();
    let mut encryption = Vec::new();
    let algorithm = primary.algorithm();
    let flags = flags_of(primary_binding).or_else(|| direct.and_then(flags_of));
    let (can_sign, can_encrypt) = match &flags {
        Some(flags) => (
            flags.sign(),
            flags.encrypt_comms() || flags.encrypt_storage(),
        ),
        None => (true, true),
    };
    if can_sign && algorithm.can_sign() {
        signing.push(Component::Primary);
    }
    if can_encrypt && algorithm.can_encrypt() {
        encryption.push(Component::Primary);
    }

    for (index, sub) in cert.public_subkeys.iter().enumerate() {
        let revoked = sub.signatures.iter().any(|sig| {
            sig.typ() == Some(SignatureType::SubkeyRevocation)
                && sig.verify_subkey_binding(primary, &sub.key).is_ok()
        });
        if revoked {
            continue;
        }
        let binding = newest(sub.signatures.iter(), |sig| {
            sig.typ() == Some(SignatureType::SubkeyBinding)
                && sig.verify_subkey_binding(primary, &sub.key).is_ok()
        });
        let Some(binding) = binding else { continue };
        if expiry(sub.key.created_at(), binding).is_some_and(|at| at <= now) {
            continue;
        }
        let algorithm = sub.key.algorithm();
        let (can_sign, can_encrypt) = match flags_of(binding) {
            Some(flags) => (
                flags.sign(),
                flags.encrypt_comms() || flags.encrypt_storage(),
            ),
            None => (false, algorithm.can_encrypt()),
        };
        if can_sign && algorithm.can_sign() {
            // A signing subkey must cross-certify its primary (RFC 9580 §5.2.1, 0x19).
            let backsig_ok = binding
                .embedded_signature()
                .is_some_and(|back| back.verify_primary_key_binding(&sub.key, primary).is_ok());
            if backsig_ok {
                signing.push(Component::Subkey(index));
            }
        }
        if can_encrypt && algorithm.can_encrypt() {
            encryption.push(Component::Subkey(index));
        }
    }

    Ok(Usage {
        fingerprint,
        user_ids,
        signing,
        encryption,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use pgp::composed::{EncryptionCaps, KeyType, SecretKeyParamsBuilder, SubkeyParamsBuilder};
    use pgp::crypto::ecc_curve::ECCCurve;
    use pgp::packet::{SignatureConfig, SignatureType, Subpacket, SubpacketData};
    use pgp::ser::Serialize;
    use pgp::types::{Duration, KeyDetails, Password, Tag};

    use super::{PublicKey, TeamKey, email_of};
    use crate::PgpError;

    fn now() -> jiff::Timestamp {
        "2026-12-01T00:00:00Z".parse().unwrap()
    }

    fn later(hours: i64) -> jiff::Timestamp {
        now() + jiff::SignedDuration::from_hours(hours)
    }

    #[test]
    fn email_is_taken_from_angle_brackets_or_a_bare_address() {
        assert_eq!(
            email_of("Ada <ada@example.org>").as_deref(),
            Some("ada@example.org")
        );
        assert_eq!(
            email_of("bob@example.org").as_deref(),
            Some("bob@example.org")
        );
        assert_eq!(email_of("No Address"), None);
        assert_eq!(email_of("Broken <a b@c>"), None);
    }

    #[test]
    fn binary_public_key_imports_like_armored() {
        let team = TeamKey::generate("T <t@example.org>", now()).unwrap();
        let binary = team.public.cert.to_bytes().unwrap();
        let key = PublicKey::from_bytes(&binary, now()).unwrap();
        assert_eq!(key.fingerprint(), team.fingerprint());
    }

    #[test]
    fn key_whose_self_signature_sets_an_expiry_is_rejected_after_it() {
        let team = TeamKey::generate("T <t@example.org>", now()).unwrap();
        let mut cert = team.public.cert.clone();
        let primary = &team.secret.primary_key;
        let mut config =
            SignatureConfig::from_key(crate::rng(), primary, SignatureType::CertPositive).unwrap();
        config.hashed_subpackets.push(
            Subpacket::regular(SubpacketData::KeyExpirationTime(Duration::from_secs(3600)))
                .unwrap(),
        );
        let user = &mut cert.details.users[0];
        let sig = config
            .sign_certification(
                primary,
                primary.public_key(),
                &Password::empty(),
                Tag::UserId,
                &user.id,
            )
            .unwrap();
        user.signatures = vec![sig];

        let fresh = PublicKey::from_cert(cert.clone(), now());
        let expired = PublicKey::from_cert(cert, later(2));

        assert!(fresh.is_ok(), "{fresh:?}");
        assert!(
            matches!(expired, Err(PgpError::Expired { ref fingerprint, .. }) if fingerprint == team.fingerprint()),
            "{expired:?}"
        );
    }

    #[test]
    fn revoked_key_is_rejected() {
        let team = TeamKey::generate("T <t@example.org>", now()).unwrap();
        let mut cert = team.public.cert.clone();
        let primary = &team.secret.primary_key;
        let revocation =
            SignatureConfig::from_key(crate::rng(), primary, SignatureType::KeyRevocation)
                .unwrap()
                .sign_key(primary, &Password::empty(), primary.public_key())
                .unwrap();
        cert.details.revocation_signatures.push(revocation);

        let result = PublicKey::from_cert(cert, now());

        assert!(
            matches!(result, Err(PgpError::Revoked { .. })),
            "{result:?}"
        );
    }

    #[test]
    fn revoked_encryption_subkey_leaves_no_encryption_key() {
        let team = TeamKey::generate("T <t@example.org>", now()).unwrap();
        let mut cert = team.public.cert.clone();
        let primary = &team.secret.primary_key;
        let sub = cert.public_subkeys[0].key.clone();
        let revocation =
            SignatureConfig::from_key(crate::rng(), primary, SignatureType::SubkeyRevocation)
                .unwrap()
                .sign_subkey_binding(primary, primary.public_key(), &Password::empty(), &sub)
                .unwrap();
        cert.public_subkeys[0].signatures.push(revocation);

        let result = PublicKey::from_cert(cert, now());

        assert!(
            matches!(result, Err(PgpError::NoEncryptionKey { .. })),
            "{result:?}"
        );
    }

    fn rpgp_key(
        sign: bool,
        with_encryption_subkey: bool,
        passphrase: Option<&str>,
    ) -> pgp::composed::SignedSecretKey {
        let mut params = SecretKeyParamsBuilder::default();
        params
            .key_type(KeyType::Ed25519Legacy)
            .can_certify(true)
            .can_sign(sign)
            .primary_user_id("X <x@example.org>".into())
            .passphrase(passphrase.map(str::to_owned));
        if with_encryption_subkey {
            let mut sub = SubkeyParamsBuilder::default();
            sub.key_type(KeyType::ECDH(ECCCurve::Curve25519Legacy))
                .can_encrypt(EncryptionCaps::All)
                .passphrase(passphrase.map(str::to_owned));
            params.subkeys(vec![sub.build().unwrap()]);
        }
        params.build().unwrap().generate(crate::rng()).unwrap()
    }

    fn armored(key: &pgp::composed::SignedSecretKey) -> String {
        key.to_armored_string(Default::default()).unwrap()
    }

    #[test]
    fn key_without_encryption_subkey_is_rejected_as_public_and_as_team_key() {
        let key = rpgp_key(true, false, None);
        let public_armored = key
            .to_public_key()
            .to_armored_string(Default::default())
            .unwrap();

        let team = TeamKey::from_armored(&armored(&key), now());
        let public = PublicKey::from_armored(&public_armored, now());

        assert!(
            matches!(team, Err(PgpError::NoEncryptionKey { .. })),
            "{team:?}"
        );
        assert!(
            matches!(public, Err(PgpError::NoEncryptionKey { .. })),
            "{public:?}"
        );
    }

    #[test]
    fn team_key_that_cannot_sign_is_rejected() {
        let result = TeamKey::from_armored(&armored(&rpgp_key(false, true, None)), now());
        assert!(
            matches!(result, Err(PgpError::CannotSign { .. })),
            "{result:?}"
        );
    }

    #[test]
    fn passphrase_protected_team_key_is_rejected() {
        let result = TeamKey::from_armored(&armored(&rpgp_key(true, true, Some("hunter2"))), now());
        assert!(
            matches!(result, Err(PgpError::PassphraseProtected { .. })),
            "{result:?}"
        );
    }

    #[test]
    fn debug_output_of_a_team_key_shows_no_secret() {
        let team = TeamKey::generate("T <t@example.org>", now()).unwrap();
        let shown = format!("{team:?}");
        assert_eq!(
            shown,
            format!("TeamKey {{ fingerprint: {:?}, .. }}", team.fingerprint())
        );
    }

    #[test]
    fn primary_key_fingerprint_is_upper_hex() {
        let team = TeamKey::generate("T <t@example.org>", now()).unwrap();
        let expected = super::hex_upper(team.secret.primary_key.fingerprint().as_bytes());
        assert_eq!(team.fingerprint(), expected);
        assert_eq!(team.fingerprint().len(), 40);
    }
}
