//! TLS client settings for each `sslmode`, with rustls and its ring provider.
//!
//! The provider is passed explicitly, so nothing depends on (or changes) a process-wide
//! rustls default.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore};

use mercator_driver::SslMode;

/// Why TLS could not be set up before connecting.
#[derive(Debug, thiserror::Error)]
pub(crate) enum TlsSetupError {
    /// The CA file could not be read or holds a malformed PEM block.
    #[error("cannot read the CA file {path} (sslrootcert): {source}")]
    ReadCa {
        /// The file.
        path: PathBuf,
        /// The reader's error.
        #[source]
        source: rustls::pki_types::pem::Error,
    },
    /// The CA file holds no certificate.
    #[error("the CA file {path} (sslrootcert) holds no PEM certificate")]
    EmptyCa {
        /// The file.
        path: PathBuf,
    },
    /// A certificate in the CA file is not usable as a trust anchor.
    #[error("the CA file {path} (sslrootcert) holds an unusable certificate: {source}")]
    BadCa {
        /// The file.
        path: PathBuf,
        /// rustls' error.
        #[source]
        source: rustls::Error,
    },
    /// rustls refused the settings.
    #[error("cannot set up TLS: {0}")]
    Rustls(#[from] rustls::Error),
    /// The certificate verifier could not be built.
    #[error("cannot set up TLS certificate checks: {0}")]
    Verifier(#[from] rustls::client::VerifierBuilderError),
}

/// The rustls client configuration for `mode`, trusting the CA file when there is one.
///
/// As with libpq, `prefer` and `require` check the certificate only when a CA file is
/// given (then like `verify-ca`); `verify-ca` checks the chain but not the host name;
/// `verify-full` checks both. Without a CA file the verify modes trust the web PKI roots.
pub(crate) fn client_config(
    mode: SslMode,
    ca_file: Option<&Path>,
) -> Result<ClientConfig, TlsSetupError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier: Arc<dyn ServerCertVerifier> = match (mode, ca_file) {
        (SslMode::VerifyFull, _) => webpki(ca_file, &provider)?,
        (SslMode::VerifyCa, _) | (_, Some(_)) => Arc::new(ChainOnly(webpki(ca_file, &provider)?)),
        (_, None) => Arc::new(AnyCertificate(provider.clone())),
    };
    Ok(ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth())
}

/// The standard verifier (chain and host name) over the CA file or the web PKI roots.
fn webpki(
    ca_file: Option<&Path>,
    provider: &Arc<CryptoProvider>,
) -> Result<Arc<WebPkiServerVerifier>, TlsSetupError> {
    let mut roots = RootCertStore::empty();
    match ca_file {
        Some(path) => {
            let read_error = |source| TlsSetupError::ReadCa {
                path: path.to_owned(),
                source,
            };
            let mut found = false;
            for cert in CertificateDer::pem_file_iter(path).map_err(read_error)? {
                roots
                    .add(cert.map_err(read_error)?)
                    .map_err(|source| TlsSetupError::BadCa {
                        path: path.to_owned(),
                        source,
                    })?;
                found = true;
            }
            if !found {
                return Err(TlsSetupError::EmptyCa {
                    path: path.to_owned(),
                });
            }
        }
        None => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
    }
    Ok(WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone()).build()?)
}

/// `verify-ca`: the chain must lead to a trusted CA; the host name is not checked.
#[derive(Debug)]
struct ChainOnly(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
        {
            // webpki checks the name only after the chain has been verified, so this error
            // means everything but the name is fine.
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

/// `prefer`/`require` without a CA file: encrypted, but any certificate is accepted
/// (libpq does the same). Handshake signatures are still checked.
#[derive(Debug)]
struct AnyCertificate(Arc<CryptoProvider>);

impl ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::{SslMode, TlsSetupError, client_config};

    #[test]
    fn every_mode_builds_without_a_ca_file() {
        for mode in [
            SslMode::Allow,
            SslMode::Prefer,
            SslMode::Require,
            SslMode::VerifyCa,
            SslMode::VerifyFull,
        ] {
            client_config(mode, None).unwrap();
        }
    }

    #[test]
    fn ca_file_problems_are_named() {
        let missing = std::path::Path::new("/nonexistent/ca.pem");
        let err = client_config(SslMode::VerifyFull, Some(missing)).unwrap_err();
        assert!(matches!(err, TlsSetupError::ReadCa { .. }), "{err}");
        assert!(err.to_string().contains("/nonexistent/ca.pem"), "{err}");
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "no certificates here\n").unwrap();
        let err = client_config(SslMode::Require, Some(&empty)).unwrap_err();
        assert!(matches!(err, TlsSetupError::EmptyCa { .. }), "{err}");
    }
}
