//! Opening a connection: reading a `postgres://` URL into client settings, choosing TLS,
//! connecting and preparing the session.
//!
//! The URL is libpq's: `postgres://user:password@host1:5432,host2/dbname?param=value&…`.
//! Every query parameter that `tokio_postgres::Config` understands ([`CLIENT_PARAMS`]) is
//! passed through to it; Mercator reads [`MERCATOR_PARAMS`] itself (`search_path` binds the
//! driver to a schema; `sslmode` and `sslrootcert` choose TLS). Any other parameter is an
//! [`DriverError::InvalidUrl`] naming it, so a typo such as `sslmod=require` never connects
//! in plain text by accident.

#[cfg(feature = "tls")]
mod tls;

use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use mercator_driver::{DriverError, SslMode, redact_url, source};
use percent_encoding::percent_decode_str;
use tokio::task::JoinHandle;
use tokio_postgres::tls::MakeTlsConnect;
use tokio_postgres::{Client, Config, NoTls, Socket};

use crate::error::one_line;
use crate::quote::ident;

/// Query parameters handed to `tokio_postgres::Config` unchanged (libpq's names).
pub(crate) const CLIENT_PARAMS: &[&str] = &[
    "user",
    "password",
    "dbname",
    "host",
    "hostaddr",
    "port",
    "options",
    "application_name",
    "connect_timeout",
    "tcp_user_timeout",
    "keepalives",
    "keepalives_idle",
    "keepalives_interval",
    "keepalives_retries",
    "target_session_attrs",
    "channel_binding",
    "load_balance_hosts",
    "sslnegotiation",
];

/// Query parameters Mercator reads itself.
pub(crate) const MERCATOR_PARAMS: &[&str] = &["search_path", "sslmode", "sslrootcert"];

/// How long a connection attempt may take when the URL sets no `connect_timeout`.
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Everything a URL says about the connection.
#[derive(Debug)]
pub(crate) struct Settings {
    /// Client settings (hosts, credentials, timeouts, `sslmode` as tokio-postgres knows it).
    pub config: Config,
    /// The schema `search_path` binds the driver to.
    pub schema: Option<String>,
    /// The requested TLS mode (`prefer` when the URL names none, as with libpq).
    pub ssl_mode: SslMode,
    /// The CA file (`sslrootcert`).
    pub root_cert: Option<PathBuf>,
}

fn invalid(url: &str, message: impl Into<String>) -> DriverError {
    DriverError::invalid_url(url, message)
}

fn accepted_params() -> String {
    mercator_driver::accepted_params(MERCATOR_PARAMS, CLIENT_PARAMS)
}

/// Reads a `postgres://` or `postgresql://` URL.
pub(crate) fn settings(raw: &str) -> Result<Settings, DriverError> {
    let Some(rest) = raw
        .strip_prefix("postgres://")
        .or_else(|| raw.strip_prefix("postgresql://"))
    else {
        return Err(invalid(raw, "expected a postgres:// or postgresql:// URL"));
    };
    // The query starts at the first `?` after the user info, as tokio-postgres splits it.
    let after_credentials = rest.find('@').map_or(0, |at| at + 1);
    let (base, query) = match rest[after_credentials..].find('?') {
        Some(q) => (
            &raw[..raw.len() - rest.len() + after_credentials + q],
            &rest[after_credentials + q + 1..],
        ),
        None => (raw, ""),
    };
    let mut schema = None;
    let mut ssl_mode = SslMode::Prefer;
    let mut root_cert = None;
    let mut passed = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let Some((raw_key, raw_value)) = pair.split_once('=') else {
            return Err(invalid(
                raw,
                format!("query parameter `{pair}` has no value"),
            ));
        };
        let decode = |text: &str| {
            percent_decode_str(text)
                .decode_utf8()
                .map(|t| t.into_owned())
                .map_err(|_| invalid(raw, format!("query parameter `{raw_key}` is not UTF-8")))
        };
        let key = decode(raw_key)?;
        match key.as_str() {
            "search_path" => {
                let value = decode(raw_value)?;
                schema = (!value.is_empty()).then_some(value);
            }
            "sslmode" => {
                let value = decode(raw_value)?;
                ssl_mode = SslMode::parse(&value).ok_or_else(|| {
                    let names: Vec<&str> = SslMode::ALL.iter().map(|(n, _)| *n).collect();
                    invalid(
                        raw,
                        format!("sslmode={value} is not one of {}", names.join(", ")),
                    )
                })?;
            }
            "sslrootcert" => root_cert = Some(PathBuf::from(decode(raw_value)?)),
            known if CLIENT_PARAMS.contains(&known) => passed.push(pair),
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
    let client_url = if passed.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", passed.join("&"))
    };
    // tokio-postgres names the offending option, never its value, in its errors.
    let mut config = Config::from_str(&client_url).map_err(|e| invalid(raw, e.to_string()))?;
    if config.get_hosts().is_empty() {
        config.host("localhost");
    }
    if config.get_user().is_none() {
        config.user("postgres");
    }
    if config.get_application_name().is_none() {
        config.application_name("mercator");
    }
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(DEFAULT_CONNECT_TIMEOUT);
    }
    config.ssl_mode(match ssl_mode {
        SslMode::Disable => tokio_postgres::config::SslMode::Disable,
        SslMode::Allow | SslMode::Prefer => tokio_postgres::config::SslMode::Prefer,
        SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull => {
            tokio_postgres::config::SslMode::Require
        }
    });
    #[cfg(not(feature = "tls"))]
    if ssl_mode.requires_tls() {
        return Err(invalid(
            raw,
            format!(
                "sslmode={} needs TLS, but mercator-postgres was built without its `tls` feature",
                ssl_mode.name()
            ),
        ));
    }
    Ok(Settings {
        config,
        schema,
        ssl_mode,
        root_cert,
    })
}

/// Connects to a `postgres://` or `postgresql://` URL and prepares the session.
///
/// Returns the client, the task driving the connection (abort it to close), and the schema
/// that `search_path` in the URL binds the driver to. Errors carry the redacted URL and the
/// server's or the TLS layer's answer on one line.
pub(crate) async fn connect(
    url: &str,
) -> Result<(Client, JoinHandle<()>, Option<String>), DriverError> {
    let settings = settings(url)?;
    let (client, connection) = open(&settings, url).await?;
    // Function bodies are checked when called, not when created, so routines may be
    // created before the tables they read (pg_dump does the same).
    let mut setup = String::from("SET check_function_bodies = off;");
    if let Some(schema) = &settings.schema {
        setup.push_str(&format!("SET search_path TO {};", ident(schema)));
    }
    if let Err(e) = client.batch_execute(&setup).await {
        connection.abort();
        return Err(connect_error(url, &settings, e));
    }
    Ok((client, connection, settings.schema))
}

/// Opens the connection with the TLS the settings ask for.
async fn open(settings: &Settings, url: &str) -> Result<(Client, JoinHandle<()>), DriverError> {
    #[cfg(feature = "tls")]
    if settings.ssl_mode != SslMode::Disable {
        let config =
            tls::client_config(settings.ssl_mode, settings.root_cert.as_deref()).map_err(|e| {
                DriverError::Connect {
                    url: redact_url(url),
                    message: e.to_string(),
                    code: None,
                    source: Some(source(e)),
                }
            })?;
        let connector = tokio_postgres_rustls::MakeRustlsConnect::new(config);
        return start(settings, url, connector).await;
    }
    start(settings, url, NoTls).await
}

async fn start<T>(
    settings: &Settings,
    url: &str,
    tls: T,
) -> Result<(Client, JoinHandle<()>), DriverError>
where
    T: MakeTlsConnect<Socket> + Send + 'static,
    T::Stream: Send + 'static,
    T::TlsConnect: Send,
    <T::TlsConnect as tokio_postgres::tls::TlsConnect<Socket>>::Future: Send,
{
    let (client, connection) = settings
        .config
        .connect(tls)
        .await
        .map_err(|e| connect_error(url, settings, e))?;
    let connection = tokio::spawn(async move {
        // The connection ends when the client is dropped; errors surface on the client.
        let _ = connection.await;
    });
    Ok((client, connection))
}

/// A connection failure on one line, with a hint when TLS is the likely cause.
fn connect_error(url: &str, settings: &Settings, e: tokio_postgres::Error) -> DriverError {
    let mut message = one_line(&e);
    if let Some(hint) = tls_hint(&message, settings) {
        message.push_str(" (");
        message.push_str(&hint);
        message.push(')');
    }
    DriverError::Connect {
        url: redact_url(url),
        message,
        code: e.code().map(|c| c.code().to_owned()),
        source: Some(source(e)),
    }
}

/// What to do about a TLS failure, judged from the library's message.
fn tls_hint(message: &str, settings: &Settings) -> Option<String> {
    let mode = settings.ssl_mode.name();
    if message.contains("server does not support TLS") && settings.ssl_mode.requires_tls() {
        return Some(format!(
            "sslmode={mode} needs TLS; enable ssl on the server or use sslmode=prefer"
        ));
    }
    let ca = match &settings.root_cert {
        Some(path) => format!("the CA file {}", path.display()),
        None => "the built-in web PKI roots (set sslrootcert=PATH to the server's CA)".to_owned(),
    };
    if message.contains("UnknownIssuer") || message.contains("BadSignature") {
        return Some(format!(
            "sslmode={mode}: the server's certificate is not signed by {ca}"
        ));
    }
    if message.contains("not valid for name") || message.contains("NotValidForName") {
        return Some(format!(
            "sslmode={mode} checks the host name; connect with a name the certificate lists, \
             or use sslmode=verify-ca"
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::{SslMode, settings};

    #[test]
    fn url_parsing() {
        let s =
            settings("postgresql://u:p%40ss@h:6543/db?search_path=app&sslmode=disable").unwrap();
        assert_eq!(s.schema.as_deref(), Some("app"));
        assert_eq!(s.config.get_user(), Some("u"));
        assert_eq!(s.config.get_password(), Some(&b"p@ss"[..]));
        assert_eq!(s.config.get_dbname(), Some("db"));
        assert_eq!(s.config.get_ports(), &[6543]);
        assert_eq!(s.ssl_mode, SslMode::Disable);
        let err = settings("mysql://u@h/db").unwrap_err().to_string();
        assert!(err.contains("postgres://"), "{err}");
    }

    #[test]
    fn defaults_match_what_the_driver_always_did() {
        let s = settings("postgres://").unwrap();
        assert_eq!(s.config.get_user(), Some("postgres"));
        assert_eq!(s.config.get_application_name(), Some("mercator"));
        assert_eq!(
            s.config.get_connect_timeout(),
            Some(&std::time::Duration::from_secs(10))
        );
        assert_eq!(s.ssl_mode, SslMode::Prefer);
        assert_eq!(s.config.get_hosts().len(), 1);
    }

    #[test]
    fn passes_libpq_parameters_through() {
        let s = settings(
            "postgres://h1:5433,h2/db?application_name=ci&options=-c%20statement_timeout%3D5s\
             &connect_timeout=3&keepalives=0&target_session_attrs=read-write\
             &user=alice&password=pw&channel_binding=disable\
             &sslrootcert=/tmp/ca.pem&sslmode=prefer",
        )
        .unwrap();
        let c = &s.config;
        assert_eq!(c.get_application_name(), Some("ci"));
        assert_eq!(c.get_options(), Some("-c statement_timeout=5s"));
        assert_eq!(
            c.get_connect_timeout(),
            Some(&std::time::Duration::from_secs(3))
        );
        assert!(!c.get_keepalives());
        assert_eq!(
            c.get_target_session_attrs(),
            tokio_postgres::config::TargetSessionAttrs::ReadWrite
        );
        assert_eq!(c.get_user(), Some("alice"));
        assert_eq!(c.get_password(), Some(&b"pw"[..]));
        assert_eq!(c.get_hosts().len(), 2);
        assert_eq!(c.get_ports(), &[5433, 5432]);
        assert_eq!(
            c.get_channel_binding(),
            tokio_postgres::config::ChannelBinding::Disable
        );
        assert_eq!(s.ssl_mode, SslMode::Prefer);
        assert_eq!(c.get_ssl_mode(), tokio_postgres::config::SslMode::Prefer);
        assert_eq!(
            s.root_cert.as_deref(),
            Some(std::path::Path::new("/tmp/ca.pem"))
        );
    }

    #[test]
    fn hosts_and_ports_may_be_query_parameters() {
        let s = settings("postgres:///db?host=%2Fvar%2Frun%2Fpostgresql&port=7000&dbname=other")
            .unwrap();
        assert!(matches!(
            s.config.get_hosts(),
            [tokio_postgres::config::Host::Unix(path)] if path.ends_with("postgresql")
        ));
        assert_eq!(s.config.get_ports(), &[7000]);
        assert_eq!(s.config.get_dbname(), Some("other"));
    }

    #[cfg(feature = "tls")]
    #[test]
    fn every_sslmode_is_read() {
        for (name, mode) in SslMode::ALL {
            let s = settings(&format!("postgres://h/db?sslmode={name}")).unwrap();
            assert_eq!(s.ssl_mode, *mode, "{name}");
            let expected = if mode.requires_tls() {
                tokio_postgres::config::SslMode::Require
            } else if *mode == SslMode::Disable {
                tokio_postgres::config::SslMode::Disable
            } else {
                tokio_postgres::config::SslMode::Prefer
            };
            assert_eq!(s.config.get_ssl_mode(), expected, "{name}");
        }
    }

    #[cfg(not(feature = "tls"))]
    #[test]
    fn without_tls_only_plain_modes_are_accepted() {
        for name in ["disable", "allow", "prefer"] {
            settings(&format!("postgres://h/db?sslmode={name}")).unwrap();
        }
        for name in ["require", "verify-ca", "verify-full"] {
            let err = settings(&format!("postgres://u:hunter2@h/db?sslmode={name}"))
                .unwrap_err()
                .to_string();
            assert!(err.contains("built without its `tls` feature"), "{err}");
            assert!(!err.contains("hunter2"), "{err}");
        }
    }

    #[test]
    fn unknown_sslmode_values_are_refused() {
        let err = settings("postgres://u:hunter2@h/db?sslmode=verify_full")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("sslmode=verify_full is not one of disable"),
            "{err}"
        );
        assert!(!err.contains("hunter2"), "{err}");
    }

    #[test]
    fn unknown_parameters_are_refused_by_name() {
        let err = settings("postgres://u:hunter2@h/db?sslmod=require")
            .unwrap_err()
            .to_string();
        assert!(err.contains("unknown query parameter `sslmod`"), "{err}");
        assert!(err.contains("accepted: "), "{err}");
        assert!(err.contains("sslmode"), "{err}");
        assert!(!err.contains("hunter2"), "{err}");
        let err = settings("postgres://h/db?password=hunter2&bogus=1")
            .unwrap_err()
            .to_string();
        assert!(err.contains("`bogus`"), "{err}");
        assert!(!err.contains("hunter2"), "{err}");
    }

    #[test]
    fn bad_values_never_show_the_secret() {
        for url in [
            "postgres://u:hunter2@h:notaport/db",
            "postgres://u:hunter2@h/db?port=x",
            "postgres://u:hunter2@h/db?keepalives=maybe",
            "postgres://u:hunter2@h/db?sslmode",
            "postgres://u:hunter2@h/db?search_path=%FF",
            "postgres://h/db?password=hunter2&connect_timeout=soon",
            "postgres://h/db?password=hunter2&target_session_attrs=any-of-them",
            "postgres://h/db?password=hunter2&nope=1",
        ] {
            let err = settings(url).unwrap_err().to_string();
            assert!(err.starts_with("invalid URL "), "{err}");
            assert!(!err.contains("hunter2"), "{url} -> {err}");
        }
    }
}
