use embargo_pgp::{PgpError, SignatureStatus, TeamKey, decrypt, encrypt_and_sign};

use crate::{Parties, now};

const REPLY: &[u8] = b"Thank you, we reproduced the issue. Fix planned for 4.2.1.\n";

#[test]
fn reporter_decrypts_the_teams_message_and_sees_a_good_signature() {
    let parties = Parties::generate();

    let armored = encrypt_and_sign(&parties.team, &parties.reporter_public(), REPLY).unwrap();
    let decrypted = decrypt(
        &parties.reporter,
        armored.as_bytes(),
        &[parties.team_public()],
    )
    .unwrap();

    assert!(armored.starts_with("-----BEGIN PGP MESSAGE-----"));
    assert_eq!(decrypted.plaintext, REPLY);
    assert_eq!(
        decrypted.signature,
        SignatureStatus::Good {
            fingerprint: parties.team.fingerprint().to_owned()
        }
    );
}

#[test]
fn team_can_read_its_own_sent_message() {
    let parties = Parties::generate();
    let armored = encrypt_and_sign(&parties.team, &parties.reporter_public(), REPLY).unwrap();

    let decrypted = decrypt(&parties.team, armored.as_bytes(), &[parties.team_public()]).unwrap();

    assert_eq!(decrypted.plaintext, REPLY);
    assert!(decrypted.signature.is_good());
}

#[test]
fn signature_by_a_key_the_team_does_not_know_is_reported_as_unknown() {
    let parties = Parties::generate();
    let armored = encrypt_and_sign(&parties.reporter, &parties.team_public(), REPLY).unwrap();

    let decrypted = decrypt(&parties.team, armored.as_bytes(), &[]).unwrap();

    assert_eq!(
        decrypted.signature,
        SignatureStatus::UnknownKey {
            issuer: parties.reporter.fingerprint().to_owned()
        }
    );
}

#[test]
fn message_for_another_key_fails_with_a_clear_error() {
    let parties = Parties::generate();
    let stranger = TeamKey::generate("Stranger <s@example.net>", now()).unwrap();
    let armored = encrypt_and_sign(&parties.team, &parties.reporter_public(), REPLY).unwrap();

    let result = decrypt(&stranger, armored.as_bytes(), &[]);

    assert_eq!(
        result,
        Err(PgpError::NotForTeamKey {
            fingerprint: stranger.fingerprint().to_owned()
        })
    );
    assert!(
        result
            .unwrap_err()
            .to_string()
            .contains("not encrypted to the team key")
    );
}

#[test]
fn garbage_is_not_a_message() {
    let parties = Parties::generate();
    for input in [
        &b""[..],
        b"hello",
        b"-----BEGIN PGP MESSAGE-----\n\n!!!\n-----END PGP MESSAGE-----\n",
    ] {
        let result = decrypt(&parties.team, input, &[]);
        assert!(
            matches!(
                result,
                Err(PgpError::InvalidMessage { .. } | PgpError::Decryption { .. })
            ),
            "{input:?}: {result:?}"
        );
    }
}

#[test]
fn signed_but_unencrypted_data_is_not_an_encrypted_message() {
    let parties = Parties::generate();
    let signature = parties.team.sign_detached(b"x").unwrap();
    let result = decrypt(&parties.team, signature.as_bytes(), &[]);
    assert!(result.is_err(), "{result:?}");
}
