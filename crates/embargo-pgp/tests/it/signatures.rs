use embargo_pgp::{PgpError, SignatureStatus, verify_cleartext, verify_detached};

use crate::Parties;

const CSAF: &[u8] =
    br#"{"document":{"category":"csaf_security_advisory","title":"EMB-2026-0042"}}"#;

#[test]
fn detached_signature_verifies_against_the_team_key() {
    let parties = Parties::generate();
    let team = parties.team_public();

    let signature = parties.team.sign_detached(CSAF).unwrap();

    assert!(signature.starts_with("-----BEGIN PGP SIGNATURE-----"));
    assert_eq!(
        verify_detached(&[team], CSAF, signature.as_bytes()).unwrap(),
        SignatureStatus::Good {
            fingerprint: parties.team.fingerprint().to_owned()
        }
    );
}

#[test]
fn detached_signature_fails_on_changed_data() {
    let parties = Parties::generate();
    let signature = parties.team.sign_detached(CSAF).unwrap();
    let mut changed = CSAF.to_vec();
    changed[20] ^= 1;

    let status = verify_detached(&[parties.team_public()], &changed, signature.as_bytes()).unwrap();

    assert_eq!(
        status,
        SignatureStatus::Bad {
            fingerprint: Some(parties.team.fingerprint().to_owned())
        }
    );
}

#[test]
fn detached_signature_by_an_unknown_key_names_its_issuer() {
    let parties = Parties::generate();
    let signature = parties.team.sign_detached(CSAF).unwrap();

    let status = verify_detached(&[parties.reporter_public()], CSAF, signature.as_bytes()).unwrap();

    assert_eq!(
        status,
        SignatureStatus::UnknownKey {
            issuer: parties.team.fingerprint().to_owned()
        }
    );
}

#[test]
fn unreadable_detached_signature_is_an_error() {
    let parties = Parties::generate();
    let result = verify_detached(&[parties.team_public()], CSAF, b"not a signature");
    assert!(
        matches!(result, Err(PgpError::InvalidSignature { .. })),
        "{result:?}"
    );
}

const SECURITY_TXT: &str = "Contact: mailto:psirt@example.com\n\
Expires: 2027-12-01T00:00:00.000Z\n\
Encryption: https://example.com/.well-known/openpgp-key.asc\n\
- a line starting with a dash\n\
Preferred-Languages: en, de\n";

#[test]
fn signed_security_txt_verifies_and_gives_back_the_text() {
    let parties = Parties::generate();

    let signed = parties.team.sign_cleartext(SECURITY_TXT).unwrap();
    let verified = verify_cleartext(&[parties.team_public()], &signed).unwrap();

    assert!(signed.starts_with("-----BEGIN PGP SIGNED MESSAGE-----\n"));
    assert!(
        signed.contains("\n- - a line starting with a dash\n"),
        "dash-escaped:\n{signed}"
    );
    assert!(signed.contains("Contact: mailto:psirt@example.com"));
    assert!(verified.signature.is_good(), "{:?}", verified.signature);
    assert_eq!(
        verified.text.replace("\r\n", "\n").trim_end(),
        SECURITY_TXT.trim_end()
    );
}

#[test]
fn signed_security_txt_with_a_changed_line_is_bad() {
    let parties = Parties::generate();
    let signed = parties.team.sign_cleartext(SECURITY_TXT).unwrap();
    let forged = signed.replace("psirt@example.com", "evil@example.net");

    let verified = verify_cleartext(&[parties.team_public()], &forged).unwrap();

    assert!(
        matches!(verified.signature, SignatureStatus::Bad { .. }),
        "{:?}",
        verified.signature
    );
}

#[test]
fn signed_security_txt_survives_crlf_line_ends() {
    let parties = Parties::generate();
    let signed = parties.team.sign_cleartext(SECURITY_TXT).unwrap();

    let verified =
        verify_cleartext(&[parties.team_public()], &signed.replace('\n', "\r\n")).unwrap();

    assert!(verified.signature.is_good(), "{:?}", verified.signature);
}
