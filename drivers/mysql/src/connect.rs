//! Opening a connection: reading a `mysql://` URL into client options (TLS included) and
//! connecting.
//!
//! Query parameters are mysql_async's own ([`CLIENT_PARAMS`]) plus libpq-style TLS settings
//! shared with the PostgreSQL driver ([`MERCATOR_PARAMS`]): `sslmode=disable|allow|prefer|
//! require|verify-ca|verify-full` and a CA file in `sslrootcert` (or `ssl-ca`, the MySQL
//! client's name). Any other parameter is an [`DriverError::InvalidUrl`] naming it, so a typo
//! such as `sslmod=require` never connects in plain text by accident. Without `sslmode` (or
//! `require_ssl`) the connection is plain text, as with mysql_async and Go's MySQL driver.
//!
//! Known limit: mysql_async 0.36 does not manage to skip the host-name check with rustls
//! 0.23, so `verify-ca` (and `require`/`prefer` with a CA file) also check the host name.

use std::path::PathBuf;
use std::time::Duration;

use mysql_async::{Conn, Opts, OptsBuilder, SslOpts};
use percent_encoding::percent_decode_str;

use crate::error::describe;
use mercator_driver::{DriverError, SslMode, source};

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Query parameters mysql_async reads itself (passed through unchanged).
pub const CLIENT_PARAMS: &[&str] = &[
    "pool_min",
    "pool_max",
    "inactive_connection_ttl",
    "ttl_check_interval",
    "conn_ttl",
    "abs_conn_ttl",
    "abs_conn_ttl_jitter",
    "tcp_keepalive",
    "max_allowed_packet",
    "wait_timeout",
    "enable_cleartext_plugin",
    "reset_connection",
    "tcp_nodelay",
    "stmt_cache_size",
    "prefer_socket",
    "secure_auth",
    "client_found_rows",
    "socket",
    "compression",
    "require_ssl",
    "verify_ca",
    "verify_identity",
    "built_in_roots",
];

/// Query parameters Mercator reads itself.
pub const MERCATOR_PARAMS: &[&str] = &["sslmode", "sslrootcert", "ssl-ca"];

/// mysql_async's own TLS switches, which `sslmode` replaces.
const CLIENT_TLS_PARAMS: &[&str] = &[
    "require_ssl",
    "verify_ca",
    "verify_identity",
    "built_in_roots",
];

/// The `sslmode` a (redacted) URL names, if it names a known one.
fn sslmode_of_url(url: &str) -> Option<SslMode> {
    let query = url.split_once('?')?.1;
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, _)| *key == "sslmode")
        .and_then(|(_, value)| SslMode::parse(value))
}

fn invalid(url: &str, message: impl Into<String>) -> DriverError {
    DriverError::invalid_url(url, message)
}

fn accepted_params() -> String {
    mercator_driver::accepted_params(MERCATOR_PARAMS, CLIENT_PARAMS)
}

/// Splits a `mysql://`, `maria://` or `mariadb://` URL into client options and the
/// database it names.
///
/// ```
/// let (opts, database) =
///     mercator_mysql::parse_url("mariadb://root@127.0.0.1:3306/app?sslmode=disable").unwrap();
/// assert_eq!(database.as_deref(), Some("app"));
/// assert!(opts.ssl_opts().is_none());
/// let err = mercator_mysql::parse_url("mysql://root:pw@h/app?sslmod=require").unwrap_err();
/// assert!(err.to_string().contains("unknown query parameter `sslmod`"));
/// ```
pub fn parse_url(raw: &str) -> Result<(Opts, Option<String>), DriverError> {
    let parsed = url::Url::parse(raw).map_err(|e| invalid(raw, e.to_string()))?;
    match parsed.scheme() {
        "mysql" | "maria" | "mariadb" => {}
        other => {
            return Err(invalid(
                raw,
                format!("scheme {other:?} is not mysql://, maria:// or mariadb://"),
            ));
        }
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(invalid(raw, "the URL names no host"));
    }
    let database = parsed.path().trim_start_matches('/');
    let database = if database.is_empty() {
        None
    } else {
        let decoded = percent_decode_str(database)
            .decode_utf8()
            .map_err(|_| invalid(raw, "the database name is not UTF-8"))?;
        if decoded.contains('/') {
            return Err(invalid(raw, "the path must be a single database name"));
        }
        Some(decoded.into_owned())
    };
    let mut ssl_mode = None;
    let mut root_cert: Option<PathBuf> = None;
    let mut client_tls_param = None;
    let mut client_url = parsed.clone();
    client_url.set_query(None);
    {
        let mut passed = client_url.query_pairs_mut();
        for (key, value) in parsed.query_pairs() {
            match key.as_ref() {
                "sslmode" => {
                    ssl_mode = Some(SslMode::parse(&value).ok_or_else(|| {
                        let names: Vec<&str> = SslMode::ALL.iter().map(|(n, _)| *n).collect();
                        invalid(
                            raw,
                            format!("sslmode={value} is not one of {}", names.join(", ")),
                        )
                    })?);
                }
                "sslrootcert" | "ssl-ca" => root_cert = Some(PathBuf::from(value.as_ref())),
                known if CLIENT_PARAMS.contains(&known) => {
                    if CLIENT_TLS_PARAMS.contains(&known) {
                        client_tls_param = Some(key.to_string());
                    }
                    passed.append_pair(&key, &value);
                }
                unknown => {
                    return Err(invalid(
                        raw,
                        format!(
                            "unknown query parameter `{unknown}`; accepted: {}",
                            accepted_params()
                        ),
                    ));
                }
            }
        }
    }
    if client_url.query() == Some("") {
        client_url.set_query(None);
    }
    if let (Some(_), Some(param)) = (ssl_mode, &client_tls_param) {
        return Err(invalid(
            raw,
            format!("use either sslmode or {param}, not both"),
        ));
    }
    // The client library only knows the `mysql` scheme; everything else is shared.
    let text = client_url.as_str();
    let client_text = format!("mysql{}", &text[client_url.scheme().len()..]);
    // mysql_async's messages name the parameter and its value; the values passed here are
    // mysql_async's own settings, never the password (which is in the user info).
    let opts = Opts::from_url(&client_text).map_err(|e| invalid(raw, e.to_string()))?;
    let ssl = match ssl_mode {
        Some(mode) => tls_options(mode, root_cert).map_err(|message| invalid(raw, message))?,
        None => match root_cert {
            // A CA file alone asks for a verified connection, as with the MySQL client.
            Some(path) if client_tls_param.is_none() => {
                tls_options(SslMode::VerifyCa, Some(path)).map_err(|m| invalid(raw, m))?
            }
            Some(path) => opts
                .ssl_opts()
                .cloned()
                .map(|ssl| ssl.with_root_certs(vec![path.into()])),
            None => opts.ssl_opts().cloned(),
        },
    };
    let opts = OptsBuilder::from_opts(opts).ssl_opts(ssl).into();
    Ok((opts, database))
}

/// mysql_async's TLS options for `mode`, with libpq's meaning (see the PostgreSQL driver).
#[cfg(feature = "tls")]
fn tls_options(mode: SslMode, root_cert: Option<PathBuf>) -> Result<Option<SslOpts>, String> {
    let verify_chain =
        matches!(mode, SslMode::VerifyCa | SslMode::VerifyFull) || root_cert.is_some();
    if mode == SslMode::Disable {
        return Ok(None);
    }
    let mut ssl = SslOpts::default()
        .with_danger_accept_invalid_certs(!verify_chain)
        .with_danger_skip_domain_validation(mode != SslMode::VerifyFull);
    if let Some(path) = root_cert {
        ssl = ssl
            .with_root_certs(vec![path.into()])
            .with_disable_built_in_roots(true);
    }
    Ok(Some(ssl))
}

/// Without the `tls` feature only plain-text modes are available.
#[cfg(not(feature = "tls"))]
fn tls_options(mode: SslMode, _root_cert: Option<PathBuf>) -> Result<Option<SslOpts>, String> {
    match mode {
        SslMode::Disable | SslMode::Allow | SslMode::Prefer => Ok(None),
        _ => Err(format!(
            "sslmode={} needs TLS, but mercator-mysql was built without its `tls` feature",
            SslMode::ALL
                .iter()
                .find(|(_, m)| *m == mode)
                .map_or("?", |(n, _)| n)
        )),
    }
}

/// Opens a session with `opts`, parsed by [`parse_url`] from `url` (redacted; used in
/// messages and to see whether `sslmode=prefer` allows falling back to plain text).
pub(crate) async fn connect(opts: &Opts, url: &str) -> Result<Conn, DriverError> {
    let mode = sslmode_of_url(url);
    #[cfg(feature = "tls")]
    if opts.ssl_opts().is_some() {
        // mysql_async builds its TLS settings with rustls' process-wide provider; make sure
        // there is one, and that it is ring (a no-op when the process chose one already).
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
    match attempt(opts, url, mode).await {
        Err(Failure::NoTlsOnServer(_))
            if matches!(mode, Some(SslMode::Prefer | SslMode::Allow)) =>
        {
            let plain = OptsBuilder::from_opts(opts.clone()).ssl_opts(None).into();
            attempt(&plain, url, mode)
                .await
                .map_err(Failure::into_error)
        }
        other => other.map_err(Failure::into_error),
    }
}

/// A failed attempt; a server without TLS is told apart for `sslmode=prefer`.
enum Failure {
    NoTlsOnServer(DriverError),
    Other(DriverError),
}

impl Failure {
    fn into_error(self) -> DriverError {
        match self {
            Failure::NoTlsOnServer(e) | Failure::Other(e) => e,
        }
    }
}

async fn attempt(opts: &Opts, url: &str, mode: Option<SslMode>) -> Result<Conn, Failure> {
    let failed = |message: String, code: Option<String>, source| DriverError::Connect {
        url: url.to_owned(),
        message,
        code,
        source,
    };
    match tokio::time::timeout(CONNECT_TIMEOUT, Conn::new(opts.clone())).await {
        Ok(Ok(conn)) => Ok(conn),
        Ok(Err(e)) => {
            let no_tls = matches!(
                e,
                mysql_async::Error::Driver(mysql_async::DriverError::NoClientSslFlagFromServer)
            );
            let mut message = describe(&e);
            if let Some(hint) = tls_hint(&message, no_tls, mode, opts) {
                message.push_str(" (");
                message.push_str(&hint);
                message.push(')');
            }
            let code = match &e {
                mysql_async::Error::Server(server) => Some(server.code.to_string()),
                _ => None,
            };
            let error = failed(message, code, Some(source(e)));
            Err(if no_tls {
                Failure::NoTlsOnServer(error)
            } else {
                Failure::Other(error)
            })
        }
        Err(_) => Err(Failure::Other(failed(
            format!("no answer within {}s", CONNECT_TIMEOUT.as_secs()),
            None,
            None,
        ))),
    }
}

/// What to do about a TLS failure.
fn tls_hint(message: &str, no_tls: bool, mode: Option<SslMode>, opts: &Opts) -> Option<String> {
    let asked = match mode {
        Some(mode) => format!(
            "sslmode={}",
            SslMode::ALL
                .iter()
                .find(|(_, m)| *m == mode)
                .map_or("?", |(n, _)| n)
        ),
        None => "the URL".to_owned(),
    };
    if no_tls {
        return Some(format!(
            "{asked} asks for TLS but the server has none; enable TLS on the server \
             (have_ssl) or use sslmode=prefer"
        ));
    }
    let ssl = opts.ssl_opts()?;
    if message.contains("UnknownIssuer") || message.contains("BadSignature") {
        let ca = if ssl.root_certs().is_empty() {
            "the built-in web PKI roots (set sslrootcert=PATH to the server's CA)"
        } else {
            "the CA file in sslrootcert"
        };
        return Some(format!(
            "{asked}: the server's certificate is not signed by {ca}"
        ));
    }
    if message.contains("not valid for name") || message.contains("NotValidForName") {
        // mysql_async 0.36 recognises a host-name mismatch by an older rustls message, so
        // its "skip the host name" switch (verify-ca) does not take effect.
        let also = if mode != Some(SslMode::VerifyFull) {
            " (the MySQL client library checks it whenever it checks the certificate)"
        } else {
            ""
        };
        return Some(format!(
            "{asked} checks the host name{also}; connect with a name the certificate lists"
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::{SslMode, parse_url, sslmode_of_url};

    #[test]
    fn parses_urls() {
        let (_, db) = parse_url("mysql://root@127.0.0.1:3306/test").unwrap();
        assert_eq!(db.as_deref(), Some("test"));
        let (opts, db) = parse_url("maria://u:p@localhost/").unwrap();
        assert_eq!(db, None);
        assert_eq!(opts.user(), Some("u"));
        assert!(opts.ssl_opts().is_none());
        assert!(
            parse_url("mariadb://root@h:3307/x%20y")
                .unwrap()
                .1
                .as_deref()
                == Some("x y")
        );
        let err = parse_url("postgres://u:secret@h/db")
            .unwrap_err()
            .to_string();
        assert!(!err.contains("secret"), "{err}");
        assert!(parse_url("mysql:///db").is_err());
    }

    #[test]
    fn passes_client_parameters_through() {
        let (opts, _) = parse_url(
            "mysql://u:p%40ss@h:3307/db?pool_min=1&pool_max=3&tcp_keepalive=5000&stmt_cache_size=7",
        )
        .unwrap();
        assert_eq!(opts.pass(), Some("p@ss"));
        assert_eq!(opts.tcp_port(), 3307);
        assert_eq!(opts.tcp_keepalive(), Some(5000));
        assert_eq!(opts.stmt_cache_size(), 7);
        assert_eq!(opts.pool_opts().constraints().max(), 3);
    }

    #[cfg(feature = "tls")]
    #[test]
    fn sslmode_sets_tls_options() {
        let ssl = |url: &str| parse_url(url).unwrap().0.ssl_opts().cloned();
        assert!(ssl("mysql://h/db?sslmode=disable").is_none());
        let require = ssl("mysql://h/db?sslmode=require").unwrap();
        assert!(require.accept_invalid_certs());
        let prefer = ssl("mysql://h/db?sslmode=prefer").unwrap();
        assert!(prefer.accept_invalid_certs());
        let verify_ca = ssl("mysql://h/db?sslmode=verify-ca&sslrootcert=/tmp/ca.pem").unwrap();
        assert!(!verify_ca.accept_invalid_certs());
        assert!(verify_ca.skip_domain_validation());
        assert!(verify_ca.disable_built_in_roots());
        assert_eq!(verify_ca.root_certs().len(), 1);
        let full = ssl("mysql://h/db?sslmode=verify-full&ssl-ca=/tmp/ca.pem").unwrap();
        assert!(!full.accept_invalid_certs());
        assert!(!full.skip_domain_validation());
        let full_web = ssl("mysql://h/db?sslmode=verify-full").unwrap();
        assert!(!full_web.disable_built_in_roots());
        assert!(full_web.root_certs().is_empty());
        // libpq: require with a CA file checks the chain.
        let require_ca = ssl("mysql://h/db?sslmode=require&sslrootcert=/tmp/ca.pem").unwrap();
        assert!(!require_ca.accept_invalid_certs());
        // mysql_async's own switches still work.
        let own = ssl("mysql://h/db?require_ssl=true&verify_ca=false").unwrap();
        assert!(own.accept_invalid_certs());
    }

    #[cfg(not(feature = "tls"))]
    #[test]
    fn without_tls_only_plain_modes_are_accepted() {
        for name in ["disable", "allow", "prefer"] {
            let (opts, _) = parse_url(&format!("mysql://h/db?sslmode={name}")).unwrap();
            assert!(opts.ssl_opts().is_none(), "{name}");
        }
        for name in ["require", "verify-ca", "verify-full"] {
            let err = parse_url(&format!("mysql://u:hunter2@h/db?sslmode={name}"))
                .unwrap_err()
                .to_string();
            assert!(err.contains("built without its `tls` feature"), "{err}");
            assert!(!err.contains("hunter2"), "{err}");
        }
    }

    #[test]
    fn sslmode_is_read_from_redacted_urls() {
        assert_eq!(
            sslmode_of_url("mysql://u:xxxxx@h/db?pool_max=2&sslmode=prefer"),
            Some(SslMode::Prefer)
        );
        assert_eq!(sslmode_of_url("mysql://u@h/db"), None);
    }

    #[test]
    fn unknown_and_conflicting_parameters_are_refused() {
        let err = parse_url("mysql://u:hunter2@h/db?sslmod=require")
            .unwrap_err()
            .to_string();
        assert!(err.contains("unknown query parameter `sslmod`"), "{err}");
        assert!(err.contains("accepted: "), "{err}");
        assert!(err.contains("sslmode"), "{err}");
        assert!(!err.contains("hunter2"), "{err}");
        let err = parse_url("mysql://u@h/db?sslmode=require&require_ssl=true")
            .unwrap_err()
            .to_string();
        assert!(err.contains("either sslmode or require_ssl"), "{err}");
        let err = parse_url("mysql://u@h/db?sslmode=verify_full")
            .unwrap_err()
            .to_string();
        assert!(err.contains("sslmode=verify_full is not one of"), "{err}");
    }

    #[test]
    fn errors_never_show_the_secret() {
        for url in [
            "mysql://u:hunter2@h:notaport/db",
            "mysql://u:hunter2@h/db?pool_max=x",
            "mysql://u:hunter2@h/db?pool_min=5&pool_max=1",
            "mysql://u:hunter2@h/db?compression=maybe",
            "mysql://u:hunter2@h/a/b",
            "mysql://u:hunter2@h/db?password=hunter2",
            "mysql://u@h/db?pass=hunter2",
            "mysql://u:hunter2@h/db?sslmode=sometimes",
            "mysql://u:hunter2@/db",
            "postgres://u:hunter2@h/db",
        ] {
            let err = parse_url(url).unwrap_err().to_string();
            assert!(err.starts_with("invalid URL "), "{err}");
            assert!(!err.contains("hunter2"), "{url} -> {err}");
        }
    }
}
