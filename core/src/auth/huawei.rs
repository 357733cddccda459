//! Huawei Cloud IoTDA: device-secret signatures for MQTT over WSS.
//!
//! # Wire format
//!
//! * URL `wss://{host}/mqtt` on port 443, where `host` is the instance's
//!   device access host (typically
//!   `{instance}.st1.iotda-device.{region}.myhuaweicloud.com`; the
//!   WebSocket endpoint and path come from community code, not from
//!   Huawei's documentation: verify them for your instance).
//! * Client id `{deviceId}_0_{0|1}_{YYYYMMDDHH}`: `0` after the device id is
//!   the id type, then `0` if the platform does not check the timestamp and
//!   `1` if it does, then the **UTC** hour of `now`.
//! * User name `{deviceId}`.
//! * Password: lowercase hex of HMAC-SHA256 keyed with the *timestamp
//!   string* over the *device secret* (note the order).
//!
//! # Example
//!
//! ```
//! use std::time::SystemTime;
//! use mqttws::auth::huawei::HuaweiDevice;
//!
//! let device = HuaweiDevice::new(
//!     "abc123.st1.iotda-device.cn-north-4.myhuaweicloud.com",
//!     "65a1b2c3d4e5f6a7b8c9d0e1_dev001",
//!     "mySecret123",
//! );
//! assert_eq!(device.url()?, "wss://abc123.st1.iotda-device.cn-north-4.myhuaweicloud.com/mqtt");
//! let creds = device.credentials(SystemTime::now())?;
//! assert!(creds.client_id.starts_with("65a1b2c3d4e5f6a7b8c9d0e1_dev001_0_0_"));
//! # Ok::<(), mqttws::Error>(())
//! ```

use std::fmt;
use std::time::SystemTime;

use super::encoding::hex_lower;
use super::{
    CredentialProvider, Credentials, REDACTED, Scheme, UtcDateTime, build_url, check_host,
    hmac_sha256, require_non_empty, unix_seconds, unix_seconds_checked,
};
use crate::error::{Error, Result};

/// The platform name used in error messages.
pub const PLATFORM: &str = "Huawei Cloud IoTDA";

/// The default WebSocket path.
pub const DEFAULT_PATH: &str = "/mqtt";

/// The keepalive range (seconds, inclusive) the Huawei device SDK enforces.
pub const KEEPALIVE_RANGE: (u16, u16) = (30, 1200);

/// A Huawei Cloud IoTDA device authenticated by its secret: builds the
/// CONNECT credentials and the endpoint URL.
///
/// By default the platform is told not to check the timestamp (`_0_0_`),
/// which tolerates a device clock that drifts; [`check_timestamp`]
/// (`_0_1_`) asks it to, which then needs a set clock.
///
/// `Debug` prints the secret as `<redacted>`.
///
/// [`check_timestamp`]: Self::check_timestamp
#[derive(Clone)]
pub struct HuaweiDevice {
    host: String,
    device_id: String,
    secret: String,
    check_timestamp: bool,
}

impl HuaweiDevice {
    /// A device `device_id` with its `secret`, connecting to the device
    /// access host `host` (without scheme, port or path).
    pub fn new(
        host: impl Into<String>,
        device_id: impl Into<String>,
        secret: impl Into<String>,
    ) -> Self {
        Self {
            host: host.into(),
            device_id: device_id.into(),
            secret: secret.into(),
            check_timestamp: false,
        }
    }

    /// Whether the platform checks the timestamp against its own time
    /// (client id `_0_1_`; default false, `_0_0_`).
    pub fn check_timestamp(mut self, check: bool) -> Self {
        self.check_timestamp = check;
        self
    }

    /// The endpoint URL: `wss://{host}/mqtt`.
    pub fn url(&self) -> Result<String> {
        check_host(PLATFORM, "host", &self.host)?;
        Ok(build_url(Scheme::Wss, &self.host, 443, DEFAULT_PATH))
    }

    /// The credentials for an attempt at `now`.
    ///
    /// Errors: [`Error::InvalidArgument`] for an empty device id, a clock
    /// before 1970, or before 2015 with
    /// [`check_timestamp`](Self::check_timestamp); [`Error::Auth`] for an
    /// empty secret.
    pub fn credentials(&self, now: SystemTime) -> Result<Credentials> {
        require_non_empty(PLATFORM, "device id", &self.device_id)?;
        if self.secret.is_empty() {
            return Err(Error::Auth(format!(
                "{PLATFORM}: the device secret is empty"
            )));
        }
        let secs = if self.check_timestamp {
            unix_seconds_checked(PLATFORM, now)?
        } else {
            unix_seconds(PLATFORM, now)?
        };
        let t = UtcDateTime::from_unix(secs);
        let timestamp = format!("{:04}{:02}{:02}{:02}", t.year, t.month, t.day, t.hour);
        let checked = u8::from(self.check_timestamp);
        let password = hex_lower(&hmac_sha256(timestamp.as_bytes(), self.secret.as_bytes()));
        Ok(Credentials {
            client_id: format!("{}_0_{checked}_{timestamp}", self.device_id),
            username: Some(self.device_id.clone()),
            password: Some(password),
            url: None,
            headers: Vec::new(),
        })
    }
}

impl fmt::Debug for HuaweiDevice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HuaweiDevice")
            .field("host", &self.host)
            .field("device_id", &self.device_id)
            .field("secret", &REDACTED)
            .field("check_timestamp", &self.check_timestamp)
            .finish()
    }
}

platform_provider!(HuaweiDevice);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;
    use std::time::{Duration, UNIX_EPOCH};
    #[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    const HOST: &str = "abc123.st1.iotda-device.cn-north-4.myhuaweicloud.com";
    const DEVICE: &str = "65a1b2c3d4e5f6a7b8c9d0e1_dev001";
    const SECRET: &str = "mySecret123";
    /// 2024-01-01T12:34:56Z: the vector's UTC hour is 2024010112.
    const T: u64 = 1_704_112_496;

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    fn device() -> HuaweiDevice {
        HuaweiDevice::new(HOST, DEVICE, SECRET)
    }

    #[test]
    fn huawei_credentials_match_reference_vector() {
        let c = device().credentials(at(T)).unwrap();
        assert_eq!(
            c.client_id,
            "65a1b2c3d4e5f6a7b8c9d0e1_dev001_0_0_2024010112"
        );
        assert_eq!(c.username.as_deref(), Some(DEVICE));
        assert_eq!(
            c.password.as_deref(),
            Some("5cbe3a5a502c0c74bab04dc9cc4a88e499e4dc1e207a742ca1ffc753a4266679")
        );
        assert_eq!(c.url, None);
    }

    #[test]
    fn huawei_timestamp_is_the_utc_hour_and_checked_mode_sets_the_flag() {
        // The first and last second of the hour give the same timestamp.
        let start = 1_704_110_400; // 2024-01-01T12:00:00Z
        for t in [start, start + 3599] {
            let c = device().check_timestamp(true).credentials(at(t)).unwrap();
            assert_eq!(
                c.client_id,
                "65a1b2c3d4e5f6a7b8c9d0e1_dev001_0_1_2024010112"
            );
            assert_eq!(
                c.password.as_deref(),
                Some("5cbe3a5a502c0c74bab04dc9cc4a88e499e4dc1e207a742ca1ffc753a4266679")
            );
        }
        let next = device().credentials(at(start + 3600)).unwrap();
        assert!(
            next.client_id.ends_with("_0_0_2024010113"),
            "{}",
            next.client_id
        );
    }

    #[test]
    fn huawei_bad_inputs_give_the_right_error_kind_without_the_secret() {
        for (d, t) in [
            (HuaweiDevice::new(HOST, "", SECRET), at(T)),
            (device().check_timestamp(true), at(1000)),
        ] {
            let err = d.credentials(t).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{d:?}");
            assert!(!err.to_string().contains(SECRET), "{err}");
        }
        // A clock that was never set still signs when the timestamp is unchecked.
        assert!(device().credentials(at(1000)).is_ok());
        let err = HuaweiDevice::new(HOST, DEVICE, "")
            .credentials(at(T))
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Auth);
        let err = HuaweiDevice::new("wss://x/mqtt", DEVICE, SECRET)
            .url()
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    }

    #[test]
    fn huawei_url_is_wss_on_the_given_host() {
        assert_eq!(
            device().url().unwrap(),
            "wss://abc123.st1.iotda-device.cn-north-4.myhuaweicloud.com/mqtt"
        );
    }

    #[test]
    fn huawei_keepalive_accepts_30_to_1200_and_names_the_range_otherwise() {
        assert!(device().validate_keepalive(30).is_ok());
        assert!(device().validate_keepalive(1200).is_ok());
        for bad in [0, 29, 1201] {
            let err = device().validate_keepalive(bad).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidArgument);
            assert!(
                err.to_string()
                    .contains("Huawei Cloud IoTDA's allowed range 30..=1200 s"),
                "{err}"
            );
        }
        assert_eq!(
            CredentialProvider::keepalive_range(&device()),
            Some((30, 1200))
        );
    }

    #[test]
    fn huawei_debug_redacts_the_secret() {
        let s = format!("{:?}", device());
        assert!(!s.contains(SECRET) && s.contains(REDACTED), "{s}");
        let s = format!("{:?}", device().credentials(at(T)).unwrap());
        assert!(!s.contains("5cbe3a5a"), "{s}");
    }
}
