//! Inbound mail analysis throughput on the 46 real-world corpus messages, next to the bare MIME
//! parse by mail-parser (the library `analyze` is built on) over the same bytes: the difference
//! is what Embargo adds (charset and HTML rendering, attachments with SHA-256, RFC 3834 checks,
//! authentication results, thread tokens, OpenPGP detection).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

fn corpus() -> Vec<Vec<u8>> {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/testdata/mail/corpus"
    );
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("the shared mail corpus")
        .map(|e| e.expect("a corpus entry").path())
        .collect();
    files.sort();
    files
        .iter()
        .map(|p| std::fs::read(p).expect("a corpus message"))
        .collect()
}

fn bench(c: &mut Criterion) {
    let messages = corpus();
    let bytes: u64 = messages.iter().map(|m| m.len() as u64).sum();
    let limits = embargo_mail::Limits::default();
    let mut group = c.benchmark_group("mail corpus (46 messages)");
    group.throughput(Throughput::Bytes(bytes));
    group.bench_function("embargo_mail::analyze", |b| {
        b.iter(|| {
            for m in &messages {
                black_box(embargo_mail::analyze(black_box(m), &limits));
            }
        })
    });
    group.bench_function("mail_parser::MessageParser::parse (peer)", |b| {
        b.iter(|| {
            for m in &messages {
                black_box(mail_parser::MessageParser::default().parse(black_box(m.as_slice())));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
