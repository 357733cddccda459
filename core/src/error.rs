//! The one error type of the crate.
//!
//! Every variant says what the caller should do about it. [`Error::kind`]
//! gives a flat, `Copy` [`ErrorKind`] that the C, Python and Go bindings map
//! one to one onto their own error codes and exception classes.
//!
//! Error messages never contain passwords, pre-shared keys or private keys:
//! the values that reach an `Error` are URLs, topics, host names and status
//! texts, never credentials.

use std::fmt;
use std::io;

/// Shorthand for `std::result::Result<T, mqttws::Error>`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The phase of work that ran out of time, carried by [`Error::Timeout`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TimeoutPhase {
    /// Resolving the host name.
    Dns,
    /// Opening the TCP connection.
    TcpConnect,
    /// The TLS handshake.
    Tls,
    /// The HTTP upgrade to WebSocket.
    WebSocketHandshake,
    /// Waiting for CONNACK after CONNECT.
    Connack,
    /// The broker did not answer a PINGREQ in time: the link is dead.
    Keepalive,
    /// Waiting for an acknowledgement (PUBACK, PUBCOMP, SUBACK, UNSUBACK).
    Ack,
    /// Writing to a socket whose send buffer stayed full.
    Write,
    /// Waiting for the orderly close after DISCONNECT.
    Disconnect,
    /// Connecting through an HTTP or SOCKS5 proxy.
    Proxy,
}

impl fmt::Display for TimeoutPhase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Dns => "DNS resolution",
            Self::TcpConnect => "TCP connect",
            Self::Tls => "TLS handshake",
            Self::WebSocketHandshake => "WebSocket handshake",
            Self::Connack => "waiting for CONNACK",
            Self::Keepalive => "keepalive (no PINGRESP from the broker)",
            Self::Ack => "waiting for an acknowledgement",
            Self::Write => "writing to the socket",
            Self::Disconnect => "orderly disconnect",
            Self::Proxy => "connecting through the proxy",
        })
    }
}

/// Why the broker refused a CONNECT: the CONNACK return code of MQTT 3.1.1
/// section 3.2.2.3, or an MQTT 5 reason code (section 3.2.2.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ConnectReturnCode {
    /// 1: the broker does not speak MQTT 3.1.1.
    UnacceptableProtocolVersion,
    /// 2: the client id is not allowed.
    IdentifierRejected,
    /// 3: the MQTT service is unavailable.
    ServerUnavailable,
    /// 4: the user name or password is malformed (cloud platforms: the
    /// signature did not verify).
    BadUserNameOrPassword,
    /// 5: the client is not authorised to connect.
    NotAuthorized,
    /// An MQTT 5 reason code (0x80 and up; e.g. 0x87 not authorized, 0x86
    /// bad user name or password, 0x9C use another server). MQTT 5 has no
    /// 3.1.1 return codes: a refusal under 5.0 is always this variant.
    Reason(u8),
}

impl ConnectReturnCode {
    /// The numeric code as sent on the wire (1 to 5 under 3.1.1, the reason
    /// code under 5.0).
    pub fn code(self) -> u8 {
        match self {
            Self::UnacceptableProtocolVersion => 1,
            Self::IdentifierRejected => 2,
            Self::ServerUnavailable => 3,
            Self::BadUserNameOrPassword => 4,
            Self::NotAuthorized => 5,
            Self::Reason(code) => code,
        }
    }

    /// The 3.1.1 return code (1 to 5) a refusal corresponds to: itself under
    /// 3.1.1, the nearest one for an MQTT 5 reason code (`None` for codes
    /// with no counterpart, such as 0x9C "use another server").
    pub fn v311_equivalent(self) -> Option<u8> {
        match self {
            Self::Reason(0x84) => Some(1),
            Self::Reason(0x85) => Some(2),
            Self::Reason(0x88 | 0x89 | 0x8B) => Some(3),
            Self::Reason(0x86 | 0x8C) => Some(4),
            Self::Reason(0x87 | 0x8A) => Some(5),
            Self::Reason(_) => None,
            other => Some(other.code()),
        }
    }
}

impl fmt::Display for ConnectReturnCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self {
            Self::UnacceptableProtocolVersion => "unacceptable protocol version",
            Self::IdentifierRejected => "identifier rejected",
            Self::ServerUnavailable => "server unavailable",
            Self::BadUserNameOrPassword => "bad user name or password",
            Self::NotAuthorized => "not authorized",
            Self::Reason(code) => {
                return write!(
                    f,
                    "{} (reason code {code:#04x})",
                    crate::properties::reason_code_name(*code)
                );
            }
        };
        write!(f, "{text} (code {})", self.code())
    }
}

/// Defines [`ErrorKind`] and [`ErrorKind::ALL`] from one list, so that the
/// list the bindings check their own mappings against lists every kind.
macro_rules! error_kinds {
    ($( $(#[$doc:meta])* $kind:ident, )+) => {
        /// A flat, `Copy` classification of [`Error`], stable for the bindings.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ErrorKind {
            $( $(#[$doc])* $kind, )+
        }

        impl ErrorKind {
            /// Every kind, in declaration order. The C ABI's tests check
            /// that each has a result code and a Python exception class.
            pub const ALL: &'static [ErrorKind] = &[$( ErrorKind::$kind, )+];
        }
    };
}

error_kinds! {
    /// See [`Error::Timeout`].
    Timeout,
    /// See [`Error::Io`].
    Io,
    /// See [`Error::Tls`].
    Tls,
    /// See [`Error::Handshake`].
    Handshake,
    /// See [`Error::ConnectionRefused`].
    ConnectionRefused,
    /// See [`Error::Protocol`].
    Protocol,
    /// See [`Error::InvalidArgument`].
    InvalidArgument,
    /// See [`Error::Closed`].
    Closed,
    /// See [`Error::Interrupted`].
    Interrupted,
    /// See [`Error::Auth`].
    Auth,
    /// See [`Error::Proxy`].
    Proxy,
    /// See [`Error::QueueFull`].
    QueueFull,
    /// See [`Error::Rejected`].
    Rejected,
}

/// Everything that can go wrong, classified by what the caller should do.
///
/// Variants that end a connection are marked *fatal*: after one, the
/// [`Client`](crate::Client) is disconnected and `connect()` may be called
/// again (unacknowledged QoS 1/2 messages are kept and resent).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A deadline passed. Fatal for every phase but [`TimeoutPhase::Ack`],
    /// after which the connection is still usable and the message is still
    /// in flight. Retry later, or raise the configured timeout.
    #[error("timed out: {0}")]
    Timeout(TimeoutPhase),

    /// The operating system reported an I/O error (connection refused or
    /// reset, host unreachable...). Fatal. Retry with backoff.
    #[error("I/O error while {context}: {source}")]
    Io {
        /// What the client was doing.
        context: &'static str,
        /// The underlying error.
        #[source]
        source: io::Error,
    },

    /// TLS failed; `reason` names the cause (for example "unknown CA", "certificate
    /// not valid for name", "peer asked for a client certificate"). Fatal.
    /// Fix the CA / certificate configuration; retrying will not help.
    #[error("TLS error: {reason}")]
    Tls {
        /// A readable cause, e.g. "unknown CA: the server certificate is not
        /// signed by a trusted root".
        reason: String,
    },

    /// The HTTP upgrade to WebSocket failed. `status` is the HTTP status when
    /// the server answered with one (401/403 from a cloud usually mean a bad
    /// signature or policy; 404 a wrong path); `body` holds the start of the
    /// response body. Fatal.
    #[error("WebSocket handshake failed: {reason}{}{}", .status.map(|s| format!(" (HTTP {s})")).unwrap_or_default(), if .body.is_empty() { String::new() } else { format!(": {}", .body) })]
    Handshake {
        /// The HTTP status code, if the server sent a response.
        status: Option<u16>,
        /// What went wrong, e.g. "server did not select subprotocol mqtt".
        reason: String,
        /// The first bytes (at most 512) of the response body, lossily decoded.
        body: String,
    },

    /// The broker answered CONNECT with a refusal. Fatal. Check credentials
    /// (code 4 and 5 on cloud platforms mean a wrong signature or policy).
    /// Under MQTT 5 the broker may say why (`reason`) and name another
    /// server to use (`server_reference`; the client does not follow it).
    #[error("connection refused by the broker: {code}{}{}", .reason.as_ref().map(|r| format!(": {r}")).unwrap_or_default(), .server_reference.as_ref().map(|s| format!(" (use server {s})")).unwrap_or_default())]
    ConnectionRefused {
        /// The return (reason) code.
        code: ConnectReturnCode,
        /// The broker's reason string (MQTT 5).
        reason: Option<String>,
        /// Another server to use (MQTT 5 redirection).
        server_reference: Option<String>,
    },

    /// The broker broke MQTT or WebSocket rules (malformed packet, text frame,
    /// oversize packet, unexpected packet). Fatal. Report it; retrying may help.
    #[error("protocol violation by the server: {0}")]
    Protocol(String),

    /// The caller passed something invalid (topic with a wildcard in a
    /// publish, QoS 3, an URL that is not ws:// or wss://, a keepalive out of
    /// a platform's range...). Nothing was sent. Fix the call.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),

    /// The connection is not open (never connected, disconnected, or closed by
    /// the broker). Call `connect()` again.
    #[error("connection closed: {0}")]
    Closed(String),

    /// [`InterruptHandle::interrupt`](crate::InterruptHandle::interrupt) woke
    /// the call. Not fatal: the connection is unchanged.
    #[error("interrupted")]
    Interrupted,

    /// The HTTP or SOCKS5 proxy refused or failed the tunnel (for example
    /// 407 Proxy Authentication Required, or SOCKS5 "connection refused").
    /// Fatal. Check the proxy address and credentials.
    #[error("proxy error: {reason}{}", .status.map(|s| format!(" (HTTP {s})")).unwrap_or_default())]
    Proxy {
        /// What went wrong, e.g. "the proxy requires authentication".
        reason: String,
        /// The HTTP status of an HTTP proxy's refusal.
        status: Option<u16>,
    },

    /// The offline queue is full and its policy is to refuse new messages.
    /// Not fatal; nothing was queued. Retry later or raise the bounds.
    #[error("the offline queue is full: {0}")]
    QueueFull(String),

    /// Credentials could not be built (PSK not valid base64, key of the wrong
    /// type, unreadable key file...). Nothing was sent. Fix the credentials.
    #[error("credentials error: {0}")]
    Auth(String),

    /// The broker refused one operation with an MQTT 5 reason code: a
    /// PUBLISH (PUBACK or PUBREC 0x80 and up: not authorized, quota
    /// exceeded, payload format invalid...). Not fatal: the connection stays
    /// up and the message is done (it is not sent again).
    #[error("the broker refused the {what}: {} (reason code {code:#04x}){}", crate::properties::reason_code_name(*.code), .reason.as_ref().map(|r| format!(": {r}")).unwrap_or_default())]
    Rejected {
        /// What was refused (`"PUBLISH"`).
        what: &'static str,
        /// The reason code.
        code: u8,
        /// The broker's reason string, if any.
        reason: Option<String>,
    },
}

impl Error {
    /// The flat classification of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Timeout(_) => ErrorKind::Timeout,
            Self::Io { .. } => ErrorKind::Io,
            Self::Tls { .. } => ErrorKind::Tls,
            Self::Handshake { .. } => ErrorKind::Handshake,
            Self::ConnectionRefused { .. } => ErrorKind::ConnectionRefused,
            Self::Protocol(_) => ErrorKind::Protocol,
            Self::InvalidArgument(_) => ErrorKind::InvalidArgument,
            Self::Closed(_) => ErrorKind::Closed,
            Self::Interrupted => ErrorKind::Interrupted,
            Self::Auth(_) => ErrorKind::Auth,
            Self::Proxy { .. } => ErrorKind::Proxy,
            Self::QueueFull(_) => ErrorKind::QueueFull,
            Self::Rejected { .. } => ErrorKind::Rejected,
        }
    }

    /// Whether the connection is gone after this error.
    pub fn is_fatal(&self) -> bool {
        !matches!(
            self,
            Self::Timeout(TimeoutPhase::Ack)
                | Self::InvalidArgument(_)
                | Self::Interrupted
                | Self::Auth(_)
                | Self::QueueFull(_)
                | Self::Rejected { .. }
        )
    }

    pub(crate) fn invalid(msg: impl Into<String>) -> Self {
        Self::InvalidArgument(msg.into())
    }

    pub(crate) fn protocol(msg: impl Into<String>) -> Self {
        Self::Protocol(msg.into())
    }

    #[cfg(feature = "native")]
    pub(crate) fn io(context: &'static str, source: io::Error) -> Self {
        Self::Io { context, source }
    }
}
