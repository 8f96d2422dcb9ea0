//! Accounts and API tokens through the CLI, used against the API.

use embargo_testkit::TestDb;

use crate::support::{Server, client, embargo};

fn run(t: &TestDb, dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    let mut cmd = embargo(dir);
    cmd.env("EMBARGO_DATABASE_URL", &t.url).args(args);
    cmd.output().unwrap()
}

fn token_for(t: &TestDb, dir: &std::path::Path, user: &str, scopes: &str) -> String {
    let out = run(t, dir, &["user", "token", user, "--scopes", scopes]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

#[tokio::test]
async fn a_token_made_on_the_command_line_identifies_its_owner_to_the_api() {
    let t = TestDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    let out = run(&t, dir.path(), &["migrate"]);
    assert!(out.status.success());
    let out = run(
        &t,
        dir.path(),
        &[
            "user",
            "add",
            "erin",
            "--email",
            "erin@example.test",
            "--role",
            "engineer",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("password: "));
    let token = token_for(&t, dir.path(), "erin", "read");
    assert!(token.starts_with("emb_") && token.len() == 36, "{token}");

    let stored: Vec<String> = sqlx::query_scalar("SELECT secret_hash FROM api_tokens")
        .fetch_all(t.db.pool())
        .await
        .unwrap();
    assert_eq!(stored.len(), 1);
    assert!(
        !stored[0].contains(&token[4..]),
        "the secret itself is stored"
    );

    let server = Server::start({
        let mut cmd = embargo(dir.path());
        cmd.env("EMBARGO_DATABASE_URL", &t.url);
        cmd
    });
    let http = client();
    let me: serde_json::Value = http
        .get(server.url("/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["username"], "erin");
    assert_eq!(me["role"], "engineer");
    assert_eq!(me["scopes"], "read");

    for bad in [
        None,
        Some("emb_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".to_owned()),
        Some(format!("{token}x")),
        Some("Basic Zm9vOmJhcg==".to_owned()),
    ] {
        let mut req = http.get(server.url("/api/v1/me"));
        if let Some(b) = &bad {
            req = req.bearer_auth(b);
        }
        let resp = req.send().await.unwrap();
        assert_eq!(resp.status(), 401, "{bad:?}");
        let body: serde_json::Value = resp.json().await.unwrap();
        assert_eq!(body["error"]["code"], "unauthenticated");
    }
}

#[tokio::test]
async fn only_admins_get_admin_tokens_and_bad_input_is_named() {
    let t = TestDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    assert!(run(&t, dir.path(), &["migrate"]).status.success());
    assert!(
        run(
            &t,
            dir.path(),
            &[
                "user",
                "add",
                "tom",
                "--email",
                "tom@example.test",
                "--role",
                "team"
            ]
        )
        .status
        .success()
    );
    let cases: [(&[&str], &str); 5] = [
        (
            &["user", "token", "tom", "--scopes", "read,admin"],
            "admin scope",
        ),
        (
            &["user", "token", "tom", "--scopes", "root"],
            "unknown scope",
        ),
        (&["user", "token", "nobody"], "not found"),
        (
            &[
                "user",
                "add",
                "x",
                "--email",
                "not-an-email",
                "--role",
                "team",
            ],
            "email",
        ),
        (
            &[
                "user",
                "add",
                "tom",
                "--email",
                "t2@example.test",
                "--role",
                "team",
            ],
            "exists",
        ),
    ];
    for (args, expect) in cases {
        let out = run(&t, dir.path(), args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} succeeded");
        assert!(stderr.contains(expect), "{args:?}: {stderr}");
    }
    let list = run(&t, dir.path(), &["user", "list", "--format", "json"]);
    let users: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    let names: Vec<&str> = users
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"tom"));
    assert!(names.contains(&"system"));
}
