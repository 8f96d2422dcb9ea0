//! Storage tests. Each runs on the backend `EMBARGO_TEST_DB` picks; the test script runs the
//! whole suite once per backend.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod case_list;
mod cases;
mod catalog;
mod db;
mod reports;
mod support;
mod users;

use jiff::Timestamp;

fn now() -> Timestamp {
    "2026-11-30T12:00:00Z".parse().expect("a valid timestamp")
}
