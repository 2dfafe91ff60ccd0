//! TLS settings against the MySQL/MariaDB server of `MERCATOR_MYSQL_URL`: whatever the
//! server offers, `sslmode=require` either encrypts or fails on one clear line, `prefer`
//! always connects, and no error shows the password. A throw-away MariaDB with a generated
//! certificate checks the verifying modes (`mariadb-install-db`/`mariadbd`, run as the
//! `mysql` user through `runuser` when running as root; skipped with the reason when they
//! are missing, a failure with `MERCATOR_REQUIRE_SERVERS=1`).

#![cfg(feature = "tls")]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use mercator_driver::{Driver, DriverError};
use mercator_mysql::MysqlDriver;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};

fn base_url() -> String {
    std::env::var("MERCATOR_MYSQL_URL")
        .unwrap_or_else(|_| "mysql://root@127.0.0.1:3306/test".into())
}

/// The server URL with `query` in place of its own query, and `password` in the user info.
fn url_with(query: &str, password: Option<&str>) -> String {
    let mut url = url::Url::parse(&base_url()).expect("MERCATOR_MYSQL_URL is a URL");
    if let Some(password) = password {
        url.set_password(Some(password))
            .expect("URL takes a password");
    }
    url.set_query((!query.is_empty()).then_some(query));
    url.to_string()
}

/// Whether a fresh session over `url` is encrypted (`Ssl_cipher` is set).
async fn encrypted(url: &str) -> Result<bool, DriverError> {
    let driver = MysqlDriver::open(url).await?;
    let mut session = driver.session().await?;
    let rows = session
        .query("SHOW SESSION STATUS LIKE 'Ssl_cipher'")
        .await?;
    Ok(rows
        .rows
        .first()
        .and_then(|row| row.get(1).cloned().flatten())
        .is_some_and(|cipher| !cipher.is_empty()))
}

/// The failure of connecting to `url`, checked to be one line without `secret`.
async fn failure(url: &str, secret: &str) -> String {
    let error = match MysqlDriver::open(url).await {
        Ok(_) => panic!("{url} connected"),
        Err(e) => e,
    };
    let text = error.to_string();
    assert!(!text.contains('\n'), "not one line: {text}");
    assert!(!text.contains(secret), "secret shown: {text}");
    assert!(
        !format!("{error:?}").contains(secret),
        "secret in {error:?}"
    );
    eprintln!("as expected: {text}");
    text
}

/// Whether the server offers TLS, or `None` (skip) when it is unreachable.
async fn server_has_tls() -> Option<bool> {
    let driver = match MysqlDriver::open(&url_with("sslmode=disable", None)).await {
        Ok(driver) => driver,
        Err(e) => {
            mercator_testkit::skip_or_fail("MySQL", &e.to_string());
            return None;
        }
    };
    let mut session = driver.session().await.expect("session");
    let rows = session
        .query("SHOW VARIABLES LIKE 'have_ssl'")
        .await
        .expect("have_ssl");
    let value = rows.rows.first().and_then(|r| r.get(1).cloned().flatten());
    Some(value.as_deref() == Some("YES"))
}

#[tokio::test]
async fn sslmode_against_the_server() {
    let Some(tls) = server_has_tls().await else {
        return;
    };
    assert!(!encrypted(&url_with("sslmode=disable", None)).await.unwrap());
    assert!(!encrypted(&url_with("", None)).await.unwrap());
    // prefer encrypts when it can and falls back to plain text otherwise.
    assert_eq!(
        encrypted(&url_with("sslmode=prefer", None)).await.unwrap(),
        tls
    );
    if tls {
        assert!(encrypted(&url_with("sslmode=require", None)).await.unwrap());
    } else {
        for mode in ["require", "verify-ca", "verify-full"] {
            let text = failure(&url_with(&format!("sslmode={mode}"), None), "hunter2").await;
            assert!(
                text.contains("server does not have this capability"),
                "{text}"
            );
            assert!(
                text.contains(&format!(
                    "sslmode={mode} asks for TLS but the server has none"
                )),
                "{text}"
            );
        }
        // mysql_async's own switch fails the same way.
        let text = failure(&url_with("require_ssl=true", None), "hunter2").await;
        assert!(text.contains("the URL asks for TLS"), "{text}");
    }
}

#[tokio::test]
async fn no_error_shows_the_password() {
    if server_has_tls().await.is_none() {
        return;
    }
    // A wrong password in the user info: the server refuses the login.
    let text = failure(&url_with("sslmode=disable", Some("hunter2")), "hunter2").await;
    assert!(text.contains("xxxxx"), "{text}");
    // A TLS failure or a refused login, with the password in the user info.
    failure(&url_with("sslmode=verify-full", Some("hunter2")), "hunter2").await;
    // Parameters that are refused before connecting, with the secret in the query too.
    for query in [
        "sslmode=verify-full&password=hunter2",
        "pass=hunter2",
        "sslmod=require",
        "sslmode=sometimes",
        "pool_min=9&pool_max=1",
        "sslmode=require&sslrootcert=/nonexistent/ca.pem",
    ] {
        let text = failure(&url_with(query, Some("hunter2")), "hunter2").await;
        assert!(text.contains("xxxxx"), "{text}");
    }
}

/// A CA and a server certificate for `localhost` it signed, as PEM.
struct Certificates {
    ca: String,
    server_cert: String,
    server_key: String,
}

fn certificates() -> Certificates {
    let ca_key = KeyPair::generate().expect("CA key");
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "Mercator test CA");
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca_cert = ca_params.self_signed(&ca_key).expect("CA certificate");
    let issuer = Issuer::new(ca_params, ca_key);
    let server_key = KeyPair::generate().expect("server key");
    let mut params = CertificateParams::new(vec!["localhost".to_owned()]).expect("params");
    params
        .distinguished_name
        .push(DnType::CommonName, "localhost");
    let server_cert = params
        .signed_by(&server_key, &issuer)
        .expect("server certificate");
    Certificates {
        ca: ca_cert.pem(),
        server_cert: server_cert.pem(),
        server_key: server_key.serialize_pem(),
    }
}

fn run(command: &mut Command) -> Result<String, String> {
    let output = command
        .output()
        .map_err(|e| format!("cannot run {command:?}: {e}"))?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
    } else {
        Err(format!(
            "{command:?} failed ({}): {}{}",
            output.status,
            String::from_utf8_lossy(&output.stdout).trim(),
            String::from_utf8_lossy(&output.stderr).trim()
        ))
    }
}

/// A MariaDB server in a temporary folder, stopped and removed on drop (also when the test
/// fails).
struct Server {
    dir: tempfile::TempDir,
    port: u16,
    process: Option<Child>,
}

impl Server {
    fn start(certs: &Certificates) -> Result<Server, String> {
        let install = Path::new("/usr/bin/mariadb-install-db");
        let daemon = Path::new("/usr/sbin/mariadbd");
        if !install.exists() || !daemon.exists() {
            return Err("no mariadb-install-db or mariadbd".into());
        }
        let root = run(Command::new("id").arg("-u"))? == "0";
        let as_mysql = |program: &Path| {
            if root {
                let mut command = Command::new("runuser");
                command.args(["-u", "mysql", "--"]).arg(program);
                command
            } else {
                Command::new(program)
            }
        };
        let dir = tempfile::tempdir().map_err(|e| format!("temporary folder: {e}"))?;
        let mut server = Server {
            dir,
            port: 0,
            process: None,
        };
        let path = |name: &str| server.dir.path().join(name);
        for (name, text) in [
            ("ca.pem", &certs.ca),
            ("server.crt", &certs.server_cert),
            ("server.key", &certs.server_key),
        ] {
            std::fs::write(path(name), text).map_err(|e| format!("{name}: {e}"))?;
        }
        // A temporary-files folder of its own: at startup mariadbd deletes every `#sql*`
        // file in its tmpdir, and the default (/tmp) holds the shared server's temporary
        // tables, whose queries then fail with "Error on delete of '/tmp/#sql-temptable…'".
        std::fs::create_dir(path("tmp")).map_err(|e| format!("tmp: {e}"))?;
        if root {
            // The server runs as the mysql user and must read its folder.
            let id = |flag: &str| -> Result<u32, String> {
                run(Command::new("id").args([flag, "mysql"]))?
                    .parse()
                    .map_err(|e| format!("id {flag} mysql: {e}"))
            };
            let (uid, gid) = (id("-u")?, id("-g")?);
            for name in ["", "tmp", "ca.pem", "server.crt", "server.key"] {
                std::os::unix::fs::chown(path(name), Some(uid), Some(gid))
                    .map_err(|e| format!("chown {name}: {e}"))?;
            }
        }
        let data = path("data");
        run(as_mysql(install)
            .arg("--no-defaults")
            .arg(format!("--datadir={}", data.display()))
            .arg(format!("--tmpdir={}", path("tmp").display()))
            .arg("--auth-root-authentication-method=normal")
            .arg("--skip-test-db"))?;
        server.port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| format!("no free port: {e}"))?
            .port();
        let log = std::fs::File::create(path("server.log")).map_err(|e| format!("log: {e}"))?;
        let child = as_mysql(daemon)
            .arg("--no-defaults")
            .arg(format!("--datadir={}", data.display()))
            .arg(format!("--tmpdir={}", path("tmp").display()))
            .arg(format!("--port={}", server.port))
            .arg("--bind-address=127.0.0.1")
            .arg(format!("--socket={}", path("sock").display()))
            .arg(format!("--pid-file={}", path("pid").display()))
            .arg(format!("--ssl-cert={}", path("server.crt").display()))
            .arg(format!("--ssl-key={}", path("server.key").display()))
            .arg(format!("--ssl-ca={}", path("ca.pem").display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .map_err(|e| format!("cannot start mariadbd: {e}"))?;
        server.process = Some(child);
        Ok(server)
    }

    fn url(&self, host: &str, query: &str) -> String {
        format!("mysql://root@{host}:{}/mysql?{query}", self.port)
    }

    /// Waits until the server accepts sessions.
    async fn ready(&self) -> Result<(), String> {
        let mut last = String::new();
        for _ in 0..100 {
            match MysqlDriver::open(&self.url("127.0.0.1", "sslmode=disable")).await {
                Ok(_) => return Ok(()),
                Err(e) => last = e.to_string(),
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let log = std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default();
        Err(format!("{last}; server log: {log}"))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let Some(mut child) = self.process.take() else {
            return;
        };
        // Stop mariadbd itself (not only runuser) by the id it wrote, then reap runuser.
        let pid = std::fs::read_to_string(self.dir.path().join("pid")).unwrap_or_default();
        let stopped = match pid.trim() {
            "" => false,
            pid => run(Command::new("kill").arg(pid)).is_ok(),
        };
        if !stopped {
            let _ = child.kill();
        }
        let _ = child.wait();
        // The folder goes once the server has let go of it.
        for _ in 0..100 {
            if !self.dir.path().join("pid").exists() {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

fn path_text(path: PathBuf) -> String {
    path.display().to_string()
}

#[tokio::test]
async fn tls_against_a_throwaway_mariadb() {
    let certs = certificates();
    let server = match Server::start(&certs) {
        Ok(server) => server,
        Err(why) => return mercator_testkit::skip_or_fail("a throw-away MariaDB", &why),
    };
    if let Err(why) = server.ready().await {
        return mercator_testkit::skip_or_fail("a throw-away MariaDB", &why);
    }
    let ca = path_text(server.dir.path().join("ca.pem"));
    let files = tempfile::tempdir().expect("temporary folder");
    let wrong_ca = path_text(files.path().join("wrong.pem"));
    std::fs::write(&wrong_ca, certificates().ca).expect("write CA");

    let full = server.url(
        "localhost",
        &format!("sslmode=verify-full&sslrootcert={ca}"),
    );
    assert!(encrypted(&full).await.expect("verify-full"));
    let with_ssl_ca = server.url("localhost", &format!("sslmode=verify-ca&ssl-ca={ca}"));
    assert!(encrypted(&with_ssl_ca).await.expect("verify-ca"));
    for mode in ["require", "prefer"] {
        let url = server.url("127.0.0.1", &format!("sslmode={mode}"));
        assert!(encrypted(&url).await.expect(mode), "{mode}");
    }
    assert!(
        !encrypted(&server.url("127.0.0.1", "sslmode=disable"))
            .await
            .unwrap()
    );

    // The certificate names only localhost.
    let url = server.url(
        "127.0.0.1",
        &format!("sslmode=verify-full&sslrootcert={ca}"),
    );
    let text = failure(&url, "hunter2").await;
    assert!(text.contains("not valid for name"), "{text}");
    assert!(
        text.contains("sslmode=verify-full checks the host name"),
        "{text}"
    );
    // A CA that did not sign the certificate.
    for mode in ["verify-full", "verify-ca", "require"] {
        let url = server.url(
            "localhost",
            &format!("sslmode={mode}&sslrootcert={wrong_ca}"),
        );
        let text = failure(&url, "hunter2").await;
        assert!(
            text.contains(&format!(
                "sslmode={mode}: the server's certificate is not signed by the CA file"
            )),
            "{text}"
        );
    }
    // Without a CA file, verification trusts only the web PKI roots.
    let text = failure(&server.url("localhost", "sslmode=verify-full"), "hunter2").await;
    assert!(text.contains("built-in web PKI roots"), "{text}");
    drop(server);
}
