//! OpenPGP messages: encrypt-and-sign outbound, decrypt-and-verify inbound.
//!
//! Inbound follows the EFAIL rule: plaintext is only returned from a message whose integrity
//! protection (SEIPD with MDC, or an AEAD tag) is present and verified over the whole message.
//! Messages in the old Symmetrically Encrypted Data packet fail with
//! [`PgpError::IntegrityMissing`], modified ones with [`PgpError::IntegrityFailed`].

use std::io::{Cursor, Read};

use pgp::composed::{
    ArmorOptions, DecryptionOptions, EncryptionSeipdV1, Message, MessageBuilder, TheRing,
};
use pgp::crypto::sym::SymmetricKeyAlgorithm;
use pgp::types::{Password, Tag};

use crate::error::{PgpError, Result};
use crate::key::{Component, PublicKey, TeamKey};
use crate::sign::{HASH, SignatureStatus, status_of};

/// The largest plaintext we return from one message, in bytes (limits decompression bombs too).
pub const MAX_PLAINTEXT: usize = 64 * 1024 * 1024;

/// Encrypts `plaintext` to `recipient` and to the team key (so the team can read its own sent
/// mail), signed by the team key, as an ASCII-armored `-----BEGIN PGP MESSAGE-----`.
///
/// The message is a v1 SEIPD packet (AES-256, with MDC), which every OpenPGP client reads.
pub fn encrypt_and_sign(team: &TeamKey, recipient: &PublicKey, plaintext: &[u8]) -> Result<String> {
    let encryption_error = |err: pgp::errors::Error| PgpError::Encryption {
        reason: err.to_string(),
    };
    let mut rng = crate::rng();
    let mut builder = MessageBuilder::from_bytes("", plaintext.to_vec())
        .seipd_v1(&mut rng, SymmetricKeyAlgorithm::AES256);
    for key in [recipient, team.public_key()] {
        encrypt_to(&mut builder, key).map_err(encryption_error)?;
    }
    builder.sign(team.signing_key(), Password::empty(), HASH);
    builder
        .to_armored_string(&mut rng, ArmorOptions::default())
        .map_err(encryption_error)
}

fn encrypt_to<R: Read>(
    builder: &mut MessageBuilder<'_, R, EncryptionSeipdV1>,
    key: &PublicKey,
) -> pgp::errors::Result<()> {
    for component in &key.encryption {
        match component {
            Component::Primary => {
                builder.encrypt_to_key(crate::rng(), &key.cert.primary_key)?;
            }
            Component::Subkey(index) => {
                if let Some(sub) = key.cert.public_subkeys.get(*index) {
                    builder.encrypt_to_key(crate::rng(), &sub.key)?;
                }
            }
        }
    }
    Ok(())
}

/// A decrypted, integrity-checked message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decrypted {
    /// The literal data of the message.
    pub plaintext: Vec<u8>,
    /// The signature inside the encryption, if any, checked against the known signers.
    pub signature: SignatureStatus,
}

/// Decrypts an OpenPGP message (ASCII-armored or binary) with the team key and checks any
/// signature inside it against `known_signers`.
///
/// Never returns plaintext of a message without integrity protection
/// ([`PgpError::IntegrityMissing`]) or whose protection fails ([`PgpError::IntegrityFailed`]).
pub fn decrypt(team: &TeamKey, message: &[u8], known_signers: &[PublicKey]) -> Result<Decrypted> {
    let (parsed, _headers) =
        Message::from_reader(Cursor::new(message)).map_err(|err| PgpError::InvalidMessage {
            reason: err.to_string(),
        })?;
    let Message::Encrypted { edata, .. } = &parsed else {
        return Err(PgpError::NotEncrypted);
    };
    if edata.tag() == Tag::SymEncryptedData {
        return Err(PgpError::IntegrityMissing);
    }

    let no_password = Password::empty();
    let ring = TheRing {
        secret_keys: vec![&team.secret],
        key_passwords: vec![&no_password],
        // GnuPG's OCB packet is AEAD-protected, so it is safe to read; SED stays refused.
        decrypt_options: DecryptionOptions::new().enable_gnupg_aead(),
        ..Default::default()
    };
    let (mut decrypted, _) = parsed
        .decrypt_the_ring(ring, true)
        .map_err(|err| decryption_error(&err, team))?;

    // Up to a few layers of compression, then compression inside a signed layer.
    for _ in 0..4 {
        if !decrypted.is_compressed() {
            break;
        }
        decrypted = decrypted
            .decompress()
            .map_err(|err| decryption_error(&err, team))?;
    }
    if decrypted.is_signed() {
        decrypted = decrypted
            .decompress()
            .map_err(|err| decryption_error(&err, team))?;
    }

    let mut plaintext = Vec::new();
    let limit = u64::try_from(MAX_PLAINTEXT).unwrap_or(u64::MAX);
    (&mut decrypted)
        .take(limit.saturating_add(1))
        .read_to_end(&mut plaintext)
        .map_err(|err| {
            if is_integrity_error(&err) {
                PgpError::IntegrityFailed
            } else {
                PgpError::Decryption {
                    reason: err.to_string(),
                }
            }
        })?;
    if plaintext.len() > MAX_PLAINTEXT {
        return Err(PgpError::TooLarge {
            limit: MAX_PLAINTEXT,
        });
    }

    let signature = message_signature(&decrypted, known_signers);
    Ok(Decrypted {
        plaintext,
        signature,
    })
}

/// The signature status of a message that has been read to its end.
fn message_signature(message: &Message<'_>, signers: &[PublicKey]) -> SignatureStatus {
    let Message::Signed { reader, .. } = message else {
        return SignatureStatus::Unsigned;
    };
    let signatures: Vec<_> = (0..reader.num_signatures())
        .filter_map(|i| reader.signature(i))
        .collect();
    let index_of = |sig: &pgp::packet::Signature| {
        (0..reader.num_signatures())
            .find(|i| reader.signature(*i).is_some_and(|s| std::ptr::eq(s, sig)))
    };
    status_of(signers, signatures.iter().copied(), |key, sig| {
        index_of(sig).is_some_and(|i| message.verify_nested_explicit(i, key.as_dyn()).is_ok())
    })
}

fn decryption_error(err: &pgp::errors::Error, team: &TeamKey) -> PgpError {
    if matches!(err, pgp::errors::Error::MissingKey) {
        return PgpError::NotForTeamKey {
            fingerprint: team.fingerprint().to_owned(),
        };
    }
    if is_integrity_error(err) {
        return PgpError::IntegrityFailed;
    }
    PgpError::Decryption {
        reason: err.to_string(),
    }
}

/// Whether an error, or one it wraps, is a failed MDC or AEAD check.
fn is_integrity_error(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut current = Some(err);
    let mut depth = 0;
    while let Some(err) = current {
        depth += 1;
        if depth > 16 {
            return false;
        }
        if let Some(pgp_err) = err.downcast_ref::<pgp::errors::Error>()
            && matches!(
                pgp_err,
                pgp::errors::Error::MdcError | pgp::errors::Error::Aead { .. }
            )
        {
            return true;
        }
        if err.downcast_ref::<pgp::crypto::aead::Error>().is_some() {
            return true;
        }
        if let Some(io) = err.downcast_ref::<std::io::Error>()
            && let Some(inner) = io.get_ref()
        {
            current = Some(inner);
            continue;
        }
        current = err.source();
    }
    false
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::io::{Cursor, Read};

    use pgp::armor::Dearmor;
    use pgp::composed::{ArmorOptions, MessageBuilder};
    use pgp::crypto::sym::SymmetricKeyAlgorithm;
    use pgp::packet::{LiteralData, PacketTrait, PublicKeyEncryptedSessionKey};

    use super::{decrypt, encrypt_and_sign};
    use crate::{PgpError, SignatureStatus, TeamKey};

    fn now() -> jiff::Timestamp {
        "2026-12-01T00:00:00Z".parse().unwrap()
    }

    fn dearmor(armored: &str) -> Vec<u8> {
        let mut binary = Vec::new();
        Dearmor::new(Cursor::new(armored.as_bytes()))
            .read_to_end(&mut binary)
            .unwrap();
        binary
    }

    /// A new-format packet header (RFC 9580 §4.2.1) with a five-octet length.
    fn packet(tag: u8, body: &[u8]) -> Vec<u8> {
        let mut out = vec![0xC0 | tag, 0xFF];
        out.extend_from_slice(&u32::try_from(body.len()).unwrap().to_be_bytes());
        out.extend_from_slice(body);
        out
    }

    #[test]
    fn modified_ciphertext_fails_the_integrity_check_at_every_position() {
        let team = TeamKey::generate("Team <team@example.org>", now()).unwrap();
        let reporter = TeamKey::generate("Rep <rep@example.org>", now()).unwrap();
        let plaintext = vec![b'x'; 2000];
        let armored = encrypt_and_sign(&team, reporter.public_key(), &plaintext).unwrap();
        let binary = dearmor(&armored);
        assert_eq!(
            decrypt(&reporter, &binary, &[]).unwrap().plaintext,
            plaintext,
            "the untouched binary message decrypts"
        );

        // The SEIPD packet is the tail of the message; try the middle, the MDC and the last byte.
        for back in [1500, 700, 100, 21, 5, 1] {
            let mut tampered = binary.clone();
            let at = tampered.len() - back;
            tampered[at] ^= 0x40;

            let result = decrypt(&reporter, &tampered, &[]);

            assert_eq!(
                result,
                Err(PgpError::IntegrityFailed),
                "byte {back} from the end"
            );
        }
    }

    #[test]
    fn old_symmetrically_encrypted_packet_without_mdc_is_refused() {
        let team = TeamKey::generate("Team <team@example.org>", now()).unwrap();
        let alg = SymmetricKeyAlgorithm::AES256;
        let session_key = alg.new_session_key(crate::rng());
        let encryption_subkey = &team.public.cert.public_subkeys[0];
        let pkesk = PublicKeyEncryptedSessionKey::from_session_key_v3(
            crate::rng(),
            &session_key,
            alg,
            encryption_subkey,
        )
        .unwrap();
        let literal = LiteralData::from_bytes("", "attack at dawn".as_bytes().into()).unwrap();
        let mut literal_bytes = Vec::new();
        literal.to_writer_with_header(&mut literal_bytes).unwrap();
        // Symmetrically Encrypted Data (tag 9): OpenPGP CFB with resync, no MDC.
        let sed_body = alg
            .encrypt(crate::rng(), session_key.as_ref(), &literal_bytes)
            .unwrap();
        let mut message = Vec::new();
        pkesk.to_writer_with_header(&mut message).unwrap();
        message.extend(packet(9, &sed_body));

        let result = decrypt(&team, &message, &[]);

        assert_eq!(result, Err(PgpError::IntegrityMissing));
    }

    #[test]
    fn message_without_signature_is_unsigned() {
        let team = TeamKey::generate("Team <team@example.org>", now()).unwrap();
        let mut builder = MessageBuilder::from_bytes("", b"hello".to_vec())
            .seipd_v1(crate::rng(), SymmetricKeyAlgorithm::AES128);
        builder
            .encrypt_to_key(crate::rng(), &team.public.cert.public_subkeys[0])
            .unwrap();
        let armored = builder
            .to_armored_string(crate::rng(), ArmorOptions::default())
            .unwrap();

        let decrypted = decrypt(&team, armored.as_bytes(), &[]).unwrap();

        assert_eq!(decrypted.plaintext, b"hello");
        assert_eq!(decrypted.signature, SignatureStatus::Unsigned);
    }
}
