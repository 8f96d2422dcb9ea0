use embargo_store::users::{self, NewUser};
use embargo_testkit::TestDb;

fn admin(username: &str) -> NewUser<'_> {
    NewUser {
        username,
        email: "admin@example.test",
        display_name: "Administrator",
        role: "admin",
        password_hash: Some("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA"),
        must_change_password: true,
    }
}

#[tokio::test]
async fn the_first_admin_is_created_only_on_an_empty_database() {
    let t = TestDb::new().await;
    let mut conn = t.db.pool().acquire().await.unwrap();
    let first = users::insert_first_admin(&mut conn, &admin("admin"), super::now())
        .await
        .unwrap();
    assert!(first.is_some());
    let second = users::insert_first_admin(&mut conn, &admin("admin2"), super::now())
        .await
        .unwrap();
    assert_eq!(second, None);
    assert_eq!(users::count_admins(&mut conn).await.unwrap(), 1);

    let stored = users::find_by_username(&mut conn, "admin")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(Some(stored.id), first);
    assert_eq!(stored.role, "admin");
    assert!(stored.must_change_password);
    assert!(!stored.disabled);
    assert_eq!(stored.created_at, super::now());
}

#[tokio::test]
async fn racing_bootstraps_create_exactly_one_admin() {
    let t = TestDb::new().await;
    let mut handles = Vec::new();
    for _ in 0..8 {
        let db = t.db.clone();
        handles.push(tokio::spawn(async move {
            let mut tx = db.begin().await.unwrap();
            let created = users::insert_first_admin(&mut tx, &admin("admin"), super::now())
                .await
                .unwrap();
            tx.commit().await.unwrap();
            created.is_some()
        }));
    }
    let mut created = 0;
    for h in handles {
        if h.await.unwrap() {
            created += 1;
        }
    }
    // Every instance bootstraps the same username, so the unique index settles a race that
    // READ COMMITTED alone would let through.
    let mut conn = t.db.pool().acquire().await.unwrap();
    assert_eq!(created, 1);
    assert_eq!(users::count_admins(&mut conn).await.unwrap(), 1);
}

#[tokio::test]
async fn usernames_are_unique() {
    let t = TestDb::new().await;
    let mut conn = t.db.pool().acquire().await.unwrap();
    users::insert(&mut conn, &admin("alice"), super::now())
        .await
        .unwrap();
    let mut other = admin("alice");
    other.email = "other@example.test";
    let err = users::insert(&mut conn, &other, super::now())
        .await
        .unwrap_err();
    assert_eq!(
        err.violation(),
        Some(embargo_store::Violation::Unique),
        "{err:?}"
    );
}
