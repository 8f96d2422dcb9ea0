//! Parse + score throughput on the shared reference vectors, side by side
//! with the RustSec `cvss` crate (3.0.0) on the same inputs.
//!
//! Ours computes all scores (v3.x: base, temporal and environmental, with
//! sub-scores; v4.0: score, MacroVector and distances). RustSec is asked for
//! its base and environmental scores (v3.x) or its score (v4.0).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use std::path::PathBuf;
use std::str::FromStr;

fn vectors(files: &[&str]) -> Vec<String> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/testdata/cvss");
    let mut out = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(dir.join(file)).expect("reference data");
        out.extend(
            text.lines()
                .filter(|l| !l.starts_with('#') && !l.is_empty())
                .filter_map(|l| l.split('\t').next().map(str::to_owned)),
        );
    }
    out
}

fn bench(c: &mut Criterion) {
    let v31 = vectors(&["cvss31_base_all.tsv", "cvss31_full_5000.tsv"]);
    let v40 = vectors(&["cvss40_base_sample_20000.tsv", "cvss40_full_5000.tsv"]);

    let mut g = c.benchmark_group("cvss31_parse_score");
    g.throughput(Throughput::Elements(v31.len() as u64));
    g.bench_function("embargo", |b| {
        b.iter(|| {
            let mut sum = 0u32;
            for v in &v31 {
                if let Ok(v) = embargo_cvss::v3::Vector::from_str(black_box(v)) {
                    let s = v.scores();
                    sum += u32::from(s.base.tenths()) + u32::from(s.environmental.tenths());
                }
            }
            sum
        })
    });
    g.bench_function("rustsec", |b| {
        b.iter(|| {
            let mut sum = 0f64;
            for v in &v31 {
                if let Ok(v) = cvss::v3::Vector::from_str(black_box(v)) {
                    sum += v.base_score().value() + v.environmental_score().value();
                }
            }
            sum
        })
    });
    g.finish();

    let mut g = c.benchmark_group("cvss40_parse_score");
    g.throughput(Throughput::Elements(v40.len() as u64));
    g.bench_function("embargo", |b| {
        b.iter(|| {
            let mut sum = 0u32;
            for v in &v40 {
                if let Ok(v) = embargo_cvss::v4::Vector::from_str(black_box(v)) {
                    sum += u32::from(v.scores().score.tenths());
                }
            }
            sum
        })
    });
    g.bench_function("rustsec", |b| {
        b.iter(|| {
            let mut sum = 0f64;
            for v in &v40 {
                if let Ok(v) = cvss::v4::Vector::from_str(black_box(v)) {
                    sum += v.score().value();
                }
            }
            sum
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
