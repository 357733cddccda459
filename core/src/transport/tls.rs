//! TLS configuration (rustls with the `ring` provider) and TLS error texts.
//!
//! Server certificates are verified against the Mozilla roots of
//! `webpki-roots` unless the caller names its own CA, in which case only that
//! CA is trusted (as `curl --cacert` does). The server name (SNI and the
//! hostname check) is the URL's host. No ALPN is offered: none of the cloud
//! WebSocket endpoints uses it.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, ring};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};

use crate::error::{Error, Result};

/// PEM data given either as a file path or as bytes.
#[derive(Clone, PartialEq, Eq)]
pub enum Pem {
    /// Read from this file when the client is built.
    File(PathBuf),
    /// PEM text held in memory.
    Bytes(Vec<u8>),
}

impl fmt::Debug for Pem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::File(p) => f.debug_tuple("File").field(p).finish(),
            // May be a private key: never print the content.
            Self::Bytes(b) => write!(f, "Bytes(<{} bytes>)", b.len()),
        }
    }
}

impl Pem {
    fn read(&self, what: &str) -> Result<Vec<u8>> {
        match self {
            Self::File(path) => std::fs::read(path).map_err(|e| {
                Error::invalid(format!("cannot read {what} file {}: {e}", path.display()))
            }),
            Self::Bytes(b) => Ok(b.clone()),
        }
    }
}

/// How the client sets up TLS for `wss://`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TlsOptions {
    /// Trust only these CA certificates (PEM, one or more). `None`: the
    /// Mozilla root store from `webpki-roots`.
    pub ca: Option<Pem>,
    /// Client certificate chain and private key (PEM) for mutual TLS.
    pub client_cert: Option<(Pem, Pem)>,
    /// Accept any server certificate. For tests against throwaway servers
    /// only: it removes all protection against impostors.
    pub insecure_skip_verify: bool,
}

impl TlsOptions {
    /// Builds the rustls configuration, reading files now.
    pub fn client_config(&self) -> Result<Arc<ClientConfig>> {
        let provider = Arc::new(ring::default_provider());
        let builder = ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| Error::Tls {
                reason: format!("cannot configure TLS: {e}"),
            })?;
        let builder = if self.insecure_skip_verify {
            builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(NoVerification(provider)))
        } else {
            builder.with_root_certificates(self.root_store()?)
        };
        let config = match &self.client_cert {
            None => builder.with_no_client_auth(),
            Some((cert, key)) => {
                let chain = parse_certs(&cert.read("client certificate")?, "client certificate")?;
                let key_pem = key.read("client key")?;
                let key = PrivateKeyDer::from_pem_slice(&key_pem).map_err(|_| {
                    Error::invalid(
                        "the client key is not a PEM private key (PKCS#1, PKCS#8 or SEC1)",
                    )
                })?;
                builder
                    .with_client_auth_cert(chain, key)
                    .map_err(|e| Error::Tls {
                        reason: format!("client certificate and key do not fit together: {e}"),
                    })?
            }
        };
        Ok(Arc::new(config))
    }

    fn root_store(&self) -> Result<RootCertStore> {
        let mut roots = RootCertStore::empty();
        match &self.ca {
            None => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
            Some(pem) => {
                for cert in parse_certs(&pem.read("CA")?, "CA")? {
                    roots
                        .add(cert)
                        .map_err(|e| Error::invalid(format!("unusable CA certificate: {e}")))?;
                }
            }
        }
        Ok(roots)
    }
}

fn parse_certs(pem: &[u8], what: &str) -> Result<Vec<CertificateDer<'static>>> {
    let certs: Vec<_> = CertificateDer::pem_slice_iter(pem)
        .collect::<std::result::Result<_, _>>()
        .map_err(|e| Error::invalid(format!("{what} is not valid PEM: {e}")))?;
    if certs.is_empty() {
        return Err(Error::invalid(format!("{what} PEM holds no certificate")));
    }
    Ok(certs)
}

/// The server name rustls verifies and sends as SNI (IP addresses are
/// verified against IP SANs and not sent as SNI).
pub(crate) fn server_name(host: &str) -> Result<ServerName<'static>> {
    ServerName::try_from(host.to_owned())
        .map_err(|_| Error::invalid(format!("{host:?} is not a valid TLS server name")))
}

/// Turns a rustls error into the crate's TLS error with a readable cause.
pub(crate) fn describe(e: &rustls::Error) -> Error {
    use rustls::{AlertDescription as A, CertificateError as C, Error as E};
    let reason = match e {
        E::InvalidCertificate(C::UnknownIssuer) => {
            "unknown CA: the server certificate is not signed by a trusted root".to_owned()
        }
        E::InvalidCertificate(C::NotValidForName | C::NotValidForNameContext { .. }) => {
            "hostname mismatch: the server certificate is not valid for this host".to_owned()
        }
        E::InvalidCertificate(C::Expired | C::ExpiredContext { .. }) => {
            "the server certificate has expired".to_owned()
        }
        E::InvalidCertificate(C::NotValidYet | C::NotValidYetContext { .. }) => {
            "the server certificate is not valid yet (check the clock)".to_owned()
        }
        E::AlertReceived(A::CertificateRequired | A::HandshakeFailure) => {
            format!("the server refused the handshake ({e}); it may require a client certificate")
        }
        E::AlertReceived(A::UnknownCA | A::BadCertificate) => {
            format!("the server rejected the client certificate ({e})")
        }
        other => other.to_string(),
    };
    Error::Tls { reason }
}

/// Finds a rustls error inside an I/O error, where rustls' stream adapters put it.
pub(crate) fn rustls_error(e: &std::io::Error) -> Option<&rustls::Error> {
    e.get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
}

/// The verifier behind [`TlsOptions::insecure_skip_verify`].
#[derive(Debug)]
struct NoVerification(Arc<CryptoProvider>);

impl ServerCertVerifier for NoVerification {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
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
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_roots_build_a_config() {
        TlsOptions::default().client_config().unwrap();
    }

    #[test]
    fn unreadable_or_empty_pem_is_a_clear_error() {
        let e = TlsOptions {
            ca: Some(Pem::File("/nonexistent/ca.pem".into())),
            ..Default::default()
        }
        .client_config()
        .unwrap_err();
        assert!(
            e.to_string()
                .contains("cannot read CA file /nonexistent/ca.pem"),
            "{e}"
        );
        let e = TlsOptions {
            ca: Some(Pem::Bytes(b"hello".to_vec())),
            ..Default::default()
        }
        .client_config()
        .unwrap_err();
        assert!(e.to_string().contains("holds no certificate"), "{e}");
    }

    #[test]
    fn debug_never_prints_key_bytes() {
        let key = Pem::Bytes(b"-----BEGIN PRIVATE KEY-----secret".to_vec());
        let o = TlsOptions {
            client_cert: Some((key.clone(), key)),
            ..Default::default()
        };
        assert!(!format!("{o:?}").contains("secret"));
    }
}
