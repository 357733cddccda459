//! AWS IoT Core over WSS: SigV4 presigned URLs (IAM or Cognito credentials)
//! and custom authorizers.
//!
//! # SigV4 ([`AwsSigV4`])
//!
//! The credentials travel in the URL query, signed with AWS Signature Version
//! 4 for the service [`SERVICE`] (`iotdevicegateway`):
//!
//! 1. `host` is the ATS endpoint `{prefix}-ats.iot.{region}.amazonaws.com`;
//!    with a port other than 443 the signed host is `host:port`.
//! 2. The canonical query holds, sorted and RFC 3986-encoded,
//!    `X-Amz-Algorithm=AWS4-HMAC-SHA256`, `X-Amz-Credential={AKID}/{scope}`,
//!    `X-Amz-Date={YYYYMMDD'T'HHMMSS'Z'}`, optionally `X-Amz-Expires`, and
//!    `X-Amz-SignedHeaders=host`.
//! 3. Canonical request `GET\n/mqtt\n{query}\nhost:{host}\n\nhost\n{sha256("")}`;
//!    string to sign `AWS4-HMAC-SHA256\n{amzdate}\n{scope}\n{sha256(request)}`;
//!    key = HMAC chain of `"AWS4"+secret`, date, region, service,
//!    `aws4_request`.
//! 4. URL `wss://{host}/mqtt?{query}&X-Amz-Signature={sig}`, then, with
//!    temporary credentials, `&X-Amz-Security-Token={token}` appended
//!    **after** signing (the token is not signed).
//!
//! The MQTT CONNECT carries only the client id, which the IoT policy must
//! allow.
//!
//! # Custom authorizer ([`AwsCustomAuth`])
//!
//! `wss://{host}/mqtt` with the authorizer name, the token and, when token
//! signing is on, the token signature, either as upgrade headers or as a
//! query string.
//!
//! # Example
//!
//! ```
//! use std::time::SystemTime;
//! use mqttws::auth::aws::AwsSigV4;
//!
//! let signer = AwsSigV4::new(
//!     "example-ats.iot.us-east-1.amazonaws.com",
//!     "AKIDEXAMPLE",
//!     "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
//! )
//! .client_id("sensor-42");
//! let creds = signer.credentials(SystemTime::now())?;
//! assert!(creds.url.unwrap().starts_with("wss://example-ats.iot.us-east-1.amazonaws.com/mqtt?"));
//! # Ok::<(), mqttws::Error>(())
//! ```

use std::fmt;
use std::time::{Duration, SystemTime};

use sha2::{Digest, Sha256};

use super::encoding::{hex_lower, percent_encode};
use super::{
    CredentialProvider, Credentials, REDACTED, Scheme, UtcDateTime, build_url, check_host,
    check_label, hmac_sha256, require_non_empty, unix_seconds_checked,
};
use crate::error::{Error, Result};

/// The platform name used in error messages.
pub const PLATFORM: &str = "AWS IoT Core";

/// The WebSocket path. It is part of the SigV4 signature and the only path
/// AWS IoT serves.
pub const DEFAULT_PATH: &str = "/mqtt";

/// The SigV4 service name of the AWS IoT data plane.
pub const SERVICE: &str = "iotdevicegateway";

/// The default (and usual) port.
pub const DEFAULT_PORT: u16 = 443;

/// The keepalive range (seconds, inclusive) checked before connecting.
///
/// AWS IoT Core never refuses a keepalive: it raises values under 30 s to
/// 30 s, and replaces 0 and values over 1200 s by 1200 s. Since it then
/// disconnects a client silent for 1.5 times *its* value, a keepalive of 0
/// (no pings) or above 1200 s gets idle connections dropped; this range
/// refuses exactly those.
pub const KEEPALIVE_RANGE: (u16, u16) = (1, 1200);

/// The longest `X-Amz-Expires` SigV4 allows: 7 days.
pub const MAX_EXPIRES: Duration = Duration::from_secs(604_800);

/// The region in an AWS IoT endpoint host, the label after `iot`:
/// `us-east-1` for `example-ats.iot.us-east-1.amazonaws.com`, `cn-north-1`
/// for `….iot.cn-north-1.amazonaws.com.cn`. `None` for other hosts (custom
/// domains, VPC endpoints): set the region explicitly then.
pub fn region_from_host(host: &str) -> Option<&str> {
    let labels: Vec<&str> = host.split('.').collect();
    // {prefix}.iot.{region}.amazonaws.{tld...}
    (1..labels.len().saturating_sub(3))
        .find(|&i| {
            labels[i] == "iot"
                && labels[i + 2] == "amazonaws"
                && !labels[i - 1].is_empty()
                && !labels[i + 1].is_empty()
        })
        .map(|i| labels[i + 1])
}

/// A SigV4 presigner for AWS IoT Core over WSS, from IAM (or Cognito)
/// credentials.
///
/// [`credentials`](Self::credentials) returns the presigned URL in
/// [`Credentials::url`] and the client id; no user name or password.
/// Defaults: port 443, region derived from the host
/// ([`region_from_host`]), no `X-Amz-Expires`, no session token.
///
/// `Debug` prints the secret access key and the session token as
/// `<redacted>`.
#[derive(Clone)]
pub struct AwsSigV4 {
    host: String,
    port: u16,
    region: Option<String>,
    access_key_id: String,
    secret_access_key: String,
    session_token: Option<String>,
    expires: Option<Duration>,
    client_id: String,
}

/// The pieces of a SigV4 presignature. Only `url` is used outside the tests,
/// which check the intermediates against the reference vector.
#[cfg_attr(not(test), allow(dead_code))]
struct Presigned {
    canonical_query: String,
    canonical_request: String,
    signature: String,
    url: String,
}

impl AwsSigV4 {
    /// A presigner for the endpoint `host` (e.g.
    /// `abc123-ats.iot.us-east-1.amazonaws.com`, without scheme or port)
    /// with an access key id and its secret.
    pub fn new(
        host: impl Into<String>,
        access_key_id: impl Into<String>,
        secret_access_key: impl Into<String>,
    ) -> Self {
        Self {
            host: host.into(),
            port: DEFAULT_PORT,
            region: None,
            access_key_id: access_key_id.into(),
            secret_access_key: secret_access_key.into(),
            session_token: None,
            expires: None,
            client_id: String::new(),
        }
    }

    /// The MQTT client id (required; the IoT policy must allow it).
    pub fn client_id(mut self, client_id: impl Into<String>) -> Self {
        self.client_id = client_id.into();
        self
    }

    /// The port (default 443). Another port is signed as `host:port`.
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// The signing region, instead of deriving it from the host. Needed for
    /// custom domains; must match the endpoint's region.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// The session token of temporary credentials (STS, Cognito). It is
    /// appended to the URL after signing.
    pub fn session_token(mut self, token: impl Into<String>) -> Self {
        self.session_token = Some(token.into());
        self
    }

    /// Adds `X-Amz-Expires` (whole seconds, 1 s to 7 days) to the signed
    /// query, as generic presigners do. Without it (the default, like the
    /// AWS IoT JavaScript SDK) the server applies its own freshness window.
    pub fn expires(mut self, validity: Duration) -> Self {
        self.expires = Some(validity);
        self
    }

    /// The signing region: the explicit one, or the one in the host.
    fn signing_region(&self) -> Result<&str> {
        match &self.region {
            Some(region) => {
                check_label(PLATFORM, "region", region)?;
                Ok(region)
            }
            None => region_from_host(&self.host).ok_or_else(|| {
                Error::InvalidArgument(format!(
                    "{PLATFORM}: cannot derive the region from host {:?} \
                     (expected …iot.{{region}}.amazonaws…); set it with region()",
                    self.host
                ))
            }),
        }
    }

    fn presign(&self, now: SystemTime) -> Result<Presigned> {
        check_host(PLATFORM, "host", &self.host)?;
        require_non_empty(PLATFORM, "access key id", &self.access_key_id)?;
        if self.secret_access_key.is_empty() {
            return Err(Error::Auth(format!(
                "{PLATFORM}: the secret access key is empty"
            )));
        }
        if self.session_token.as_deref() == Some("") {
            return Err(Error::Auth(format!(
                "{PLATFORM}: the session token is empty"
            )));
        }
        let expires = match self.expires {
            Some(d) if d.as_secs() == 0 || d > MAX_EXPIRES => {
                return Err(Error::InvalidArgument(format!(
                    "{PLATFORM}: X-Amz-Expires must be 1 to {} s, not {} s",
                    MAX_EXPIRES.as_secs(),
                    d.as_secs()
                )));
            }
            Some(d) => Some(d.as_secs()),
            None => None,
        };
        let region = self.signing_region()?;
        let t = UtcDateTime::from_unix(unix_seconds_checked(PLATFORM, now)?);
        let date = format!("{:04}{:02}{:02}", t.year, t.month, t.day);
        let amz_date = format!("{date}T{:02}{:02}{:02}Z", t.hour, t.minute, t.second);
        let scope = format!("{date}/{region}/{SERVICE}/aws4_request");
        let signed_host = if self.port == DEFAULT_PORT {
            self.host.clone()
        } else {
            format!("{}:{}", self.host, self.port)
        };

        // Keys in byte order: Algorithm < Credential < Date < Expires < SignedHeaders.
        let mut canonical_query = format!(
            "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential={}&X-Amz-Date={amz_date}",
            percent_encode(&format!("{}/{scope}", self.access_key_id))
        );
        if let Some(secs) = expires {
            canonical_query.push_str(&format!("&X-Amz-Expires={secs}"));
        }
        canonical_query.push_str("&X-Amz-SignedHeaders=host");

        let empty_payload_hash = hex_lower(&Sha256::digest(b""));
        let canonical_request = format!(
            "GET\n{DEFAULT_PATH}\n{canonical_query}\nhost:{signed_host}\n\nhost\n{empty_payload_hash}"
        );
        let string_to_sign = format!(
            "AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}",
            hex_lower(&Sha256::digest(canonical_request.as_bytes()))
        );
        let k_date = hmac_sha256(
            format!("AWS4{}", self.secret_access_key).as_bytes(),
            date.as_bytes(),
        );
        let k_region = hmac_sha256(&k_date, region.as_bytes());
        let k_service = hmac_sha256(&k_region, SERVICE.as_bytes());
        let k_signing = hmac_sha256(&k_service, b"aws4_request");
        let signature = hex_lower(&hmac_sha256(&k_signing, string_to_sign.as_bytes()));

        let mut url = build_url(Scheme::Wss, &self.host, self.port, DEFAULT_PATH);
        url.push_str(&format!("?{canonical_query}&X-Amz-Signature={signature}"));
        if let Some(token) = &self.session_token {
            url.push_str("&X-Amz-Security-Token=");
            url.push_str(&percent_encode(token));
        }
        Ok(Presigned {
            canonical_query,
            canonical_request,
            signature,
            url,
        })
    }

    /// The presigned URL for a connection made at wall-clock time `now`.
    ///
    /// Errors: [`Error::InvalidArgument`] for a malformed host, an empty
    /// access key id, a region that cannot be derived, an `X-Amz-Expires`
    /// out of range, or a clock before 2015 (AWS would answer HTTP 403);
    /// [`Error::Auth`] for an empty secret or session token.
    pub fn presigned_url(&self, now: SystemTime) -> Result<String> {
        Ok(self.presign(now)?.url)
    }

    /// The endpoint before signing, `wss://{host}[:{port}]/mqtt`: what to
    /// give `ClientOptions::new`. Each attempt's credentials replace it with
    /// a URL presigned at that attempt's time.
    ///
    /// Fails with [`Error::InvalidArgument`] for a malformed host.
    pub fn url(&self) -> Result<String> {
        check_host(PLATFORM, "host", &self.host)?;
        Ok(build_url(Scheme::Wss, &self.host, self.port, DEFAULT_PATH))
    }

    /// The credentials for an attempt at `now`: the client id and the
    /// presigned URL (see [`presigned_url`](Self::presigned_url)); no user
    /// name or password. An empty client id is an
    /// [`Error::InvalidArgument`].
    pub fn credentials(&self, now: SystemTime) -> Result<Credentials> {
        require_non_empty(
            PLATFORM,
            "client id (set it with client_id())",
            &self.client_id,
        )?;
        Ok(Credentials {
            client_id: self.client_id.clone(),
            username: None,
            password: None,
            url: Some(self.presigned_url(now)?),
            headers: Vec::new(),
        })
    }
}

impl fmt::Debug for AwsSigV4 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AwsSigV4")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("region", &self.region)
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &REDACTED)
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| REDACTED),
            )
            .field("expires", &self.expires)
            .field("client_id", &self.client_id)
            .finish()
    }
}

platform_provider!(AwsSigV4);

/// Where [`AwsCustomAuth`] puts the authorizer parameters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum CustomAuthMode {
    /// As WebSocket upgrade headers (in [`Credentials::headers`]). The
    /// default.
    #[default]
    Headers,
    /// As the query string of the URL (`/mqtt?x-amz-customauthorizer-name=…`),
    /// percent-encoded; for clients that cannot set headers.
    QueryString,
}

/// The header / query name of the authorizer name.
const AUTHORIZER_NAME: &str = "x-amz-customauthorizer-name";
/// The header / query name of the token signature.
const AUTHORIZER_SIGNATURE: &str = "x-amz-customauthorizer-signature";

/// Credentials for an AWS IoT Core custom authorizer over WSS.
///
/// [`credentials`](Self::credentials) returns the client id, the URL
/// `wss://{host}/mqtt` (with the parameters in its query in
/// [`CustomAuthMode::QueryString`]) and, in [`CustomAuthMode::Headers`], the
/// upgrade headers `x-amz-customauthorizer-name`,
/// `x-amz-customauthorizer-signature` and `{token key name}`, each only when
/// set. Without an authorizer name the account's default authorizer is used.
///
/// `Debug` prints the token and its signature as `<redacted>`.
#[derive(Clone)]
pub struct AwsCustomAuth {
    host: String,
    port: u16,
    client_id: String,
    authorizer_name: Option<String>,
    token: Option<(String, String)>,
    token_signature: Option<String>,
    mode: CustomAuthMode,
}

impl AwsCustomAuth {
    /// Custom-authorizer credentials for the endpoint `host` (without scheme
    /// or port).
    pub fn new(host: impl Into<String>) -> Self {
        Self {
            host: host.into(),
            port: DEFAULT_PORT,
            client_id: String::new(),
            authorizer_name: None,
            token: None,
            token_signature: None,
            mode: CustomAuthMode::default(),
        }
    }

    /// The MQTT client id (required).
    pub fn client_id(mut self, client_id: impl Into<String>) -> Self {
        self.client_id = client_id.into();
        self
    }

    /// The port (default 443).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// The authorizer's name (`x-amz-customauthorizer-name`). Without it,
    /// the account's default authorizer applies.
    pub fn authorizer_name(mut self, name: impl Into<String>) -> Self {
        self.authorizer_name = Some(name.into());
        self
    }

    /// The token, sent as `{key_name}: {token}` (or `key_name=token` in the
    /// query); `key_name` is the authorizer's configured token key name.
    pub fn token(mut self, key_name: impl Into<String>, token: impl Into<String>) -> Self {
        self.token = Some((key_name.into(), token.into()));
        self
    }

    /// The token signature (`x-amz-customauthorizer-signature`, base64 as
    /// produced by the token signer), needed when the authorizer has token
    /// signing on.
    pub fn token_signature(mut self, signature: impl Into<String>) -> Self {
        self.token_signature = Some(signature.into());
        self
    }

    /// Headers (default) or query string.
    pub fn mode(mut self, mode: CustomAuthMode) -> Self {
        self.mode = mode;
        self
    }

    /// The endpoint, `wss://{host}[:{port}]/mqtt`, without the authorizer
    /// parameters: each attempt's credentials carry the URL to use (with the
    /// parameters in its query in [`CustomAuthMode::QueryString`]).
    ///
    /// Fails with [`Error::InvalidArgument`] for a malformed host.
    pub fn url(&self) -> Result<String> {
        check_host(PLATFORM, "host", &self.host)?;
        Ok(build_url(Scheme::Wss, &self.host, self.port, DEFAULT_PATH))
    }

    /// The authorizer parameters in order, validated.
    fn params(&self) -> Result<Vec<(String, String)>> {
        let mut params = Vec::new();
        if let Some(name) = &self.authorizer_name {
            require_non_empty(PLATFORM, "authorizer name", name)?;
            check_header_value("authorizer name", name)?;
            params.push((AUTHORIZER_NAME.to_owned(), name.clone()));
        }
        if let Some(signature) = &self.token_signature {
            if self.token.is_none() {
                return Err(Error::InvalidArgument(format!(
                    "{PLATFORM}: a token signature was set without a token"
                )));
            }
            check_header_value("token signature", signature)?;
            params.push((AUTHORIZER_SIGNATURE.to_owned(), signature.clone()));
        }
        if let Some((key, token)) = &self.token {
            let is_token_char =
                |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
            if key.is_empty() || !key.bytes().all(is_token_char) {
                return Err(Error::InvalidArgument(format!(
                    "{PLATFORM}: token key name {key:?} is not a valid HTTP header name"
                )));
            }
            if token.is_empty() {
                return Err(Error::Auth(format!(
                    "{PLATFORM}: the authorizer token is empty"
                )));
            }
            check_header_value("token", token)?;
            params.push((key.clone(), token.clone()));
        }
        Ok(params)
    }

    /// The credentials for an attempt (custom-authorizer tokens do not
    /// depend on the time; `now` is unused).
    ///
    /// Errors: [`Error::InvalidArgument`] for a malformed host, an empty
    /// client id or authorizer name, a token key name that is not an HTTP
    /// token, a value with control characters, or a signature without a
    /// token; [`Error::Auth`] for an empty token.
    pub fn credentials(&self, _now: SystemTime) -> Result<Credentials> {
        check_host(PLATFORM, "host", &self.host)?;
        require_non_empty(
            PLATFORM,
            "client id (set it with client_id())",
            &self.client_id,
        )?;
        let params = self.params()?;
        let mut url = build_url(Scheme::Wss, &self.host, self.port, DEFAULT_PATH);
        let headers = match self.mode {
            CustomAuthMode::Headers => params,
            CustomAuthMode::QueryString => {
                let query: Vec<String> = params
                    .iter()
                    .map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v)))
                    .collect();
                if !query.is_empty() {
                    url.push('?');
                    url.push_str(&query.join("&"));
                }
                Vec::new()
            }
        };
        Ok(Credentials {
            client_id: self.client_id.clone(),
            username: None,
            password: None,
            url: Some(url),
            headers,
        })
    }
}

/// Refuses control characters (CR, LF, NUL…) in a header value, which would
/// let it break out of its header line. The value is not quoted: it may be
/// a secret.
fn check_header_value(what: &str, value: &str) -> Result<()> {
    if value.bytes().any(|b| b.is_ascii_control() && b != b'\t') {
        Err(Error::InvalidArgument(format!(
            "{PLATFORM}: the {what} contains control characters"
        )))
    } else {
        Ok(())
    }
}

impl fmt::Debug for AwsCustomAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AwsCustomAuth")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("client_id", &self.client_id)
            .field("authorizer_name", &self.authorizer_name)
            .field(
                "token",
                &self.token.as_ref().map(|(k, _)| format!("{k}: {REDACTED}")),
            )
            .field(
                "token_signature",
                &self.token_signature.as_ref().map(|_| REDACTED),
            )
            .field("mode", &self.mode)
            .finish()
    }
}

platform_provider!(AwsCustomAuth);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;
    use std::time::UNIX_EPOCH;
    #[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    const HOST: &str = "example-ats.iot.us-east-1.amazonaws.com";
    const AKID: &str = "AKIDEXAMPLE";
    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    const TOKEN: &str = "AQoDYXdzEXAMPLETOKEN+/=";
    /// 20150830T123600Z.
    const T: u64 = 1_440_938_160;

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    fn signer() -> AwsSigV4 {
        AwsSigV4::new(HOST, AKID, SECRET).client_id("client-1")
    }

    #[test]
    fn aws_sigv4_intermediates_match_reference_vector() {
        let p = signer().presign(at(T)).unwrap();
        assert_eq!(
            p.canonical_query,
            "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fiotdevicegateway%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host"
        );
        assert_eq!(
            hex_lower(&Sha256::digest(p.canonical_request.as_bytes())),
            "712389d419ae867be9828aaf69d6810028f57230c51d87a82faf0b3e538e05df"
        );
        assert!(p.canonical_request.ends_with(
            "\nhost:example-ats.iot.us-east-1.amazonaws.com\n\nhost\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        ));
    }

    #[test]
    fn aws_sigv4_signature_and_url_match_reference_vector_a() {
        let p = signer().presign(at(T)).unwrap();
        assert_eq!(
            p.signature,
            "026c20a61bae0c9e109ab3720b96164d965f64dfc0dd03bfc9f1152ab1d323f9"
        );
        assert_eq!(
            p.url,
            "wss://example-ats.iot.us-east-1.amazonaws.com/mqtt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fiotdevicegateway%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host&X-Amz-Signature=026c20a61bae0c9e109ab3720b96164d965f64dfc0dd03bfc9f1152ab1d323f9"
        );
        let c = signer().credentials(at(T)).unwrap();
        assert_eq!(c.url.as_deref(), Some(p.url.as_str()));
        assert_eq!(c.client_id, "client-1");
        assert_eq!((c.username, c.password), (None, None));
        assert!(c.headers.is_empty());
    }

    #[test]
    fn aws_sigv4_session_token_is_appended_after_signing() {
        let url = signer().session_token(TOKEN).presigned_url(at(T)).unwrap();
        assert_eq!(
            url,
            "wss://example-ats.iot.us-east-1.amazonaws.com/mqtt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fiotdevicegateway%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host&X-Amz-Signature=026c20a61bae0c9e109ab3720b96164d965f64dfc0dd03bfc9f1152ab1d323f9&X-Amz-Security-Token=AQoDYXdzEXAMPLETOKEN%2B%2F%3D"
        );
    }

    #[test]
    fn aws_sigv4_expires_is_signed_in_sorted_position() {
        let p = signer()
            .expires(Duration::from_secs(86_400))
            .presign(at(T))
            .unwrap();
        assert!(
            p.canonical_query.contains(
                "&X-Amz-Date=20150830T123600Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
            ),
            "{}",
            p.canonical_query
        );
        assert_ne!(
            p.signature,
            "026c20a61bae0c9e109ab3720b96164d965f64dfc0dd03bfc9f1152ab1d323f9"
        );
        for bad in [Duration::ZERO, MAX_EXPIRES + Duration::from_secs(1)] {
            let err = signer().expires(bad).presign(at(T)).err().unwrap();
            assert_eq!(err.kind(), ErrorKind::InvalidArgument);
        }
    }

    #[test]
    fn aws_sigv4_non_default_port_is_signed_as_host_and_port() {
        let p = signer().port(8443).presign(at(T)).unwrap();
        assert!(
            p.canonical_request
                .contains(&format!("\nhost:{HOST}:8443\n"))
        );
        assert!(
            p.url.starts_with(&format!("wss://{HOST}:8443/mqtt?")),
            "{}",
            p.url
        );
        assert_ne!(
            p.signature,
            "026c20a61bae0c9e109ab3720b96164d965f64dfc0dd03bfc9f1152ab1d323f9"
        );
    }

    #[test]
    fn aws_sigv4_two_calls_at_different_times_give_different_amz_dates() {
        let date = |url: String| {
            url.split('&')
                .find_map(|kv| kv.strip_prefix("X-Amz-Date="))
                .unwrap()
                .to_owned()
        };
        let a = date(signer().presigned_url(at(T)).unwrap());
        let b = date(signer().presigned_url(at(T + 61)).unwrap());
        assert_eq!(a, "20150830T123600Z");
        assert_eq!(b, "20150830T123701Z");
    }

    #[test]
    fn aws_region_is_derived_from_the_host_or_set_explicitly() {
        assert_eq!(region_from_host(HOST), Some("us-east-1"));
        assert_eq!(
            region_from_host("a1b2-ats.iot.cn-north-1.amazonaws.com.cn"),
            Some("cn-north-1")
        );
        assert_eq!(region_from_host("iot.example.com"), None);
        assert_eq!(region_from_host("iot.us-east-1.amazonaws.com"), None);
        assert_eq!(region_from_host("x.iot.us-east-1.amazonaws"), None);
        let err = AwsSigV4::new("mqtt.example.com", AKID, SECRET)
            .client_id("c")
            .credentials(at(T))
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument);
        assert!(err.to_string().contains("region()"), "{err}");
        let url = AwsSigV4::new("mqtt.example.com", AKID, SECRET)
            .region("eu-west-1")
            .presigned_url(at(T))
            .unwrap();
        assert!(url.contains("%2Feu-west-1%2Fiotdevicegateway%2F"), "{url}");
    }

    #[test]
    fn aws_sigv4_bad_inputs_give_the_right_error_kind_without_secrets() {
        let invalid = [
            (AwsSigV4::new(HOST, AKID, SECRET), at(T)),
            (AwsSigV4::new("", AKID, SECRET).client_id("c"), at(T)),
            (
                AwsSigV4::new(format!("wss://{HOST}"), AKID, SECRET).client_id("c"),
                at(T),
            ),
            (AwsSigV4::new(HOST, "", SECRET).client_id("c"), at(T)),
            (signer().region("us/east"), at(T)),
            (signer().session_token(TOKEN), at(1000)),
        ];
        for (s, now) in invalid {
            let err = s.credentials(now).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{s:?}");
            let msg = err.to_string();
            assert!(!msg.contains(SECRET) && !msg.contains(TOKEN), "{msg}");
        }
        for s in [
            AwsSigV4::new(HOST, AKID, "").client_id("c"),
            signer().session_token(""),
        ] {
            assert_eq!(s.credentials(at(T)).unwrap_err().kind(), ErrorKind::Auth);
        }
    }

    #[test]
    fn aws_keepalive_accepts_1_to_1200_and_names_the_range_otherwise() {
        assert!(signer().validate_keepalive(1).is_ok());
        assert!(signer().validate_keepalive(1200).is_ok());
        for bad in [0, 1201] {
            let err = signer().validate_keepalive(bad).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidArgument);
            assert!(
                err.to_string()
                    .contains("AWS IoT Core's allowed range 1..=1200 s"),
                "{err}"
            );
        }
        assert!(AwsCustomAuth::new(HOST).validate_keepalive(0).is_err());
        assert_eq!(
            CredentialProvider::keepalive_range(&signer()),
            Some((1, 1200))
        );
    }

    #[test]
    fn aws_url_is_the_endpoint_before_signing_and_credentials_replace_it() {
        let provider: &dyn CredentialProvider = &signer();
        assert_eq!(provider.url().unwrap(), format!("wss://{HOST}/mqtt"));
        assert_eq!(
            CredentialProvider::url(&signer().port(8443)).unwrap(),
            format!("wss://{HOST}:8443/mqtt")
        );
        let custom = AwsCustomAuth::new(HOST)
            .client_id("c")
            .token("k", "t")
            .mode(CustomAuthMode::QueryString);
        assert_eq!(
            CredentialProvider::url(&custom).unwrap(),
            format!("wss://{HOST}/mqtt")
        );
        assert_eq!(
            custom.credentials(at(T)).unwrap().url.unwrap(),
            format!("wss://{HOST}/mqtt?k=t")
        );
        for bad in ["wss://h", "h:443", ""] {
            let err = AwsSigV4::new(bad, AKID, SECRET).url().unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{bad:?}");
            assert!(AwsCustomAuth::new(bad).url().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn aws_debug_redacts_secret_and_session_token() {
        let s = format!("{:?}", signer().session_token(TOKEN));
        assert!(
            !s.contains(SECRET) && !s.contains(TOKEN) && s.contains(REDACTED),
            "{s}"
        );
        let c = signer().session_token(TOKEN).credentials(at(T)).unwrap();
        let s = format!("{c:?}");
        assert!(
            !s.contains("X-Amz-Signature") && !s.contains("EXAMPLETOKEN"),
            "{s}"
        );
    }

    fn custom() -> AwsCustomAuth {
        AwsCustomAuth::new(HOST)
            .client_id("client-1")
            .authorizer_name("my-authorizer")
            .token("x-my-token", "tok+en/=")
            .token_signature("c2ln+bmF/0dXJl=")
    }

    #[test]
    fn aws_custom_auth_headers_mode_sends_the_parameters_as_upgrade_headers() {
        let c = custom().credentials(at(T)).unwrap();
        assert_eq!(
            c.url.as_deref(),
            Some("wss://example-ats.iot.us-east-1.amazonaws.com/mqtt")
        );
        assert_eq!(c.client_id, "client-1");
        assert_eq!(
            c.headers,
            vec![
                (
                    "x-amz-customauthorizer-name".to_owned(),
                    "my-authorizer".to_owned()
                ),
                (
                    "x-amz-customauthorizer-signature".to_owned(),
                    "c2ln+bmF/0dXJl=".to_owned()
                ),
                ("x-my-token".to_owned(), "tok+en/=".to_owned()),
            ]
        );
    }

    #[test]
    fn aws_custom_auth_query_mode_percent_encodes_the_parameters() {
        let c = custom()
            .mode(CustomAuthMode::QueryString)
            .credentials(at(T))
            .unwrap();
        assert_eq!(
            c.url.as_deref(),
            Some(
                "wss://example-ats.iot.us-east-1.amazonaws.com/mqtt?x-amz-customauthorizer-name=my-authorizer&x-amz-customauthorizer-signature=c2ln%2BbmF%2F0dXJl%3D&x-my-token=tok%2Ben%2F%3D"
            )
        );
        assert!(c.headers.is_empty());
        let bare = AwsCustomAuth::new(HOST)
            .client_id("c")
            .mode(CustomAuthMode::QueryString);
        assert_eq!(
            bare.credentials(at(T)).unwrap().url.as_deref(),
            Some("wss://example-ats.iot.us-east-1.amazonaws.com/mqtt")
        );
    }

    #[test]
    fn aws_custom_auth_bad_inputs_give_the_right_error_kind_without_secrets() {
        let invalid = [
            AwsCustomAuth::new(HOST),
            AwsCustomAuth::new("").client_id("c"),
            custom().authorizer_name(""),
            custom().token("bad key", "tok+en/="),
            custom().token("x-my-token", "tok\r\nInjected: 1"),
            AwsCustomAuth::new(HOST)
                .client_id("c")
                .token_signature("c2ln+bmF/0dXJl="),
        ];
        for a in invalid {
            let err = a.credentials(at(T)).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{a:?}");
            let msg = err.to_string();
            assert!(
                !msg.contains("tok+en") && !msg.contains("Injected") && !msg.contains("c2ln"),
                "{msg}"
            );
        }
        let err = custom()
            .token("x-my-token", "")
            .credentials(at(T))
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Auth);
    }

    #[test]
    fn aws_custom_auth_debug_redacts_token_and_signature() {
        let s = format!("{:?}", custom());
        assert!(
            !s.contains("tok+en") && !s.contains("c2ln") && s.contains("x-my-token"),
            "{s}"
        );
    }
}
