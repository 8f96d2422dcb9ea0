//! End-to-end tests of the `embargo` binary: each starts the real executable against the
//! backend `EMBARGO_TEST_DB` picks and talks to it over HTTP or its command line.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod access;
mod access_matrix;
mod accounts;
mod advisories;
mod browser;
mod canary;
mod cases_api;
mod cli_cases;
mod config;
mod cvss;
mod disclosure;
mod export_import;
mod mail;
mod mail_secure;
mod openapi;
mod page_matrix;
mod pages;
mod public_advisories;
mod releases;
mod serve;
mod settings;
mod support;
mod web_ui;
