//! Random and mutated input never panics.

use std::sync::LazyLock;

use embargo_pgp::{PublicKey, decrypt_mail, keys_in_mail, pgp_mime, verify_mail};
use proptest::prelude::*;
use proptest::strategy::ValueTree;

use crate::{Parties, mail, now};

/// One pair of keys for all cases: key generation is not what these tests exercise.
static PARTIES: LazyLock<Parties> = LazyLock::new(Parties::generate);

fn check_no_panic(parties: &Parties, raw: &[u8]) {
    let signers = [parties.reporter_public()];
    let _ = decrypt_mail(&parties.team, raw, &signers);
    let _ = verify_mail(raw, &signers);
    let _ = keys_in_mail(raw, now());
    let _ = PublicKey::from_bytes(raw, now());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        check_no_panic(&PARTIES, &bytes);
    }
}

#[test]
fn mutated_encrypted_mails_and_keys_never_panic_and_never_give_changed_plaintext() {
    let parties = Parties::generate();
    let built = pgp_mime::encrypt_entity(
        &parties.reporter,
        &parties.team_public(),
        b"Content-Type: text/plain\r\n\r\nsecret\r\n",
    )
    .unwrap();
    let raw = mail(
        &format!("Content-Type: {}", built.content_type),
        &built.body,
    );
    let key = parties.reporter.public_armored().as_bytes().to_vec();
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let edits = proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4);

    for _ in 0..200 {
        let edit = edits.new_tree(&mut runner).unwrap().current();
        for original in [&raw, &key] {
            let mut mutated = original.clone();
            for (index, byte) in &edit {
                let at = index.index(mutated.len());
                mutated[at] = *byte;
            }
            check_no_panic(&parties, &mutated);
            if let Ok(Some(decrypted)) = decrypt_mail(&parties.team, &mutated, &[]) {
                assert_eq!(
                    decrypted.plaintext,
                    b"Content-Type: text/plain\r\n\r\nsecret\r\n"
                );
            }
        }
        let truncated = &raw[..edit[0].0.index(raw.len())];
        check_no_panic(&parties, truncated);
    }
}
