//! HTTP CONNECT and SOCKS5 proxies, for ws:// and wss:// alike.
//!
//! (Being written.)

use std::fmt;

use mio::net::TcpStream;

use super::Poller;
use crate::error::{Error, Result};
use std::time::Instant;

/// A proxy to tunnel the TCP connection through.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProxyConfig {
    /// HTTP proxy using `CONNECT host:port`, with optional Basic auth.
    Http {
        /// Proxy host name or IP address.
        host: String,
        /// Proxy port.
        port: u16,
        /// User name and password for `Proxy-Authorization: Basic`.
        auth: Option<(String, String)>,
    },
    /// SOCKS5 proxy, with optional username/password authentication (RFC 1929).
    Socks5 {
        /// Proxy host name or IP address.
        host: String,
        /// Proxy port.
        port: u16,
        /// User name and password.
        auth: Option<(String, String)>,
    },
}

impl fmt::Debug for ProxyConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (kind, host, port, auth) = match self {
            Self::Http { host, port, auth } => ("Http", host, port, auth),
            Self::Socks5 { host, port, auth } => ("Socks5", host, port, auth),
        };
        f.debug_struct(kind)
            .field("host", host)
            .field("port", port)
            .field("user", &auth.as_ref().map(|(u, _)| u))
            .finish()
    }
}

/// Opens a TCP connection to `host:port` through `proxy`, within `deadline`.
pub(crate) fn connect_via(
    proxy: &ProxyConfig,
    host: &str,
    port: u16,
    poller: &mut Poller,
    deadline: Instant,
) -> Result<TcpStream> {
    let _ = (proxy, host, port, poller, deadline);
    Err(Error::invalid("proxies are not implemented yet"))
}
