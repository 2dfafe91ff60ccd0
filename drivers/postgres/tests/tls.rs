//! TLS connections, against a throw-away cluster started by the test with a certificate
//! the test generates, and against the main server (`MERCATOR_POSTGRES_URL`).
//!
//! The throw-away cluster needs PostgreSQL's `initdb`/`pg_ctl` (`MERCATOR_PG_BIN`, default
//! `/usr/lib/postgresql/15/bin`); as root it runs them as the `postgres` user through
//! `runuser`. When that is impossible the test is skipped with the reason, or fails when
//! `MERCATOR_REQUIRE_SERVERS=1`.

#![cfg(feature = "tls")]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

use mercator_driver::{Driver, DriverError};
use mercator_postgres::PostgresDriver;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};

/// Whether the session of a fresh connection to `url` is encrypted.
async fn encrypted(url: &str) -> Result<bool, DriverError> {
    let driver = PostgresDriver::open(url).await?;
    let mut session = driver.session().await?;
    let rows = session
        .query("SELECT ssl::text FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        .await?;
    Ok(rows.scalar() == Some("true"))
}

/// The failure of connecting to `url`, checked to be one line without `secret`.
async fn failure(url: &str, secret: &str) -> String {
    let error = match PostgresDriver::open(url).await {
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

/// A CA and a server certificate it signed, as PEM.
struct Certificates {
    ca: String,
    server_cert: String,
    server_key: String,
}

fn certificates(server_names: &[&str]) -> Certificates {
    let ca_key = KeyPair::generate().expect("CA key");
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "Mercator test CA");
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca_cert = ca_params.self_signed(&ca_key).expect("CA certificate");
    let issuer = Issuer::new(ca_params, ca_key);
    let server_key = KeyPair::generate().expect("server key");
    let names: Vec<String> = server_names.iter().map(|n| (*n).to_owned()).collect();
    let mut params = CertificateParams::new(names).expect("server params");
    params
        .distinguished_name
        .push(DnType::CommonName, server_names[0]);
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

/// A PostgreSQL cluster in a temporary folder, stopped and removed on drop (also when the
/// test fails).
struct Cluster {
    /// The temporary folder; removed when dropped, after the server stopped.
    dir: tempfile::TempDir,
    bin: PathBuf,
    /// Run the server's programs as this user (`runuser -u`), when running as root.
    as_user: Option<String>,
    port: u16,
    started: bool,
}

impl Cluster {
    fn command(&self, program: &str) -> Command {
        let program = self.bin.join(program);
        match &self.as_user {
            Some(user) => {
                let mut command = Command::new("runuser");
                command.args(["-u", user, "--"]).arg(program);
                command
            }
            None => Command::new(program),
        }
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// Creates and starts a cluster serving TLS with `certs` on a free port.
    fn start(certs: &Certificates) -> Result<Cluster, String> {
        let bin = std::env::var("MERCATOR_PG_BIN")
            .map(PathBuf::from)
            .unwrap_or_else(|_| PathBuf::from("/usr/lib/postgresql/15/bin"));
        if !bin.join("initdb").exists() {
            return Err(format!("no initdb in {}", bin.display()));
        }
        let root = run(Command::new("id").arg("-u"))? == "0";
        let dir = tempfile::tempdir().map_err(|e| format!("temporary folder: {e}"))?;
        let mut cluster = Cluster {
            dir,
            bin,
            as_user: root.then(|| "postgres".to_owned()),
            port: 0,
            started: false,
        };
        let write = |name: &str, text: &str| -> Result<PathBuf, String> {
            let path = cluster.dir.path().join(name);
            std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
            Ok(path)
        };
        write("server.crt", &certs.server_cert)?;
        let key = write("server.key", &certs.server_key)?;
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600))
            .map_err(|e| format!("{}: {e}", key.display()))?;
        if root {
            // PostgreSQL refuses to run as root: hand the folder to the postgres user.
            let uid: u32 = run(Command::new("id").args(["-u", "postgres"]))?
                .parse()
                .map_err(|e| format!("uid of postgres: {e}"))?;
            let gid: u32 = run(Command::new("id").args(["-g", "postgres"]))?
                .parse()
                .map_err(|e| format!("gid of postgres: {e}"))?;
            for path in [
                cluster.dir.path().to_owned(),
                cluster.dir.path().join("server.crt"),
                key,
            ] {
                std::os::unix::fs::chown(&path, Some(uid), Some(gid))
                    .map_err(|e| format!("chown {}: {e}", path.display()))?;
            }
        }
        run(cluster
            .command("initdb")
            .args(["-A", "trust", "-U", "postgres", "--no-sync", "-D"])
            .arg(cluster.data()))?;
        cluster.port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| format!("no free port: {e}"))?
            .port();
        let dir = cluster.dir.path().display().to_string();
        let settings = format!(
            "\nport = {port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{dir}'\n\
             ssl = on\nssl_cert_file = '{dir}/server.crt'\nssl_key_file = '{dir}/server.key'\n\
             fsync = off\n",
            port = cluster.port
        );
        let conf = cluster.data().join("postgresql.conf");
        let mut text = std::fs::read_to_string(&conf).map_err(|e| format!("{e}"))?;
        text.push_str(&settings);
        std::fs::write(&conf, text).map_err(|e| format!("{}: {e}", conf.display()))?;
        let log = cluster.dir.path().join("server.log");
        let started = run(cluster
            .command("pg_ctl")
            .args(["-w", "-t", "60", "-D"])
            .arg(cluster.data())
            .arg("-l")
            .arg(&log)
            .arg("start"));
        cluster.started = true;
        started.map_err(|e| {
            let log = std::fs::read_to_string(&log).unwrap_or_default();
            format!("{e}; server log: {log}")
        })?;
        Ok(cluster)
    }

    fn url(&self, host: &str, query: &str) -> String {
        format!(
            "postgres://postgres:hunter2@{host}:{}/postgres?{query}",
            self.port
        )
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if self.started {
            let stopped = run(self
                .command("pg_ctl")
                .args(["-w", "-m", "immediate", "-D"])
                .arg(self.data())
                .arg("stop"));
            if let Err(e) = stopped {
                eprintln!("stopping the throw-away cluster: {e}");
            }
        }
    }
}

fn ca_file(dir: &Path, name: &str, pem: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, pem).expect("write CA file");
    path.display().to_string()
}

#[tokio::test]
async fn tls_against_a_throwaway_cluster() {
    // The certificate names only `localhost`, so `127.0.0.1` is "another host name".
    let certs = certificates(&["localhost"]);
    let cluster = match Cluster::start(&certs) {
        Ok(cluster) => cluster,
        Err(why) => return mercator_testkit::skip_or_fail("a throw-away PostgreSQL cluster", &why),
    };
    let files = tempfile::tempdir().expect("temporary folder");
    let ca = ca_file(files.path(), "ca.pem", &certs.ca);
    let wrong_ca = ca_file(files.path(), "wrong.pem", &certificates(&["localhost"]).ca);

    // verify-full with the right CA and the certificate's host name.
    let url = cluster.url(
        "localhost",
        &format!("sslmode=verify-full&sslrootcert={ca}"),
    );
    assert!(encrypted(&url).await.expect("verify-full connects"));
    // verify-ca does not look at the host name.
    let url = cluster.url("127.0.0.1", &format!("sslmode=verify-ca&sslrootcert={ca}"));
    assert!(encrypted(&url).await.expect("verify-ca connects"));
    // prefer and require encrypt without checking the certificate.
    for mode in ["prefer", "require", "allow"] {
        let url = cluster.url("127.0.0.1", &format!("sslmode={mode}"));
        assert!(encrypted(&url).await.expect(mode), "{mode}");
    }
    assert!(
        !encrypted(&cluster.url("127.0.0.1", "sslmode=disable"))
            .await
            .unwrap()
    );

    // verify-full against a certificate for another host name.
    let url = cluster.url(
        "127.0.0.1",
        &format!("sslmode=verify-full&sslrootcert={ca}"),
    );
    let text = failure(&url, "hunter2").await;
    assert!(text.contains("not valid for name"), "{text}");
    assert!(
        text.contains("sslmode=verify-full checks the host name"),
        "{text}"
    );

    // A CA that did not sign the certificate; the password also in the query.
    for mode in ["verify-full", "verify-ca", "require"] {
        let url = cluster.url(
            "localhost",
            &format!("sslmode={mode}&sslrootcert={wrong_ca}&password=hunter2"),
        );
        let text = failure(&url, "hunter2").await;
        assert!(
            text.contains(&format!(
                "sslmode={mode}: the server's certificate is not signed by the CA file {wrong_ca}"
            )),
            "{text}"
        );
    }
    // verify-full without a CA file trusts only the web PKI roots.
    let text = failure(&cluster.url("localhost", "sslmode=verify-full"), "hunter2").await;
    assert!(text.contains("built-in web PKI roots"), "{text}");
    // A CA file that cannot be read.
    let text = failure(
        &cluster.url(
            "localhost",
            "sslmode=verify-full&sslrootcert=/nonexistent/ca.pem",
        ),
        "hunter2",
    )
    .await;
    assert!(text.contains("/nonexistent/ca.pem"), "{text}");

    // The same server without TLS.
    let plain = cluster.url("127.0.0.1", "sslmode=disable");
    {
        let admin = PostgresDriver::open(&plain)
            .await
            .expect("plain connection");
        let mut session = admin.session().await.expect("session");
        session
            .execute("ALTER SYSTEM SET ssl = off")
            .await
            .expect("turn TLS off");
        session
            .query("SELECT pg_reload_conf()")
            .await
            .expect("reload");
    }
    // The reload is asynchronous: wait until new sessions see it.
    let mut off = false;
    for _ in 0..50 {
        let driver = PostgresDriver::open(&plain)
            .await
            .expect("plain connection");
        let mut session = driver.session().await.expect("session");
        let rows = session.query("SHOW ssl").await.expect("SHOW ssl");
        if rows.scalar() == Some("off") {
            off = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(off, "the server did not turn TLS off");
    for mode in ["require", "verify-full"] {
        let url = cluster.url("localhost", &format!("sslmode={mode}&sslrootcert={ca}"));
        let text = failure(&url, "hunter2").await;
        assert!(text.contains("server does not support TLS"), "{text}");
        assert!(
            text.contains(&format!("sslmode={mode} needs TLS")),
            "{text}"
        );
    }
    assert!(
        !encrypted(&cluster.url("localhost", "sslmode=prefer"))
            .await
            .unwrap()
    );
    drop(cluster);
}

/// The main server (TLS on with a self-signed certificate on the test machine).
#[tokio::test]
async fn tls_against_the_main_server() {
    let base = mercator_testkit::postgres_url();
    let with_mode = |mode: &str| {
        let mut url = url::Url::parse(&base).expect("MERCATOR_POSTGRES_URL is a URL");
        let kept: Vec<(String, String)> = url
            .query_pairs()
            .filter(|(k, _)| k != "sslmode" && k != "sslrootcert")
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        url.query_pairs_mut()
            .clear()
            .extend_pairs(kept)
            .append_pair("sslmode", mode);
        url.to_string()
    };
    let server_tls = match PostgresDriver::open(&with_mode("disable")).await {
        Ok(driver) => {
            let mut session = driver.session().await.expect("session");
            session.query("SHOW ssl").await.expect("SHOW ssl").scalar() == Some("on")
        }
        Err(e) => return mercator_testkit::skip_or_fail("PostgreSQL", &e.to_string()),
    };
    if server_tls {
        assert!(encrypted(&with_mode("require")).await.expect("require"));
        assert!(encrypted(&with_mode("prefer")).await.expect("prefer"));
        let text = failure(&with_mode("verify-full"), "hunter2").await;
        assert!(
            text.contains("not signed by the built-in web PKI roots"),
            "{text}"
        );
    } else {
        let text = failure(&with_mode("require"), "hunter2").await;
        assert!(text.contains("server does not support TLS"), "{text}");
    }
}
