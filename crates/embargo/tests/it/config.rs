//! Bad configuration: a non-zero exit and one message naming the setting, never a panic.

use std::process::Output;

use crate::support::embargo;

fn assert_user_error(output: &Output, must_name: &[&str]) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !output.status.success(),
        "expected failure, stderr: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "panic: {stderr}");
    assert!(!stderr.contains("backtrace"), "backtrace: {stderr}");
    assert!(stderr.starts_with("error: "), "{stderr}");
    for word in must_name {
        assert!(
            stderr.contains(word),
            "stderr does not name {word:?}: {stderr}"
        );
    }
}

#[test]
fn an_unknown_key_in_the_config_file_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("embargo.toml");
    std::fs::write(&file, "listen = \"127.0.0.1:0\"\nlisten_port = 8080\n").unwrap();
    let out = embargo(dir.path())
        .args(["--config", file.to_str().unwrap(), "config"])
        .output()
        .unwrap();
    assert_user_error(&out, &["listen_port", "embargo.toml"]);
}

#[test]
fn an_unknown_nested_key_is_named_with_its_section() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("embargo.toml");
    std::fs::write(&file, "[database]\nmax_conections = 3\n").unwrap();
    let out = embargo(dir.path())
        .args(["--config", file.to_str().unwrap(), "config"])
        .output()
        .unwrap();
    assert_user_error(&out, &["database", "max_conections"]);
}

#[test]
fn an_unknown_environment_variable_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let out = embargo(dir.path())
        .env("EMBARGO_LISTN", "127.0.0.1:1")
        .arg("config")
        .output()
        .unwrap();
    assert_user_error(&out, &["listn"]);
}

#[test]
fn a_missing_config_file_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let out = embargo(dir.path())
        .args(["--config", "/nonexistent/embargo.toml", "config"])
        .output()
        .unwrap();
    assert_user_error(&out, &["/nonexistent/embargo.toml"]);
}

#[test]
fn an_unparsable_database_url_is_named() {
    let dir = tempfile::tempdir().unwrap();
    for bad in ["not a url", "mysql://localhost/embargo"] {
        let out = embargo(dir.path())
            .args(["--database-url", bad, "migrate"])
            .output()
            .unwrap();
        assert_user_error(&out, &["database_url"]);
    }
}

#[test]
fn an_invalid_listen_address_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let out = embargo(dir.path())
        .args(["serve", "--listen", "localhost:eighty"])
        .output()
        .unwrap();
    assert_user_error(&out, &["listen"]);
}

#[test]
fn an_unwritable_data_dir_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "").unwrap();
    // A directory below a regular file cannot exist, whoever runs the test.
    let out = embargo(&file.join("data")).arg("migrate").output().unwrap();
    assert_user_error(&out, &["data_dir", "a-file"]);
}

#[test]
fn a_port_in_use_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let out = embargo(dir.path())
        .args(["serve", "--listen", &addr])
        .output()
        .unwrap();
    assert_user_error(&out, &["listen", &addr, "in use"]);
}

#[test]
fn environment_overrides_the_file_and_the_command_line_overrides_both() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("embargo.toml");
    std::fs::write(
        &file,
        "admin_email = \"file@example.test\"\nlisten = \"127.0.0.1:1111\"\n",
    )
    .unwrap();
    let shown = embargo(dir.path())
        .env("EMBARGO_CONFIG", &file)
        .env("EMBARGO_ADMIN_EMAIL", "env@example.test")
        .env("EMBARGO_DATABASE__MAX_CONNECTIONS", "3")
        .arg("config")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&shown.stdout);
    assert!(
        shown.status.success(),
        "{}",
        String::from_utf8_lossy(&shown.stderr)
    );
    assert!(
        text.contains("admin_email = \"env@example.test\""),
        "{text}"
    );
    assert!(text.contains("listen = \"127.0.0.1:1111\""), "{text}");
    assert!(text.contains("max_connections = 3"), "{text}");

    let flag = embargo(dir.path())
        .env("EMBARGO_CONFIG", &file)
        .args(["--data-dir", "/tmp/from-flag", "config"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&flag.stdout);
    assert!(text.contains("data_dir = \"/tmp/from-flag\""), "{text}");
}

#[test]
fn a_database_password_never_appears_in_the_printed_configuration() {
    let dir = tempfile::tempdir().unwrap();
    let out = embargo(dir.path())
        .args([
            "--database-url",
            "postgres://app:hunter2@db.example/embargo",
            "config",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(text.contains("db.example"), "{text}");
    assert!(!text.contains("hunter2"), "{text}");
}

#[test]
fn a_broken_policy_file_is_named_with_the_key_at_fault() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("policy.toml");
    std::fs::write(&file, "[default]\nacknowledge = \"24h\"\ntriage = \"5d\"\nfix = \"60d\"\ndisclose_after_fix = \"7d\"\nfixx = \"1d\"\n").unwrap();
    let out = embargo(dir.path())
        .env("EMBARGO_POLICY_FILE", &file)
        .arg("migrate")
        .output()
        .unwrap();
    assert_user_error(&out, &["policy_file", "policy.toml", "fixx"]);
}
