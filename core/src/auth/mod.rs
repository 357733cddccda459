//! Cloud platform signers: per-platform credential builders and endpoints.
//!
//! (Being written: see the platform files.)

use std::fmt;
use std::time::SystemTime;

use crate::error::Result;

/// What a connection attempt presents to the server, computed fresh for each
/// attempt by a [`CredentialProvider`].
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Credentials {
    /// MQTT client identifier for CONNECT.
    pub client_id: String,
    /// MQTT user name, if any.
    pub username: Option<String>,
    /// MQTT password, if any. Never printed by `Debug`.
    pub password: Option<String>,
    /// A URL that replaces the configured one for this attempt (AWS SigV4
    /// presigned URLs). `None` keeps the configured URL.
    pub url: Option<String>,
    /// Extra WebSocket upgrade headers for this attempt (AWS custom authorizer).
    pub headers: Vec<(String, String)>,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("client_id", &self.client_id)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("url", &self.url.as_ref().map(|_| "<redacted>"))
            .field("headers", &self.headers.iter().map(|(k, _)| k).collect::<Vec<_>>())
            .finish()
    }
}

/// Computes [`Credentials`] at each connection attempt, so that expiring
/// signatures are fresh after a reconnect. `now` is the wall clock, passed in
/// so that signing is testable.
pub trait CredentialProvider: Send + Sync {
    /// Credentials for an attempt made at wall-clock time `now`.
    fn credentials(&self, now: SystemTime) -> Result<Credentials>;

    /// The keepalive range (seconds, inclusive) the platform accepts, checked
    /// before connecting. `None` means any value MQTT allows.
    fn keepalive_range(&self) -> Option<(u16, u16)> {
        None
    }
}
