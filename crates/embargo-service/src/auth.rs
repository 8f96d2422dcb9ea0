//! Passwords: argon2id with the crate's default (OWASP) parameters, stored as PHC strings.

use anyhow::Context;
use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use rand::Rng;
use rand::distr::Alphanumeric;
use secrecy::{ExposeSecret, SecretString};

/// Hashes a password with argon2id and a fresh random salt.
pub fn hash_password(password: &SecretString) -> anyhow::Result<String> {
    let hash = Argon2::default()
        .hash_password(password.expose_secret().as_bytes())
        .map_err(|e| anyhow::anyhow!("{e}"))
        .context("hashing a password")?;
    Ok(hash.to_string())
}

/// Checks a password against a stored PHC string. A malformed stored hash never matches.
pub fn verify_password(password: &SecretString, stored: &str) -> bool {
    Argon2::default()
        .verify_password(password.expose_secret().as_bytes(), stored)
        .is_ok()
}

/// A random password of `len` alphanumeric characters from the operating system's CSPRNG
/// (through `rand`'s thread generator, reseeded from the OS).
pub fn generate_password(len: usize) -> SecretString {
    let password: String = rand::rng()
        .sample_iter(&Alphanumeric)
        .take(len)
        .map(char::from)
        .collect();
    SecretString::from(password)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_against_its_own_hash_only() {
        let pw = SecretString::from("correct horse battery staple");
        let hash = hash_password(&pw).unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(verify_password(&pw, &hash));
        assert!(!verify_password(&SecretString::from("wrong"), &hash));
        assert!(!verify_password(&pw, "not a phc string"));
    }

    #[test]
    fn generated_passwords_differ_and_have_the_requested_length() {
        let a = generate_password(24);
        let b = generate_password(24);
        assert_eq!(a.expose_secret().len(), 24);
        assert_ne!(a.expose_secret(), b.expose_secret());
    }
}
