use embargo_pgp::{
    MailKind, SignatureStatus, decrypt_mail, encrypt_and_sign, keys_in_mail, pgp_mime, verify_mail,
};

use crate::{Parties, mail, now};

const INNER: &[u8] = b"Content-Type: text/plain; charset=utf-8\r\n\
Content-Transfer-Encoding: 8bit\r\n\
\r\n\
Heap overflow in the parser of release 4.2, PoC attached.\r\n";

#[test]
fn pgp_mime_body_has_the_rfc_3156_structure() {
    let parties = Parties::generate();

    let built = pgp_mime::encrypt_entity(&parties.team, &parties.reporter_public(), INNER).unwrap();
    let again = pgp_mime::encrypt_entity(&parties.team, &parties.reporter_public(), INNER).unwrap();

    let body = String::from_utf8(built.body.clone()).unwrap();
    let boundary = built
        .content_type
        .split("boundary=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap();
    assert!(
        built.content_type.starts_with(
            "multipart/encrypted; protocol=\"application/pgp-encrypted\"; boundary=\""
        )
    );
    assert!(body.contains(&format!(
        "--{boundary}\r\nContent-Type: application/pgp-encrypted\r\n"
    )));
    assert!(body.contains("\r\n\r\nVersion: 1\r\n"));
    assert!(body.contains("Content-Type: application/octet-stream"));
    assert!(body.ends_with(&format!("--{boundary}--\r\n")));
    assert_eq!(
        body.matches(boundary).count(),
        3,
        "two delimiters and the close"
    );
    assert!(!body.contains("\n\n"), "CRLF line ends only");
    assert_ne!(built.content_type, again.content_type, "boundary is random");
}

#[test]
fn pgp_mime_mail_decrypts_to_the_inner_entity_with_a_good_signature() {
    let parties = Parties::generate();
    // The reporter writes to the team.
    let built = pgp_mime::encrypt_entity(&parties.reporter, &parties.team_public(), INNER).unwrap();
    let raw = mail(
        &format!("Content-Type: {}", built.content_type),
        &built.body,
    );

    let decrypted = decrypt_mail(&parties.team, &raw, &[parties.reporter_public()])
        .unwrap()
        .unwrap();

    assert_eq!(decrypted.kind, MailKind::PgpMime);
    assert_eq!(decrypted.plaintext, INNER);
    assert_eq!(
        decrypted.signature,
        SignatureStatus::Good {
            fingerprint: parties.reporter.fingerprint().to_owned()
        }
    );
}

#[test]
fn inline_pgp_in_a_text_part_is_decrypted() {
    let parties = Parties::generate();
    let armored =
        encrypt_and_sign(&parties.reporter, &parties.team_public(), b"inline secret").unwrap();
    let body = format!(
        "Hi team,\r\n\r\n{}\r\n-- \r\nRita\r\n",
        armored.replace('\n', "\r\n")
    );
    let raw = mail(
        "Content-Type: text/plain; charset=us-ascii",
        body.as_bytes(),
    );

    let decrypted = decrypt_mail(&parties.team, &raw, &[parties.reporter_public()])
        .unwrap()
        .unwrap();

    assert_eq!(decrypted.kind, MailKind::Inline);
    assert_eq!(decrypted.plaintext, b"inline secret");
    assert!(decrypted.signature.is_good());
}

#[test]
fn inline_pgp_in_a_quoted_printable_part_is_decrypted() {
    let parties = Parties::generate();
    let armored = encrypt_and_sign(&parties.reporter, &parties.team_public(), b"qp").unwrap();
    // Quoted-printable encodes every '=' of the armor as =3D.
    let body = armored.replace('=', "=3D").replace('\n', "\r\n");
    let raw = mail(
        "Content-Type: text/plain; charset=us-ascii\r\nContent-Transfer-Encoding: quoted-printable",
        body.as_bytes(),
    );

    let decrypted = decrypt_mail(&parties.team, &raw, &[]).unwrap().unwrap();

    assert_eq!(decrypted.plaintext, b"qp");
}

#[test]
fn plain_mail_is_not_encrypted() {
    let parties = Parties::generate();
    let raw = mail("Content-Type: text/plain", b"Just text.\r\n");

    assert_eq!(decrypt_mail(&parties.team, &raw, &[]).unwrap(), None);
    assert_eq!(verify_mail(&raw, &[]), None);
}

/// A `multipart/signed` mail whose first part is `entity`, signed by `signer`.
fn signed_mail(parties: &Parties, entity: &[u8]) -> Vec<u8> {
    let signature = parties.reporter.sign_detached(entity).unwrap();
    let mut body = b"This is an OpenPGP/MIME signed message.\r\n--sig-b\r\n".to_vec();
    body.extend_from_slice(entity);
    body.extend_from_slice(
        b"\r\n--sig-b\r\nContent-Type: application/pgp-signature; name=\"signature.asc\"\r\n\r\n",
    );
    body.extend_from_slice(signature.replace('\n', "\r\n").as_bytes());
    body.extend_from_slice(b"\r\n--sig-b--\r\n");
    mail(
        "Content-Type: multipart/signed; micalg=pgp-sha256;\r\n\tprotocol=\"application/pgp-signature\"; boundary=\"sig-b\"",
        &body,
    )
}

#[test]
fn pgp_mime_signed_mail_verifies_over_the_exact_first_part() {
    let parties = Parties::generate();
    let raw = signed_mail(&parties, INNER);

    assert_eq!(
        verify_mail(&raw, &[parties.reporter_public()]),
        Some(SignatureStatus::Good {
            fingerprint: parties.reporter.fingerprint().to_owned()
        })
    );
}

#[test]
fn pgp_mime_signed_mail_with_lf_line_ends_is_canonicalised_to_crlf() {
    let parties = Parties::generate();
    let raw = signed_mail(&parties, INNER);
    let lf: Vec<u8> = String::from_utf8(raw)
        .unwrap()
        .replace("\r\n", "\n")
        .into_bytes();

    assert!(
        verify_mail(&lf, &[parties.reporter_public()])
            .unwrap()
            .is_good()
    );
}

#[test]
fn pgp_mime_signed_mail_with_a_changed_first_part_is_bad() {
    let parties = Parties::generate();
    let raw = signed_mail(&parties, INNER);
    let forged = String::from_utf8(raw)
        .unwrap()
        .replace("release 4.2", "release 4.3");

    assert!(matches!(
        verify_mail(forged.as_bytes(), &[parties.reporter_public()]),
        Some(SignatureStatus::Bad { .. })
    ));
}

#[test]
fn pgp_mime_mail_signed_then_encrypted_gives_back_the_signed_entity_byte_for_byte() {
    let parties = Parties::generate();
    let inner_signed = signed_mail(&parties, INNER);
    let built =
        pgp_mime::encrypt_entity(&parties.reporter, &parties.team_public(), &inner_signed).unwrap();
    let raw = mail(
        &format!("Content-Type: {}", built.content_type),
        &built.body,
    );

    let decrypted = decrypt_mail(&parties.team, &raw, &[parties.reporter_public()])
        .unwrap()
        .unwrap();

    assert_eq!(decrypted.plaintext, inner_signed);
    assert!(decrypted.signature.is_good());
    assert!(
        verify_mail(&decrypted.plaintext, &[parties.reporter_public()])
            .unwrap()
            .is_good()
    );
}

#[test]
fn inline_cleartext_signed_mail_verifies() {
    let parties = Parties::generate();
    let signed = parties.reporter.sign_cleartext("I found a bug.\n").unwrap();
    let raw = mail(
        "Content-Type: text/plain",
        signed.replace('\n', "\r\n").as_bytes(),
    );

    assert!(
        verify_mail(&raw, &[parties.reporter_public()])
            .unwrap()
            .is_good()
    );
    assert_eq!(
        verify_mail(&raw, &[]),
        Some(SignatureStatus::UnknownKey {
            issuer: parties.reporter.fingerprint().to_owned()
        })
    );
}

#[test]
fn keys_attached_to_a_mail_are_found_once_each() {
    let parties = Parties::generate();
    let reporter_key = parties.reporter.public_armored().replace('\n', "\r\n");
    let team_key = parties.team.public_armored().replace('\n', "\r\n");
    let body = format!(
        "--kb\r\nContent-Type: text/plain\r\n\r\nMy key:\r\n{reporter_key}\r\n\
         --kb\r\nContent-Type: application/pgp-keys; name=\"0x1.asc\"\r\n\r\n{reporter_key}\r\n\
         --kb\r\nContent-Type: application/pgp-keys\r\n\r\n{team_key}\r\n--kb--\r\n"
    );
    let raw = mail(
        "Content-Type: multipart/mixed; boundary=\"kb\"",
        body.as_bytes(),
    );

    let keys = keys_in_mail(&raw, now());

    let fingerprints: Vec<_> = keys.iter().map(|k| k.fingerprint().to_owned()).collect();
    assert_eq!(
        fingerprints,
        [parties.reporter.fingerprint(), parties.team.fingerprint()]
    );
}

#[test]
fn mail_without_keys_has_none() {
    let raw = mail(
        "Content-Type: text/plain",
        b"-----BEGIN PGP PUBLIC KEY BLOCK-----\r\nbroken\r\n",
    );
    assert!(keys_in_mail(&raw, now()).is_empty());
}
