//! The web app in real Chromium (Debian's `/usr/bin/chromium`), driven by playwright-core
//! (`browser/flow.mjs`): report → tracking page → triage with the calculator → acceptance and
//! estimate → the reporter's portal, and an internal note that never reaches it.
//!
//! `scripts/test` installs Chromium and `npm ci --prefix browser`. Without them the test says
//! so and passes only outside CI; under CI (`CI` set) it fails.

use std::path::Path;
use std::process::Command;

use crate::web_ui::Web;

const BROWSER_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../browser");

fn chromium() -> String {
    std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_owned())
}

/// Whether node, playwright-core and Chromium are here; under CI their absence is a failure.
fn tools_present() -> bool {
    let node = Command::new("node").arg("--version").output().is_ok();
    let playwright = Path::new(BROWSER_DIR)
        .join("node_modules/playwright-core/package.json")
        .exists();
    let browser = Path::new(&chromium()).exists();
    if node && playwright && browser {
        return true;
    }
    let missing = format!(
        "browser tests need node ({node}), playwright-core in browser/node_modules \
         ({playwright}) and Chromium at {} ({browser}); scripts/test installs them",
        chromium()
    );
    assert!(std::env::var_os("CI").is_none(), "{missing}");
    eprintln!("skipped: {missing}");
    false
}

#[tokio::test]
async fn a_report_is_triaged_accepted_and_followed_by_its_reporter_in_chromium() {
    if !tools_present() {
        return;
    }
    let web = Web::start().await;
    let password = web.user("browser-team", "team");
    let out = tokio::process::Command::new("node")
        .arg(Path::new(BROWSER_DIR).join("flow.mjs"))
        .env("BASE_URL", web.server.url("").trim_end_matches('/'))
        .env("MAIL_DIR", web.sink.dir.path())
        .env("TEAM_USER", "browser-team")
        .env("TEAM_PASSWORD", &password)
        .env("CHROMIUM", chromium())
        .output()
        .await
        .expect("running node");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the browser flow failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("\"ok\":true"), "{stdout}");
}
