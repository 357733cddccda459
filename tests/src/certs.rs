//! Throwaway X.509 material generated with rcgen at run time.

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, date_time_ymd,
};

/// PEM-encoded certificates and keys for one test broker.
///
/// All keys are ECDSA P-256, private keys are PKCS#8 (`-----BEGIN PRIVATE KEY-----`),
/// which mosquitto/OpenSSL, rustls, Python's `ssl` and Go's `crypto/tls` all accept.
#[derive(Clone, Debug)]
pub struct TestPki {
    /// The test CA (trust anchor for the server and client certificates).
    pub ca_pem: String,
    /// Server certificate signed by the CA, SANs `IP:127.0.0.1` and `DNS:localhost`.
    pub server_cert_pem: String,
    /// Private key of the server certificate.
    pub server_key_pem: String,
    /// Client certificate (extended key usage `clientAuth`) signed by the CA, for mTLS.
    pub client_cert_pem: String,
    /// Private key of the client certificate.
    pub client_key_pem: String,
    /// An unrelated self-signed CA that signed nothing the broker uses: trusting only this
    /// one must make every TLS handshake with the broker fail.
    pub wrong_ca_pem: String,
}

impl TestPki {
    /// Generates a fresh CA, server and client certificate, and an unrelated "wrong" CA.
    pub fn generate() -> TestPki {
        let (ca_pem, ca) = new_ca("mqttws-tests CA");
        let (wrong_ca_pem, _) = new_ca("mqttws-tests wrong CA (trusts nothing)");
        let (server_cert_pem, server_key_pem) = new_leaf(
            &ca,
            "localhost",
            &["127.0.0.1", "localhost"],
            ExtendedKeyUsagePurpose::ServerAuth,
        );
        let (client_cert_pem, client_key_pem) = new_leaf(
            &ca,
            "mqttws-tests client",
            &[],
            ExtendedKeyUsagePurpose::ClientAuth,
        );
        TestPki {
            ca_pem,
            server_cert_pem,
            server_key_pem,
            client_cert_pem,
            client_key_pem,
            wrong_ca_pem,
        }
    }
}

fn base_params(common_name: &str, sans: &[&str]) -> CertificateParams {
    let sans: Vec<String> = sans.iter().map(|s| s.to_string()).collect();
    let mut params = CertificateParams::new(sans).expect("valid subject alternative names");
    params.distinguished_name = rcgen::DistinguishedName::new();
    params
        .distinguished_name
        .push(DnType::CommonName, common_name);
    params.not_before = date_time_ymd(2020, 1, 1);
    params.not_after = date_time_ymd(2099, 12, 31);
    params
}

fn new_ca(common_name: &str) -> (String, Issuer<'static, KeyPair>) {
    let mut params = base_params(common_name, &[]);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let key = KeyPair::generate().expect("generate CA key");
    let cert = params.self_signed(&key).expect("self-sign CA certificate");
    (cert.pem(), Issuer::new(params, key))
}

fn new_leaf(
    ca: &Issuer<'static, KeyPair>,
    common_name: &str,
    sans: &[&str],
    usage: ExtendedKeyUsagePurpose,
) -> (String, String) {
    let mut params = base_params(common_name, sans);
    params.is_ca = IsCa::ExplicitNoCa;
    params.use_authority_key_identifier_extension = true;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![usage];
    let key = KeyPair::generate().expect("generate leaf key");
    let cert = params.signed_by(&key, ca).expect("sign leaf certificate");
    (cert.pem(), key.serialize_pem())
}
