//! The one error type of this crate.
//!
//! Every fallible function returns [`PgpError`]. Variants name what was wrong and carry the values
//! that help a person fix it (a fingerprint, a limit). Errors of the OpenPGP library are turned
//! into text here, so its types never leak out of the crate.

/// What went wrong in an OpenPGP operation.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PgpError {
    /// The bytes are not an OpenPGP key we can read.
    #[error("not a readable OpenPGP key: {reason}")]
    InvalidKey { reason: String },

    /// A secret key was given where a public key was expected.
    #[error("this is a secret (private) key; send the public key instead")]
    SecretKeyGiven,

    /// A secret key is protected by a passphrase; the team key must be stored unprotected.
    #[error("secret key {fingerprint} is protected by a passphrase; import it without one")]
    PassphraseProtected { fingerprint: String },

    /// The key has no usable signing-capable component.
    #[error("key {fingerprint} cannot sign (no valid signing-capable primary key or subkey)")]
    CannotSign { fingerprint: String },

    /// The key has no usable encryption-capable component.
    #[error("key {fingerprint} has no valid encryption subkey")]
    NoEncryptionKey { fingerprint: String },

    /// The key expired before the time it was checked at.
    #[error("key {fingerprint} expired at {expired_at}")]
    Expired {
        fingerprint: String,
        expired_at: jiff::Timestamp,
    },

    /// The key carries a valid revocation signature.
    #[error("key {fingerprint} has been revoked by its owner")]
    Revoked { fingerprint: String },

    /// A User ID for a new key was empty or not usable.
    #[error("invalid User ID {user_id:?}: {reason}")]
    InvalidUserId { user_id: String, reason: String },

    /// Key generation failed inside the OpenPGP library.
    #[error("key generation failed: {reason}")]
    KeyGeneration { reason: String },

    /// Creating a signature failed.
    #[error("signing failed: {reason}")]
    Signing { reason: String },

    /// Encrypting a message failed.
    #[error("encryption failed: {reason}")]
    Encryption { reason: String },

    /// The bytes are not an OpenPGP signature we can read.
    #[error("not a readable OpenPGP signature: {reason}")]
    InvalidSignature { reason: String },

    /// The bytes are not an OpenPGP message we can read.
    #[error("not a readable OpenPGP message: {reason}")]
    InvalidMessage { reason: String },

    /// An OpenPGP message was expected to be encrypted but is not.
    #[error("the OpenPGP message is not encrypted")]
    NotEncrypted,

    /// The message is encrypted, but not to the team key.
    #[error("the message is not encrypted to the team key {fingerprint}")]
    NotForTeamKey { fingerprint: String },

    /// The message uses the old Symmetrically Encrypted Data packet, which has no integrity
    /// protection (EFAIL). Its plaintext is never returned.
    #[error(
        "the message has no integrity protection (old Symmetrically Encrypted Data packet, no MDC); refusing to decrypt it"
    )]
    IntegrityMissing,

    /// The message's integrity protection (MDC or AEAD tag) does not match: the ciphertext was
    /// modified. Its plaintext is never returned.
    #[error(
        "the message's integrity check failed (modified ciphertext); refusing to return its plaintext"
    )]
    IntegrityFailed,

    /// Decrypting a message failed for a reason other than integrity.
    #[error("decryption failed: {reason}")]
    Decryption { reason: String },

    /// The decrypted plaintext is larger than we accept (decompression bombs included).
    #[error("the decrypted message is larger than the limit of {limit} bytes")]
    TooLarge { limit: usize },

    /// The mail or MIME structure is broken.
    #[error("malformed mail: {reason}")]
    MalformedMail { reason: String },
}

/// Result with [`PgpError`].
pub type Result<T, E = PgpError> = std::result::Result<T, E>;
