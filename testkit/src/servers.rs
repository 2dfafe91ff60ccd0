//! The test servers: their URLs and what to do when one is down.

/// Whether unreachable servers fail tests (`MERCATOR_REQUIRE_SERVERS=1`) instead of
/// skipping them.
pub fn require_servers() -> bool {
    std::env::var("MERCATOR_REQUIRE_SERVERS").is_ok_and(|v| v == "1")
}

/// Reports an unreachable server: panics when servers are required, otherwise prints why
/// the test is skipped. The caller then returns early.
pub fn skip_or_fail(server: &str, why: &str) {
    if require_servers() {
        panic!("{server} is required (MERCATOR_REQUIRE_SERVERS=1) but unreachable: {why}");
    }
    eprintln!("skipping: {server} unreachable: {why}");
}

/// The PostgreSQL test server (`MERCATOR_POSTGRES_URL`, default
/// `postgres://postgres@127.0.0.1:5432/test`).
pub fn postgres_url() -> String {
    std::env::var("MERCATOR_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// The MySQL/MariaDB test server (`MERCATOR_MYSQL_URL`, default
/// `mysql://root@127.0.0.1:3306/test`).
pub fn mysql_url() -> String {
    std::env::var("MERCATOR_MYSQL_URL")
        .unwrap_or_else(|_| "mysql://root@127.0.0.1:3306/test".into())
}

/// `url` with its database (path) replaced by `database`; credentials, host and query
/// parameters stay.
pub fn url_for(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let host_start = base.find("://").map_or(0, |i| i + 3);
    let host_end = base[host_start..]
        .find('/')
        .map_or(base.len(), |i| i + host_start);
    let mut out = format!("{}/{database}", &base[..host_end]);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::url_for;

    #[test]
    fn replaces_only_the_database() {
        assert_eq!(url_for("mysql://root@h:3306", "x"), "mysql://root@h:3306/x");
        assert_eq!(
            url_for("mysql://root:pw@h/test", "x"),
            "mysql://root:pw@h/x"
        );
        assert_eq!(
            url_for("postgres://u@h/test?search_path=app", "x"),
            "postgres://u@h/x?search_path=app"
        );
    }
}
