use embargo_pgp::{PgpError, PublicKey, TeamKey};

use crate::{Parties, now};

#[test]
fn generated_team_key_round_trips_through_armor_with_the_same_fingerprint() {
    let team = TeamKey::generate("Example PSIRT <psirt@example.com>", now()).unwrap();

    let reimported = TeamKey::from_armored(team.to_armored_secret(), now()).unwrap();
    let public = PublicKey::from_armored(team.public_armored(), now()).unwrap();

    assert_eq!(reimported.fingerprint(), team.fingerprint());
    assert_eq!(public.fingerprint(), team.fingerprint());
    assert_eq!(reimported.user_ids(), ["Example PSIRT <psirt@example.com>"]);
    assert_eq!(public.emails(), ["psirt@example.com"]);
    assert!(public.can_encrypt());
    assert!(public.can_sign());
    assert!(
        team.fingerprint()
            .chars()
            .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
    );
    assert!(
        team.to_armored_secret()
            .starts_with("-----BEGIN PGP PRIVATE KEY BLOCK-----")
    );
    assert!(
        team.public_armored()
            .starts_with("-----BEGIN PGP PUBLIC KEY BLOCK-----")
    );
    assert!(!team.public_armored().contains("PRIVATE"));
}

#[test]
fn two_generated_keys_differ() {
    let parties = Parties::generate();
    assert_ne!(parties.team.fingerprint(), parties.reporter.fingerprint());
}

#[test]
fn public_key_reads_armored_text_passed_as_bytes() {
    let parties = Parties::generate();
    let key = PublicKey::from_bytes(parties.reporter.public_armored().as_bytes(), now()).unwrap();
    assert_eq!(key.fingerprint(), parties.reporter.fingerprint());
    assert_eq!(key.emails(), ["rita@example.org"]);
}

#[test]
fn secret_key_offered_as_public_key_is_refused_with_a_clear_error() {
    let parties = Parties::generate();
    let result = PublicKey::from_armored(parties.reporter.to_armored_secret(), now());
    assert_eq!(result.unwrap_err(), PgpError::SecretKeyGiven);
}

#[test]
fn public_key_offered_as_team_key_is_refused() {
    let parties = Parties::generate();
    let result = TeamKey::from_armored(parties.team.public_armored(), now());
    assert!(
        matches!(result, Err(PgpError::InvalidKey { .. })),
        "{result:?}"
    );
}

#[test]
fn garbage_is_not_a_key() {
    for input in [
        &b""[..],
        b"hello",
        b"-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nAAAA\n-----END PGP PUBLIC KEY BLOCK-----\n",
        &[0x99, 0x00, 0x05, 1, 2, 3, 4, 5],
    ] {
        let result = PublicKey::from_bytes(input, now());
        assert!(
            matches!(result, Err(PgpError::InvalidKey { .. })),
            "{input:?}: {result:?}"
        );
    }
}

#[test]
fn user_id_must_be_one_non_empty_line() {
    for bad in ["", "   ", "A\nB <b@example.org>"] {
        let result = TeamKey::generate(bad, now());
        assert!(
            matches!(result, Err(PgpError::InvalidUserId { .. })),
            "{bad:?}: {result:?}"
        );
    }
}

#[test]
fn errors_name_what_was_wrong() {
    let err = PgpError::NoEncryptionKey {
        fingerprint: "ABCD".to_owned(),
    };
    assert_eq!(err.to_string(), "key ABCD has no valid encryption subkey");
}
