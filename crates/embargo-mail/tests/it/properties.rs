//! Properties: no input makes `analyze` panic.

use std::fs;

use embargo_mail::{Limits, analyze};
use proptest::prelude::*;

use crate::mail_testdata;

fn corpus() -> Vec<Vec<u8>> {
    let mut files: Vec<_> = fs::read_dir(mail_testdata().join("corpus"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files.into_iter().map(|p| fs::read(p).unwrap()).collect()
}

fn small_limits() -> Limits {
    Limits {
        max_attachments: 2,
        max_attachment_bytes: 512,
        max_total_attachment_bytes: 1024,
        max_parts: 8,
        max_depth: 3,
        max_body_text_bytes: 2048,
    }
}

#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Insert(usize, Vec<u8>),
    Delete(usize, usize),
    Truncate(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let interesting = prop_oneof![
        Just(b"\r\n".to_vec()),
        Just(b"\r\n\r\n".to_vec()),
        Just(b"--".to_vec()),
        Just(b"=?utf-8?B?".to_vec()),
        Just(b"Content-Type: multipart/mixed; boundary=x\r\n".to_vec()),
        Just(b"Content-Transfer-Encoding: base64\r\n".to_vec()),
        Just(b"<".to_vec()),
        proptest::collection::vec(any::<u8>(), 1..16),
    ];
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Flip(i, b)),
        (any::<usize>(), interesting).prop_map(|(i, v)| Mutation::Insert(i, v)),
        (any::<usize>(), 1usize..64).prop_map(|(i, n)| Mutation::Delete(i, n)),
        any::<usize>().prop_map(Mutation::Truncate),
    ]
}

fn apply(mut data: Vec<u8>, mutations: &[Mutation]) -> Vec<u8> {
    for m in mutations {
        let len = data.len().max(1);
        match m {
            Mutation::Flip(i, b) => {
                if !data.is_empty() {
                    data[i % len] ^= b | 1;
                }
            }
            Mutation::Insert(i, v) => {
                let at = i % (data.len() + 1);
                data.splice(at..at, v.iter().copied());
            }
            Mutation::Delete(i, n) => {
                if !data.is_empty() {
                    let at = i % len;
                    let end = (at + n).min(data.len());
                    data.drain(at..end);
                }
            }
            Mutation::Truncate(i) => data.truncate(i % len),
        }
    }
    data
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn random_bytes_never_make_analysis_panic(raw in proptest::collection::vec(any::<u8>(), 0..4096)) {
        let limits = small_limits();
        let mail = analyze(&raw, &limits);
        prop_assert!(mail.body_text.len() <= limits.max_body_text_bytes);
        prop_assert!(mail.attachments.iter().filter(|a| a.bytes.is_some()).count() <= limits.max_attachments);
    }

    #[test]
    fn mutated_corpus_messages_never_make_analysis_panic(
        index in 0usize..46,
        mutations in proptest::collection::vec(mutation(), 1..8),
    ) {
        let corpus = corpus();
        let raw = apply(corpus[index % corpus.len()].clone(), &mutations);
        for limits in [Limits::default(), small_limits()] {
            let mail = analyze(&raw, &limits);
            prop_assert!(!mail.notes.iter().any(|n| n.contains("parser failure")), "{:?}", mail.notes);
            let kept: u64 = mail.attachments.iter().filter_map(|a| a.bytes.as_ref()).map(|b| b.len() as u64).sum();
            prop_assert!(kept <= limits.max_total_attachment_bytes);
        }
    }
}
