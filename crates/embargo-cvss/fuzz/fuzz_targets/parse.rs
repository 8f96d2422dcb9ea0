//! Fuzzes the vector parser: no input may panic, every error must point
//! inside the input, and every accepted vector must print a canonical form
//! that parses back to the same vector.
#![no_main]

use embargo_cvss::Cvss;
use embargo_cvss::report::{explain, score_line};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    match input.parse::<Cvss>() {
        Ok(cvss) => {
            let _ = (cvss.score(), cvss.base_score(), cvss.severity());
            let _ = explain(&cvss).to_string();
            let printed = cvss.to_string();
            let again: Cvss = printed
                .parse()
                .unwrap_or_else(|e| panic!("canonical form {printed:?} of {input:?} rejected: {e}"));
            assert_eq!(again, cvss, "{input:?} -> {printed:?}");
        }
        Err(e) => {
            assert!(e.position() <= input.len(), "{input:?}: {e}");
            let _ = e.to_string();
        }
    }
    let _ = score_line(input).to_string();
});
