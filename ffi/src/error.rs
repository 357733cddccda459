//! Result codes, their static texts, and detailed error messages.
//!
//! Three layers, from cheapest to richest:
//!
//! 1. [`mqttws_result`]: the code every fallible function returns. The
//!    numbers are stable: a code is never renumbered or reused; a retired
//!    one stays here as a comment ("Reserved, was ...").
//! 2. [`mqttws_result_str`]: a static English text per code.
//! 3. The detailed message of one failure: per client
//!    (`mqttws_client_last_error`), or as an owned [`mqttws_error`] that
//!    constructors hand out through an optional `err_out` parameter. There is
//!    no thread-local "last error": a Go goroutine may run two consecutive
//!    cgo calls on different OS threads.

use std::ffi::{CString, c_char};
use std::fmt;
use std::sync::OnceLock;

use mqttws_core::properties::reason_code_name;
use mqttws_core::{Error, ErrorKind, TimeoutPhase};

use crate::ffi::{Castable, OwnershipBox, free_box, obj, to_boxed_mut_ptr};
use crate::slice::copy_text;

/// The result of a fallible call. `MQTTWS_OK` (0) is success; every other
/// value is a failure whose number never changes between releases.
///
/// Ranges: 1-99 misuse of the API and generic conditions; 100-199 network
/// I/O, proxies and deadlines; 200-299 TLS; 300-399 the WebSocket (HTTP upgrade)
/// handshake; 400-499 MQTT (protocol errors, CONNACK refusals, closed
/// connection, subscription refusals, the offline queue); 500-599
/// credentials.
///
/// In C the type is a `uint32_t`; compare it with the constants.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum mqttws_result {
    /// Success.
    MQTTWS_OK = 0,
    /// A bug: the library panicked. The object used in the call may be
    /// unusable; free it. Please report it.
    MQTTWS_PANIC = 1,
    /// A required pointer parameter was NULL.
    MQTTWS_NULL_PARAMETER = 2,
    /// A parameter could not be used as given: text that is not UTF-8 or
    /// contains NUL, a QoS above 2, a length or index out of range, a zero
    /// timeout, an unknown constant.
    MQTTWS_INVALID_PARAMETER = 3,
    /// The output buffer is too small; `*out_n` holds the size needed
    /// (including the terminating NUL).
    MQTTWS_INSUFFICIENT_SIZE = 4,
    /// Not allowed from inside this client's message callback
    /// (`mqttws_client_free`).
    MQTTWS_REENTRANT = 5,
    /// `mqttws_client_free` was called while a call of another thread on
    /// the client was still in progress; nothing was freed. Retry once the
    /// other calls have returned.
    MQTTWS_BUSY = 6,
    /// `mqttws_client_interrupt` woke the call. The connection is unchanged.
    MQTTWS_INTERRUPTED = 7,
    /// The library refused a value: a wildcard in a publish topic, a
    /// malformed topic filter, an URL that is not ws:// or wss://, a
    /// keepalive outside the platform's range, connect while connected...
    /// Nothing was sent. The detailed message says which.
    MQTTWS_INVALID_ARGUMENT = 8,
    /// An error this version of the library does not classify further; see
    /// the detailed message.
    MQTTWS_UNKNOWN = 99,
    /// The operating system reported an I/O error (connection refused or
    /// reset, host unreachable, DNS failure). The connection is closed.
    MQTTWS_IO = 100,
    /// A deadline passed while connecting (DNS, TCP, TLS, upgrade, CONNACK),
    /// writing, waiting for PINGRESP or closing. The connection is closed.
    MQTTWS_TIMEOUT = 101,
    /// An acknowledgement (PUBACK, PUBCOMP, SUBACK, UNSUBACK) did not arrive
    /// in time. Not fatal: the connection is still open and a QoS 1/2
    /// message stays in flight.
    MQTTWS_ACK_TIMEOUT = 102,
    /// The HTTP or SOCKS5 proxy refused or failed the tunnel (e.g. HTTP 407:
    /// see `mqttws_client_last_http_status`). The connection is closed.
    MQTTWS_PROXY = 110,
    /// TLS failed (unknown CA, name mismatch, client certificate refused,
    /// unreadable CA or key file...). The connection is closed.
    MQTTWS_TLS = 200,
    /// The WebSocket upgrade failed; `mqttws_client_last_http_status` gives
    /// the HTTP status if the server sent one (401/403: signature or policy;
    /// 404: wrong path). The connection is closed.
    MQTTWS_HANDSHAKE = 300,
    /// The server broke the MQTT or WebSocket rules (malformed or oversized
    /// packet, text frame...). The connection is closed.
    MQTTWS_PROTOCOL = 400,
    /// CONNACK return code 1: the broker does not speak MQTT 3.1.1.
    MQTTWS_CONNACK_UNACCEPTABLE_PROTOCOL_VERSION = 401,
    /// CONNACK return code 2: the client identifier is not allowed.
    MQTTWS_CONNACK_IDENTIFIER_REJECTED = 402,
    /// CONNACK return code 3: the MQTT service is unavailable.
    MQTTWS_CONNACK_SERVER_UNAVAILABLE = 403,
    /// CONNACK return code 4: bad user name or password (on cloud platforms:
    /// the signature did not verify).
    MQTTWS_CONNACK_BAD_USERNAME_OR_PASSWORD = 404,
    /// CONNACK return code 5: the client is not authorised to connect.
    MQTTWS_CONNACK_NOT_AUTHORIZED = 405,
    /// MQTT 5: CONNACK refused the connection with a reason code that has no
    /// 3.1.1 counterpart (0x97 quota exceeded, 0x9C use another server, 0x9F
    /// connection rate exceeded...); `mqttws_client_last_connack_code` holds
    /// it. (Reason codes with a counterpart, such as 0x86 bad user name or
    /// password, give the codes 401 to 405.)
    MQTTWS_CONNACK_REFUSED = 406,
    /// The connection is not open: never connected, disconnected, or closed
    /// by the broker. Call `mqttws_client_connect` again.
    MQTTWS_CLOSED = 410,
    /// The broker refused the subscription (SUBACK return code 0x80).
    MQTTWS_SUBSCRIBE_REFUSED = 420,
    /// The offline queue is full and refuses new messages (or dropped the
    /// message waited for). Not fatal; nothing was queued.
    MQTTWS_QUEUE_FULL = 430,
    /// MQTT 5: the broker refused the message (PUBACK or PUBREC with a
    /// reason code of 0x80 or more: not authorized, quota exceeded, payload
    /// format invalid...); `mqttws_client_last_connack_code` holds the
    /// reason code. Not fatal: the connection stays open, and the message
    /// is done (it is not sent again).
    MQTTWS_REJECTED = 440,
    /// Credentials could not be built: a key that is not base64, an
    /// unreadable or unusable private key, an empty secret. Nothing was sent.
    MQTTWS_AUTH = 500,
}

impl mqttws_result {
    /// Every code, for `mqttws_result_str` and for the tests. The lists of
    /// the other faces (Go constants and sentinels, Python exceptions, the C
    /// tests' list) are checked against it by `error_lists`; this list
    /// itself is checked against the generated header's enum.
    pub(crate) const ALL: [mqttws_result; 28] = [
        Self::MQTTWS_OK,
        Self::MQTTWS_PANIC,
        Self::MQTTWS_NULL_PARAMETER,
        Self::MQTTWS_INVALID_PARAMETER,
        Self::MQTTWS_INSUFFICIENT_SIZE,
        Self::MQTTWS_REENTRANT,
        Self::MQTTWS_BUSY,
        Self::MQTTWS_INTERRUPTED,
        Self::MQTTWS_INVALID_ARGUMENT,
        Self::MQTTWS_UNKNOWN,
        Self::MQTTWS_IO,
        Self::MQTTWS_TIMEOUT,
        Self::MQTTWS_ACK_TIMEOUT,
        Self::MQTTWS_PROXY,
        Self::MQTTWS_TLS,
        Self::MQTTWS_HANDSHAKE,
        Self::MQTTWS_PROTOCOL,
        Self::MQTTWS_CONNACK_UNACCEPTABLE_PROTOCOL_VERSION,
        Self::MQTTWS_CONNACK_IDENTIFIER_REJECTED,
        Self::MQTTWS_CONNACK_SERVER_UNAVAILABLE,
        Self::MQTTWS_CONNACK_BAD_USERNAME_OR_PASSWORD,
        Self::MQTTWS_CONNACK_NOT_AUTHORIZED,
        Self::MQTTWS_CONNACK_REFUSED,
        Self::MQTTWS_CLOSED,
        Self::MQTTWS_SUBSCRIBE_REFUSED,
        Self::MQTTWS_QUEUE_FULL,
        Self::MQTTWS_REJECTED,
        Self::MQTTWS_AUTH,
    ];

    /// The static text of this code, NUL-terminated.
    pub(crate) fn text(self) -> &'static str {
        use mqttws_result::*;
        match self {
            MQTTWS_OK => "success\0",
            MQTTWS_PANIC => "internal error: the library panicked (a bug; please report it)\0",
            MQTTWS_NULL_PARAMETER => "a required pointer parameter was NULL\0",
            MQTTWS_INVALID_PARAMETER => {
                "invalid parameter (text not UTF-8 or with NUL, QoS above 2, value out of range)\0"
            }
            MQTTWS_INSUFFICIENT_SIZE => "output buffer too small; out_n holds the size needed\0",
            MQTTWS_REENTRANT => "not allowed from inside this client's message callback\0",
            MQTTWS_BUSY => "the client is still in use by a call on another thread\0",
            MQTTWS_INTERRUPTED => "interrupted by mqttws_client_interrupt\0",
            MQTTWS_INVALID_ARGUMENT => {
                "invalid argument refused by the library; nothing was sent\0"
            }
            MQTTWS_UNKNOWN => "unclassified error\0",
            MQTTWS_IO => "network I/O error\0",
            MQTTWS_TIMEOUT => "timed out\0",
            MQTTWS_ACK_TIMEOUT => "timed out waiting for an acknowledgement (still in flight)\0",
            MQTTWS_PROXY => "proxy error\0",
            MQTTWS_TLS => "TLS error\0",
            MQTTWS_HANDSHAKE => "WebSocket handshake failed\0",
            MQTTWS_PROTOCOL => "protocol violation by the server\0",
            MQTTWS_CONNACK_UNACCEPTABLE_PROTOCOL_VERSION => {
                "connection refused: unacceptable protocol version\0"
            }
            MQTTWS_CONNACK_IDENTIFIER_REJECTED => "connection refused: identifier rejected\0",
            MQTTWS_CONNACK_SERVER_UNAVAILABLE => "connection refused: server unavailable\0",
            MQTTWS_CONNACK_BAD_USERNAME_OR_PASSWORD => {
                "connection refused: bad user name or password\0"
            }
            MQTTWS_CONNACK_NOT_AUTHORIZED => "connection refused: not authorized\0",
            MQTTWS_CONNACK_REFUSED => "connection refused with an MQTT 5 reason code\0",
            MQTTWS_CLOSED => "connection closed\0",
            MQTTWS_SUBSCRIBE_REFUSED => "subscription refused by the broker\0",
            MQTTWS_QUEUE_FULL => "the offline queue is full\0",
            MQTTWS_REJECTED => "the broker refused the message (MQTT 5 reason code)\0",
            MQTTWS_AUTH => "credentials error\0",
        }
    }

    fn from_code(code: u32) -> Option<Self> {
        Self::ALL.into_iter().find(|r| *r as u32 == code)
    }
}

impl fmt::Display for mqttws_result {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.text().trim_end_matches('\0'))
    }
}

/// The static English text of a result code, e.g. "connection closed".
///
/// Never NULL: an unknown code gives "unknown mqttws_result code". The string
/// is static (do not free it), NUL-terminated. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn mqttws_result_str(result: u32) -> *const c_char {
    ffi_panic_boundary! {
        match mqttws_result::from_code(result) {
            Some(r) => r.text().as_ptr().cast(),
            None => c"unknown mqttws_result code".as_ptr(),
        }
    }
}

/// The name of an MQTT reason code (a SUBACK, UNSUBACK, PUBACK, CONNACK or
/// DISCONNECT code; MQTT 5 section 2.4), e.g. "not authorized" for 0x87,
/// "no subscription existed" for 0x11, "granted QoS 1" for 0x01; "unknown
/// reason code" for a value MQTT 5 does not define.
///
/// Never NULL; the string is static (do not free it), NUL-terminated.
/// Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn mqttws_reason_code_str(code: u8) -> *const c_char {
    ffi_panic_boundary! {
        static NAMES: OnceLock<Vec<CString>> = OnceLock::new();
        let names = NAMES.get_or_init(|| {
            (0..=u8::MAX).map(|c| CString::new(reason_code_name(c)).unwrap_or_default()).collect()
        });
        names.get(usize::from(code)).map_or(c"unknown reason code".as_ptr(), |s| s.as_ptr())
    }
}

/// One failure: its code, its detailed message, and for handshake errors
/// and CONNACK refusals the HTTP status and the return code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Failure {
    pub(crate) code: mqttws_result,
    pub(crate) message: String,
    /// The HTTP status of a failed WebSocket upgrade, else 0.
    pub(crate) http_status: u16,
    /// The CONNACK return code (1 to 5) or MQTT 5 reason code of a refused
    /// connection, the reason code of a refused message, else 0.
    pub(crate) connack: u8,
    /// MQTT 5: the broker's reason string of a refusal (CONNACK, PUBACK or
    /// PUBREC), if it sent one.
    pub(crate) reason: Option<String>,
    /// MQTT 5: the server a refused CONNECT was redirected to, if named.
    pub(crate) server_reference: Option<String>,
}

impl Failure {
    pub(crate) fn new(code: mqttws_result, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            http_status: 0,
            connack: 0,
            reason: None,
            server_reference: None,
        }
    }

    /// A NULL pointer where `param` was required.
    pub(crate) fn null(param: &str) -> Self {
        Self::new(
            mqttws_result::MQTTWS_NULL_PARAMETER,
            format!("parameter `{param}` is NULL"),
        )
    }

    /// A parameter that could not be used; `why` completes "parameter `x` ...".
    pub(crate) fn invalid(param: &str, why: impl fmt::Display) -> Self {
        Self::new(
            mqttws_result::MQTTWS_INVALID_PARAMETER,
            format!("parameter `{param}` {why}"),
        )
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        use mqttws_result::*;
        let mut http_status = 0;
        let mut connack = 0;
        let (mut reason, mut server_reference) = (None, None);
        let code = match &e {
            Error::Timeout(TimeoutPhase::Ack) => MQTTWS_ACK_TIMEOUT,
            Error::Handshake { status, .. } => {
                http_status = status.unwrap_or(0);
                MQTTWS_HANDSHAKE
            }
            Error::Proxy { status, .. } => {
                http_status = status.unwrap_or(0);
                MQTTWS_PROXY
            }
            Error::ConnectionRefused {
                code: rc,
                reason: r,
                server_reference: s,
            } => {
                connack = rc.code();
                reason.clone_from(r);
                server_reference.clone_from(s);
                // An MQTT 5 reason code gets the code of its 3.1.1
                // counterpart, so that C code written for 3.1.1 keeps working.
                match rc.v311_equivalent() {
                    Some(1) => MQTTWS_CONNACK_UNACCEPTABLE_PROTOCOL_VERSION,
                    Some(2) => MQTTWS_CONNACK_IDENTIFIER_REJECTED,
                    Some(3) => MQTTWS_CONNACK_SERVER_UNAVAILABLE,
                    Some(4) => MQTTWS_CONNACK_BAD_USERNAME_OR_PASSWORD,
                    Some(5) => MQTTWS_CONNACK_NOT_AUTHORIZED,
                    _ => MQTTWS_CONNACK_REFUSED,
                }
            }
            Error::Rejected {
                code, reason: r, ..
            } => {
                connack = *code;
                reason.clone_from(r);
                MQTTWS_REJECTED
            }
            other => code_of_kind(other.kind()),
        };
        Self {
            code,
            message: e.to_string(),
            http_status,
            connack,
            reason,
            server_reference,
        }
    }
}

/// The code of an error of `kind` that carries no more detail (a CONNACK
/// refusal and an acknowledgement timeout have codes of their own).
/// `MQTTWS_UNKNOWN` only for a kind this version does not know, which the
/// tests of `error_lists` rule out for every kind of `ErrorKind::ALL`.
pub(crate) fn code_of_kind(kind: ErrorKind) -> mqttws_result {
    use mqttws_result::*;
    match kind {
        ErrorKind::Timeout => MQTTWS_TIMEOUT,
        ErrorKind::Io => MQTTWS_IO,
        ErrorKind::Tls => MQTTWS_TLS,
        ErrorKind::Handshake => MQTTWS_HANDSHAKE,
        ErrorKind::ConnectionRefused | ErrorKind::Protocol => MQTTWS_PROTOCOL,
        ErrorKind::InvalidArgument => MQTTWS_INVALID_ARGUMENT,
        ErrorKind::Closed => MQTTWS_CLOSED,
        ErrorKind::Interrupted => MQTTWS_INTERRUPTED,
        ErrorKind::Auth => MQTTWS_AUTH,
        ErrorKind::Proxy => MQTTWS_PROXY,
        ErrorKind::QueueFull => MQTTWS_QUEUE_FULL,
        ErrorKind::Rejected => MQTTWS_REJECTED,
        _ => MQTTWS_UNKNOWN,
    }
}

/// Turns the outcome of an export's body into its return code.
pub(crate) fn code_of(r: Result<(), Failure>) -> mqttws_result {
    match r {
        Ok(()) => mqttws_result::MQTTWS_OK,
        Err(f) => f.code,
    }
}

/// The detailed description of one failure, handed out by constructors and
/// other fallible functions that are not tied to a client, through an
/// optional `mqttws_error **err_out` last parameter.
///
/// Ownership: the caller owns it and frees it with `mqttws_error_free`.
/// Threading: immutable; its functions may be called from any thread.
pub struct mqttws_error {
    _private: [u8; 0],
}

impl Castable for mqttws_error {
    type Ownership = OwnershipBox;
    type RustType = Failure;
}

/// Hands `failure` to the caller through the optional `err_out`, and returns
/// its code.
///
/// # Safety
///
/// `err_out` is NULL or valid for writing one pointer.
pub(crate) unsafe fn report(failure: Failure, err_out: *mut *mut mqttws_error) -> mqttws_result {
    let code = failure.code;
    if !err_out.is_null() {
        // SAFETY: non-NULL, and the caller guarantees it is writable.
        unsafe { err_out.write(to_boxed_mut_ptr::<mqttws_error>(failure)) };
    }
    code
}

/// The code of an error object.
///
/// NULL: returns `MQTTWS_NULL_PARAMETER`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_error_code(error: *const mqttws_error) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: NULL or a live mqttws_error (header contract).
        match unsafe { obj(error, "error") } {
            Ok(f) => f.code,
            Err(f) => f.code,
        }
    }
}

/// Copies the detailed message of an error object into `buf` (UTF-8, with a
/// terminating NUL) and its length without the NUL into `*out_n`.
///
/// If `len` is smaller than the message plus its NUL, nothing is copied,
/// `*out_n` receives the size needed and the result is
/// `MQTTWS_INSUFFICIENT_SIZE` (so `buf` = NULL with `len` = 0 asks for the
/// size). NULL `error` or `out_n`, or NULL `buf` with `len` > 0:
/// `MQTTWS_NULL_PARAMETER`. `buf` and `out_n` are borrowed for the call.
/// Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_error_message(
    error: *const mqttws_error,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: NULL or a live mqttws_error (header contract).
        let f = match unsafe { obj(error, "error") } {
            Ok(f) => f,
            Err(f) => return f.code,
        };
        // SAFETY: the caller guarantees buf/len/out_n as documented.
        unsafe { copy_text(&f.message, buf, len, out_n) }
    }
}

/// Frees an error object. NULL is a no-op. Must not be called twice, nor
/// while another thread reads it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_error_free(error: *mut mqttws_error) {
    ffi_panic_boundary! {
        // SAFETY: NULL or a pointer this library returned through err_out.
        unsafe { free_box(error) }
    }
}

#[cfg(test)]
// The tests pass pointers to live local buffers or NULL on purpose.
#[allow(clippy::undocumented_unsafe_blocks)]
mod tests {
    use super::*;
    use mqttws_core::ConnectReturnCode;
    use std::ffi::CStr;

    #[test]
    fn every_code_has_a_distinct_number_and_a_nul_terminated_text() {
        let mut seen = std::collections::HashSet::new();
        for r in &mqttws_result::ALL {
            assert!(seen.insert(*r as u32), "{r:?} twice");
            assert!(r.text().ends_with('\0'));
            let s = unsafe { CStr::from_ptr(mqttws_result_str(*r as u32)) };
            assert_eq!(s.to_str().unwrap(), r.to_string());
        }
        let s = unsafe { CStr::from_ptr(mqttws_result_str(12345)) };
        assert_eq!(s.to_str().unwrap(), "unknown mqttws_result code");
    }

    #[test]
    fn reason_codes_have_the_core_names() {
        let name = |c| {
            unsafe { CStr::from_ptr(mqttws_reason_code_str(c)) }
                .to_str()
                .unwrap()
        };
        assert_eq!(name(0x87), "not authorized");
        assert_eq!(name(0x11), "no subscription existed");
        assert_eq!(name(0x03), "unknown reason code");
    }

    #[test]
    fn numbers_are_stable() {
        use mqttws_result::*;
        let table = [
            (MQTTWS_OK, 0),
            (MQTTWS_PANIC, 1),
            (MQTTWS_NULL_PARAMETER, 2),
            (MQTTWS_INVALID_PARAMETER, 3),
            (MQTTWS_INSUFFICIENT_SIZE, 4),
            (MQTTWS_REENTRANT, 5),
            (MQTTWS_BUSY, 6),
            (MQTTWS_INTERRUPTED, 7),
            (MQTTWS_INVALID_ARGUMENT, 8),
            (MQTTWS_UNKNOWN, 99),
            (MQTTWS_IO, 100),
            (MQTTWS_TIMEOUT, 101),
            (MQTTWS_ACK_TIMEOUT, 102),
            (MQTTWS_PROXY, 110),
            (MQTTWS_TLS, 200),
            (MQTTWS_HANDSHAKE, 300),
            (MQTTWS_PROTOCOL, 400),
            (MQTTWS_CONNACK_UNACCEPTABLE_PROTOCOL_VERSION, 401),
            (MQTTWS_CONNACK_IDENTIFIER_REJECTED, 402),
            (MQTTWS_CONNACK_SERVER_UNAVAILABLE, 403),
            (MQTTWS_CONNACK_BAD_USERNAME_OR_PASSWORD, 404),
            (MQTTWS_CONNACK_NOT_AUTHORIZED, 405),
            (MQTTWS_CLOSED, 410),
            (MQTTWS_SUBSCRIBE_REFUSED, 420),
            (MQTTWS_QUEUE_FULL, 430),
            (MQTTWS_AUTH, 500),
        ];
        for (r, n) in table {
            assert_eq!(r as u32, n, "{r:?}");
        }
    }

    #[test]
    fn core_errors_map_to_their_codes_with_status_and_connack() {
        let f = Failure::from(Error::Handshake {
            status: Some(403),
            reason: "x".into(),
            body: String::new(),
        });
        assert_eq!(
            (f.code, f.http_status, f.connack),
            (mqttws_result::MQTTWS_HANDSHAKE, 403, 0)
        );
        let f = Failure::from(Error::ConnectionRefused {
            code: ConnectReturnCode::NotAuthorized,
            reason: None,
            server_reference: None,
        });
        assert_eq!(
            (f.code, f.http_status, f.connack),
            (mqttws_result::MQTTWS_CONNACK_NOT_AUTHORIZED, 0, 5)
        );
        // MQTT 5: a reason code with a 3.1.1 counterpart keeps that code,
        // one without gets MQTTWS_CONNACK_REFUSED; the wire value is kept.
        let refused = |code| {
            Failure::from(Error::ConnectionRefused {
                code: ConnectReturnCode::Reason(code),
                reason: None,
                server_reference: None,
            })
        };
        let f = refused(0x86);
        assert_eq!(
            (f.code, f.connack),
            (mqttws_result::MQTTWS_CONNACK_BAD_USERNAME_OR_PASSWORD, 0x86)
        );
        let f = refused(0x9C);
        assert_eq!(
            (f.code, f.connack),
            (mqttws_result::MQTTWS_CONNACK_REFUSED, 0x9C)
        );
        // The reason string and the redirection are kept apart from the
        // message too.
        let f = Failure::from(Error::ConnectionRefused {
            code: ConnectReturnCode::Reason(0x9D),
            reason: Some("moved".into()),
            server_reference: Some("other.example:443".into()),
        });
        assert_eq!(f.reason.as_deref(), Some("moved"));
        assert_eq!(f.server_reference.as_deref(), Some("other.example:443"));
        assert!(f.message.contains("moved") && f.message.contains("other.example:443"));
        let f = Failure::from(Error::Rejected {
            what: "PUBLISH",
            code: 0x87,
            reason: Some("no".into()),
        });
        assert_eq!((f.code, f.connack), (mqttws_result::MQTTWS_REJECTED, 0x87));
        assert_eq!(f.reason.as_deref(), Some("no"));
        assert_eq!(
            Failure::from(Error::Timeout(TimeoutPhase::Ack)).code,
            mqttws_result::MQTTWS_ACK_TIMEOUT
        );
        assert_eq!(
            Failure::from(Error::Timeout(TimeoutPhase::Tls)).code,
            mqttws_result::MQTTWS_TIMEOUT
        );
        assert_eq!(
            Failure::from(Error::Interrupted).code,
            mqttws_result::MQTTWS_INTERRUPTED
        );
        assert_eq!(
            Failure::from(Error::Closed("x".into())).code,
            mqttws_result::MQTTWS_CLOSED
        );
        assert_eq!(
            Failure::from(Error::InvalidArgument("x".into())).code,
            mqttws_result::MQTTWS_INVALID_ARGUMENT
        );
        assert_eq!(
            Failure::from(Error::Auth("x".into())).code,
            mqttws_result::MQTTWS_AUTH
        );
        let f = Failure::from(Error::Proxy {
            reason: "x".into(),
            status: Some(407),
        });
        assert_eq!((f.code, f.http_status), (mqttws_result::MQTTWS_PROXY, 407));
        assert_eq!(
            Failure::from(Error::QueueFull("x".into())).code,
            mqttws_result::MQTTWS_QUEUE_FULL
        );
    }
}
