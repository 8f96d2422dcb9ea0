//! Proves that parsing and scoring valid vectors never touch the heap.
//!
//! A counting global allocator needs `unsafe impl GlobalAlloc`. The workspace
//! forbids unsafe code; this crate's lints relax that to `deny` (see
//! Cargo.toml) so that this one test file can allow it. The allocator only
//! counts and forwards to the system allocator.
#![allow(unsafe_code)]
// Test code: unwrapping is fine.
#![allow(clippy::unwrap_used)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::path::PathBuf;

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: forwards every call unchanged to `System`, which upholds the
// `GlobalAlloc` contract; counting touches only a thread-local integer.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations_during(f: impl FnOnce()) -> usize {
    let before = ALLOCATIONS.with(Cell::get);
    f();
    ALLOCATIONS.with(Cell::get) - before
}

fn all_reference_vectors() -> Vec<String> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/testdata/cvss");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "tsv") {
            let text = std::fs::read_to_string(&path).unwrap();
            out.extend(
                text.lines()
                    .filter(|l| !l.starts_with('#') && !l.is_empty())
                    .filter_map(|l| l.split('\t').next().map(str::to_owned)),
            );
        }
    }
    out
}

#[test]
fn parsing_and_scoring_every_reference_vector_allocates_nothing() {
    let vectors = all_reference_vectors();
    assert!(vectors.len() > 30_000);
    // The counter must see allocations at all, or the test proves nothing.
    assert!(allocations_during(|| drop(std::hint::black_box(vec![1u8; 16]))) > 0);

    let mut checksum = 0u64;
    let n = allocations_during(|| {
        for v in &vectors {
            let Ok(cvss) = v.parse::<embargo_cvss::Cvss>() else {
                continue;
            };
            checksum += u64::from(cvss.score().tenths()) + u64::from(cvss.base_score().tenths());
            match cvss {
                embargo_cvss::Cvss::V2(v) => checksum += u64::from(v.scores().base.tenths()),
                embargo_cvss::Cvss::V30(v) | embargo_cvss::Cvss::V31(v) => {
                    checksum += u64::from(v.scores().environmental.tenths())
                }
                embargo_cvss::Cvss::V40(v) => checksum += u64::from(v.scores().macro_vector.0[0]),
            }
        }
    });
    assert!(checksum > 0);
    assert_eq!(n, 0, "parse + score allocated {n} times");
}

#[test]
fn writing_a_score_report_into_a_reused_buffer_allocates_nothing() {
    use std::fmt::Write as _;
    let vectors = all_reference_vectors();
    let mut buffer = String::with_capacity(4096);
    let n = allocations_during(|| {
        for v in &vectors {
            buffer.clear();
            let _ = writeln!(buffer, "{}", embargo_cvss::report::score_line(v));
        }
    });
    assert_eq!(n, 0, "score reports allocated {n} times");
}
