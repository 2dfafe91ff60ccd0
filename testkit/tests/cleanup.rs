//! Throw-away databases and folders disappear even when the test that made them fails.

use mercator_testkit::{Server, ServerDb, TempDir};
use mysql_async::prelude::Queryable;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
}

/// Creates a database in a thread whose "test" then panics; returns its name, or `None`
/// when the server is unreachable (skipped).
fn name_of_database_created_by_a_failing_test(server: Server) -> Option<String> {
    let (send, receive) = std::sync::mpsc::channel();
    let failed = std::thread::spawn(move || {
        runtime().block_on(async move {
            let db = ServerDb::create(server).await;
            let _ = send.send(db.as_ref().map(|db| db.name.clone()));
            if db.is_some() {
                panic!("the test fails while holding its database");
            }
        })
    })
    .join();
    let name = receive.recv().expect("the thread reports")?;
    assert!(failed.is_err(), "the thread panicked");
    Some(name)
}

async fn count(server: Server, name: &str) -> i64 {
    match server {
        Server::Postgres => {
            let (client, connection) =
                tokio_postgres::connect(&server.url(), tokio_postgres::NoTls)
                    .await
                    .expect("connect");
            tokio::spawn(connection);
            let row = client
                .query_one(
                    "SELECT count(*) FROM pg_database WHERE datname = $1",
                    &[&name],
                )
                .await
                .expect("query");
            row.get(0)
        }
        Server::Mysql => {
            let opts = mysql_async::Opts::from_url(&server.url()).expect("url");
            let mut conn = mysql_async::Conn::new(opts).await.expect("connect");
            let found: Option<i64> = conn
                .exec_first(
                    "SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?",
                    (name,),
                )
                .await
                .expect("query");
            let _ = conn.disconnect().await;
            found.unwrap_or_default()
        }
    }
}

#[test]
fn databases_of_failed_tests_are_dropped() {
    for server in [Server::Postgres, Server::Mysql] {
        let Some(name) = name_of_database_created_by_a_failing_test(server) else {
            continue;
        };
        assert_eq!(
            runtime().block_on(count(server, &name)),
            0,
            "{server:?} {name}"
        );
    }
}

#[tokio::test]
async fn explicit_drop_and_pairs() {
    let Some((a, b)) = ServerDb::pair(Server::Postgres).await else {
        return;
    };
    assert_ne!(a.name, b.name);
    a.exec("CREATE TABLE t (id int)").await;
    assert_eq!(count(Server::Postgres, &a.name).await, 1);
    a.drop_db().await;
    assert_eq!(count(Server::Postgres, &a.name).await, 0);
    // Dropping the value after drop_db does nothing more; dropping b removes it.
    let b_name = b.name.clone();
    drop((a, b));
    assert_eq!(count(Server::Postgres, &b_name).await, 0);
}

#[test]
fn folders_are_removed_after_a_panic() {
    let (send, receive) = std::sync::mpsc::channel();
    let failed = std::thread::spawn(move || {
        let dir = TempDir::new();
        dir.write("a/b.sql", "SELECT 1;");
        let _ = send.send(dir.path().to_path_buf());
        panic!("the test fails while holding its folder");
    })
    .join();
    assert!(failed.is_err());
    let path = receive.recv().expect("the thread reports");
    assert!(!path.exists(), "{} is left behind", path.display());
}
