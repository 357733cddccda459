//! Azure IoT Hub: shared access signature (SAS) tokens for MQTT over WSS.
//!
//! # Wire format
//!
//! * URL `wss://{hub}/$iothub/websocket` (TLS only, port 443), by default
//!   with `?iothub-no-client-cert=true`, which tells the hub not to ask for
//!   a client certificate (devices using SAS otherwise fail on some
//!   gateways; the Java SDK always sends it).
//! * Client id `{deviceId}` or `{deviceId}/{moduleId}`.
//! * User name `{hub}/{deviceId}/?api-version=2021-04-12` (or
//!   `{hub}/{deviceId}/{moduleId}/?…`); host and ids are not encoded, query
//!   values are.
//! * Password: `SharedAccessSignature sr={enc(resource)}&sig={enc(sig)}&se={expiry}`
//!   (plus `&skn={policy}` for a shared access policy key), where resource
//!   is `{hub}/devices/{deviceId}[/modules/{moduleId}]`, `sig` the base64 of
//!   HMAC-SHA256 keyed with the base64-*decoded* key over
//!   `enc(resource) + "\n" + expiry`, and `enc` percent-encodes everything
//!   but the RFC 3986 unreserved characters, in upper-case hex.
//!
//! # Example
//!
//! ```
//! use std::time::SystemTime;
//! use mqttws::auth::azure::AzureDevice;
//!
//! let device = AzureDevice::new(
//!     "myhub.azure-devices.net",
//!     "dev001",
//!     "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
//! );
//! assert_eq!(
//!     device.url()?,
//!     "wss://myhub.azure-devices.net/$iothub/websocket?iothub-no-client-cert=true"
//! );
//! let creds = device.credentials(SystemTime::now())?;
//! assert!(creds.password.unwrap().starts_with("SharedAccessSignature sr="));
//! # Ok::<(), mqttws::Error>(())
//! ```

use std::fmt;
use std::time::{Duration, SystemTime};

use super::encoding::{base64_decode, base64_encode, percent_encode};
use super::{
    CredentialProvider, Credentials, REDACTED, Scheme, build_url, check_host, hmac_sha256,
    require_non_empty, unix_seconds_checked,
};
use crate::error::{Error, Result};

/// The platform name used in error messages.
pub const PLATFORM: &str = "Azure IoT Hub";

/// The WebSocket path. Mandatory: the hub answers HTTP 400 to any other.
pub const DEFAULT_PATH: &str = "/$iothub/websocket";

/// The query that asks the hub not to request a client certificate.
pub const NO_CLIENT_CERT_QUERY: &str = "iothub-no-client-cert=true";

/// The default `api-version` of the user name.
pub const DEFAULT_API_VERSION: &str = "2021-04-12";

/// The default SAS token lifetime: one hour, as the Azure SDKs. A reconnect
/// signs a fresh token.
pub const DEFAULT_SAS_TTL: Duration = Duration::from_secs(3600);

/// The keepalive range (seconds, inclusive). The upper bound is the
/// Python SDK's cap of 1740 s (29 minutes, "determined by the load
/// balancer", which drops idle connections after about 30 minutes); the SDK
/// also refuses 0, which would leave an idle connection to the balancer.
pub const KEEPALIVE_RANGE: (u16, u16) = (1, 1740);

/// An Azure IoT Hub device (or module) identity authenticated with a
/// symmetric key: builds the SAS-token credentials and the endpoint URL.
///
/// Defaults: no module, SAS lifetime [`DEFAULT_SAS_TTL`], api-version
/// [`DEFAULT_API_VERSION`], the `iothub-no-client-cert=true` hint on.
///
/// `Debug` prints the key as `<redacted>`.
#[derive(Clone)]
pub struct AzureDevice {
    hub: String,
    device_id: String,
    module_id: Option<String>,
    key: String,
    key_name: Option<String>,
    sas_ttl: Duration,
    api_version: String,
    device_client_type: Option<String>,
    no_client_cert_hint: bool,
}

impl AzureDevice {
    /// A device `device_id` of the hub whose full host name is `hub` (e.g.
    /// `myhub.azure-devices.net`), with its symmetric key as the portal
    /// shows it (base64).
    pub fn new(
        hub: impl Into<String>,
        device_id: impl Into<String>,
        key_base64: impl Into<String>,
    ) -> Self {
        Self {
            hub: hub.into(),
            device_id: device_id.into(),
            module_id: None,
            key: key_base64.into(),
            key_name: None,
            sas_ttl: DEFAULT_SAS_TTL,
            api_version: DEFAULT_API_VERSION.to_owned(),
            device_client_type: None,
            no_client_cert_hint: true,
        }
    }

    /// Authenticate as module `module_id` of the device (the key is then the
    /// module's key).
    pub fn module_id(mut self, module_id: impl Into<String>) -> Self {
        self.module_id = Some(module_id.into());
        self
    }

    /// The name of the shared access policy whose key was given (adds
    /// `&skn={name}` to the token). Not needed for a device's own key.
    pub fn shared_access_key_name(mut self, name: impl Into<String>) -> Self {
        self.key_name = Some(name.into());
        self
    }

    /// The SAS token lifetime from `now` (whole seconds, at least 1; default
    /// one hour).
    pub fn sas_ttl(mut self, ttl: Duration) -> Self {
        self.sas_ttl = ttl;
        self
    }

    /// The `api-version` of the user name (default
    /// [`DEFAULT_API_VERSION`]; the SDKs use older ones such as
    /// `2019-10-01`).
    pub fn api_version(mut self, version: impl Into<String>) -> Self {
        self.api_version = version.into();
        self
    }

    /// Appends `&DeviceClientType={enc(client_type)}` to the user name, as
    /// the SDKs do with their user agent string.
    pub fn device_client_type(mut self, client_type: impl Into<String>) -> Self {
        self.device_client_type = Some(client_type.into());
        self
    }

    /// Whether [`url`](Self::url) ends with `?iothub-no-client-cert=true`
    /// (default true).
    pub fn no_client_cert_hint(mut self, on: bool) -> Self {
        self.no_client_cert_hint = on;
        self
    }

    /// The endpoint URL: `wss://{hub}/$iothub/websocket`, plus
    /// `?iothub-no-client-cert=true` unless turned off.
    pub fn url(&self) -> Result<String> {
        check_host(PLATFORM, "hub host name", &self.hub)?;
        let mut url = build_url(Scheme::Wss, &self.hub, 443, DEFAULT_PATH);
        if self.no_client_cert_hint {
            url.push('?');
            url.push_str(NO_CLIENT_CERT_QUERY);
        }
        Ok(url)
    }

    fn check_ids(&self) -> Result<()> {
        check_host(PLATFORM, "hub host name", &self.hub)?;
        require_non_empty(PLATFORM, "device id", &self.device_id)?;
        if let Some(module) = &self.module_id {
            require_non_empty(PLATFORM, "module id", module)?;
        }
        for (what, id) in [
            ("device id", Some(&self.device_id)),
            ("module id", self.module_id.as_ref()),
        ] {
            if let Some(id) = id
                && id.contains('/')
            {
                return Err(Error::InvalidArgument(format!(
                    "{PLATFORM}: {what} {id:?} contains '/'"
                )));
            }
        }
        require_non_empty(PLATFORM, "api-version", &self.api_version)?;
        Ok(())
    }

    /// The SAS token for a connection made at `now`, valid until `now` plus
    /// the TTL.
    ///
    /// Errors: [`Error::InvalidArgument`] for a malformed hub host name, an
    /// empty or `/`-containing device or module id, an empty policy name, a
    /// zero TTL or a clock before 2015; [`Error::Auth`] for a key that is
    /// empty or not base64.
    pub fn sas_token(&self, now: SystemTime) -> Result<String> {
        self.check_ids()?;
        if self.sas_ttl.as_secs() == 0 {
            return Err(Error::InvalidArgument(format!(
                "{PLATFORM}: the SAS token TTL must be at least 1 s"
            )));
        }
        let expiry = unix_seconds_checked(PLATFORM, now)?.saturating_add(self.sas_ttl.as_secs());
        let key = base64_decode(&self.key).ok_or_else(|| {
            Error::Auth(format!(
                "{PLATFORM}: the device key is not valid base64 (standard alphabet, with padding)"
            ))
        })?;
        if key.is_empty() {
            return Err(Error::Auth(format!("{PLATFORM}: the device key is empty")));
        }
        let mut resource = format!("{}/devices/{}", self.hub, self.device_id);
        if let Some(module) = &self.module_id {
            resource.push_str("/modules/");
            resource.push_str(module);
        }
        let encoded_resource = percent_encode(&resource);
        let to_sign = format!("{encoded_resource}\n{expiry}");
        let signature = base64_encode(&hmac_sha256(&key, to_sign.as_bytes()));
        let mut token = format!(
            "SharedAccessSignature sr={encoded_resource}&sig={}&se={expiry}",
            percent_encode(&signature)
        );
        if let Some(name) = &self.key_name {
            require_non_empty(PLATFORM, "shared access key name", name)?;
            token.push_str("&skn=");
            token.push_str(&percent_encode(name));
        }
        Ok(token)
    }

    /// The credentials for an attempt at `now`: client id, user name and a
    /// fresh SAS token as password. Errors as [`sas_token`](Self::sas_token).
    pub fn credentials(&self, now: SystemTime) -> Result<Credentials> {
        let password = self.sas_token(now)?;
        let (client_id, mut username) = match &self.module_id {
            Some(module) => (
                format!("{}/{module}", self.device_id),
                format!("{}/{}/{module}/", self.hub, self.device_id),
            ),
            None => (
                self.device_id.clone(),
                format!("{}/{}/", self.hub, self.device_id),
            ),
        };
        username.push_str("?api-version=");
        username.push_str(&percent_encode(&self.api_version));
        if let Some(client_type) = &self.device_client_type {
            username.push_str("&DeviceClientType=");
            username.push_str(&percent_encode(client_type));
        }
        Ok(Credentials {
            client_id,
            username: Some(username),
            password: Some(password),
            url: None,
            headers: Vec::new(),
        })
    }
}

impl fmt::Debug for AzureDevice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AzureDevice")
            .field("hub", &self.hub)
            .field("device_id", &self.device_id)
            .field("module_id", &self.module_id)
            .field("key", &REDACTED)
            .field("key_name", &self.key_name)
            .field("sas_ttl", &self.sas_ttl)
            .field("api_version", &self.api_version)
            .field("device_client_type", &self.device_client_type)
            .field("no_client_cert_hint", &self.no_client_cert_hint)
            .finish()
    }
}

platform_provider!(AzureDevice);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;
    use std::time::UNIX_EPOCH;
    #[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    const HUB: &str = "myhub.azure-devices.net";
    const KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    /// `now` such that the default one-hour TTL gives se = 1700000000.
    fn now() -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_700_000_000 - 3600)
    }

    fn device() -> AzureDevice {
        AzureDevice::new(HUB, "dev001", KEY)
    }

    #[test]
    fn azure_sas_token_matches_reference_vector() {
        assert_eq!(
            device().sas_token(now()).unwrap(),
            "SharedAccessSignature sr=myhub.azure-devices.net%2Fdevices%2Fdev001&sig=IyzAVunfpol%2Bok6JBPSlNvjj7eJ8GKMNNYoV7bsMqiw%3D&se=1700000000"
        );
    }

    #[test]
    fn azure_signature_over_reference_string_to_sign_matches_vector() {
        let key = base64_decode(KEY).unwrap();
        let sig = hmac_sha256(
            &key,
            b"myhub.azure-devices.net%2Fdevices%2Fdev001\n1700000000",
        );
        assert_eq!(
            base64_encode(&sig),
            "IyzAVunfpol+ok6JBPSlNvjj7eJ8GKMNNYoV7bsMqiw="
        );
    }

    #[test]
    fn azure_credentials_match_reference_vector() {
        let c = device().credentials(now()).unwrap();
        assert_eq!(c.client_id, "dev001");
        assert_eq!(
            c.username.as_deref(),
            Some("myhub.azure-devices.net/dev001/?api-version=2021-04-12")
        );
        assert_eq!(c.password, Some(device().sas_token(now()).unwrap()));
        assert_eq!(c.url, None);
    }

    #[test]
    fn azure_module_identity_changes_client_id_username_and_resource() {
        let d = device().module_id("mod1");
        let c = d.credentials(now()).unwrap();
        assert_eq!(c.client_id, "dev001/mod1");
        assert_eq!(
            c.username.as_deref(),
            Some("myhub.azure-devices.net/dev001/mod1/?api-version=2021-04-12")
        );
        let key = base64_decode(KEY).unwrap();
        let sr = "myhub.azure-devices.net%2Fdevices%2Fdev001%2Fmodules%2Fmod1";
        let sig = base64_encode(&hmac_sha256(&key, format!("{sr}\n1700000000").as_bytes()));
        assert_eq!(
            c.password.unwrap(),
            format!(
                "SharedAccessSignature sr={sr}&sig={}&se=1700000000",
                percent_encode(&sig)
            )
        );
    }

    #[test]
    fn azure_options_change_username_token_and_url() {
        let d = device()
            .api_version("2019-10-01")
            .device_client_type("mqttws/0.1 (rust)")
            .shared_access_key_name("device policy")
            .sas_ttl(Duration::from_secs(60));
        let c = d.credentials(now()).unwrap();
        assert_eq!(
            c.username.as_deref(),
            Some(
                "myhub.azure-devices.net/dev001/?api-version=2019-10-01&DeviceClientType=mqttws%2F0.1%20%28rust%29"
            )
        );
        let password = c.password.unwrap();
        assert!(
            password.contains(&format!("&se={}", 1_700_000_000 - 3600 + 60)),
            "{password}"
        );
        assert!(password.ends_with("&skn=device%20policy"), "{password}");
        assert_eq!(
            device().url().unwrap(),
            "wss://myhub.azure-devices.net/$iothub/websocket?iothub-no-client-cert=true"
        );
        assert_eq!(
            device().no_client_cert_hint(false).url().unwrap(),
            "wss://myhub.azure-devices.net/$iothub/websocket"
        );
    }

    #[test]
    fn azure_bad_inputs_give_the_right_error_kind_without_the_key() {
        let invalid = [
            (AzureDevice::new("", "dev001", KEY), now()),
            (
                AzureDevice::new("https://myhub.azure-devices.net", "dev001", KEY),
                now(),
            ),
            (AzureDevice::new(HUB, "", KEY), now()),
            (AzureDevice::new(HUB, "a/b", KEY), now()),
            (device().module_id(""), now()),
            (device().sas_ttl(Duration::ZERO), now()),
            (device().shared_access_key_name(""), now()),
            (device(), UNIX_EPOCH + Duration::from_secs(1000)),
        ];
        for (d, t) in invalid {
            let err = d.credentials(t).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{d:?}");
            assert!(!err.to_string().contains(KEY), "{err}");
        }
        for bad_key in [
            "not base64 at all!",
            "",
            "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8",
        ] {
            let err = AzureDevice::new(HUB, "dev001", bad_key)
                .credentials(now())
                .unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Auth, "{bad_key:?}");
            if !bad_key.is_empty() {
                assert!(!err.to_string().contains(bad_key), "{err}");
            }
        }
    }

    #[test]
    fn azure_keepalive_accepts_1_to_1740_and_names_the_range_otherwise() {
        assert!(device().validate_keepalive(1).is_ok());
        assert!(device().validate_keepalive(1740).is_ok());
        for bad in [0, 1741] {
            let err = device().validate_keepalive(bad).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidArgument);
            assert!(
                err.to_string()
                    .contains("Azure IoT Hub's allowed range 1..=1740 s"),
                "{err}"
            );
        }
        assert_eq!(
            CredentialProvider::keepalive_range(&device()),
            Some((1, 1740))
        );
    }

    #[test]
    fn azure_debug_redacts_the_key_and_the_token() {
        let s = format!("{:?}", device());
        assert!(!s.contains(KEY) && s.contains(REDACTED), "{s}");
        let s = format!("{:?}", device().credentials(now()).unwrap());
        assert!(!s.contains("SharedAccessSignature"), "{s}");
    }
}
