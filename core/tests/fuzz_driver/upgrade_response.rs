//! Target `upgrade_response`: a server's answer to the WebSocket upgrade
//! request, arriving in pieces, read and checked as a connection does.
//!
//! Properties:
//!
//! * the answer is accepted only when its status line says 101 and its head
//!   carries the `Sec-WebSocket-Accept` of the request's key; what follows
//!   the head is returned whole, unread bytes aside (the server's first
//!   frames must not be lost);
//! * no more than a 16 KiB head (plus one read) and a 512-byte refusal body
//!   are read, whatever the server sends;
//! * an error is a handshake, closed or timeout error, and it shows no value
//!   of the request's query or extra headers (presigned signatures, tokens)
//!   and no credential header value, wherever the server echoed them.
//!
//! Input layout: byte 0 picks the request (bit 0: its query is the input's
//! first line, up to `\n`, instead of a fixed AWS-style presigned query) and
//! seeds, with the next bytes, the sizes of the pieces; the rest is the
//! server's answer. A read fails with a timeout now and then (bit 1).

use mqttws::fuzzing::upgrade_response;
use mqttws::{Error, ErrorKind, TimeoutPhase, WsUrl};

use super::{Gen, assert_no_secret};

/// The key of RFC 6455 section 1.3, so that seeds can carry its answer.
const KEY: &str = "dGhlIHNhbXBsZSBub25jZQ==";

/// The `Sec-WebSocket-Accept` for [`KEY`], as RFC 6455 section 1.3 gives it
/// (an oracle independent of the client's own derivation).
const ACCEPT: &str = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

const PRESIGNED: &str = "X-Amz-Algorithm=AWS4-HMAC-SHA256\
    &X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fiotdevicegateway%2Faws4_request\
    &X-Amz-Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7\
    &X-Amz-Security-Token=IQoJb3JpZ2luX2VjEJr%2F%2F%2F%2FAQ%3D%3D";

/// Largest head, largest single read, largest refusal body kept
/// (`MAX_RESPONSE_HEAD`, `read_some`'s buffer and `MAX_ERROR_BODY` in
/// `transport/mod.rs`).
const MAX_HEAD: usize = 16 * 1024;
const MAX_READ: usize = 4096;
const MAX_BODY: usize = 512;

/// Runs one input. Panics only if a property breaks (or the code panics).
pub fn run(data: &[u8]) {
    let Some((&ctl, mut answer)) = data.split_first() else {
        return;
    };
    let mut g = Gen::new(data);
    let query = if ctl & 0x01 != 0 {
        let line_end = answer
            .iter()
            .position(|&b| b == b'\n')
            .unwrap_or(answer.len());
        let q = String::from_utf8_lossy(&answer[..line_end]).into_owned();
        answer = answer.get(line_end + 1..).unwrap_or_default();
        q
    } else {
        PRESIGNED.to_owned()
    };
    let Ok(url) = WsUrl::parse(&format!("wss://broker.example/mqtt?{query}")) else {
        return;
    };
    let headers = vec![
        (
            "Authorization".to_owned(),
            "Bearer custom-authorizer-token-123".to_owned(),
        ),
        (
            "x-amz-customauthorizer-name".to_owned(),
            "my-authorizer".to_owned(),
        ),
    ];

    let mut consumed = 0usize;
    let mut reads = 0usize;
    let result = upgrade_response(
        |buf| {
            reads += 1;
            assert!(
                reads <= answer.len() + 2,
                "read {reads} times at the end of the stream"
            );
            if ctl & 0x02 != 0 && g.below(16) == 0 {
                return Err(Error::Timeout(TimeoutPhase::WebSocketHandshake));
            }
            let n = g.piece(MAX_READ).min(answer.len() - consumed);
            buf.extend_from_slice(&answer[consumed..consumed + n]);
            consumed += n;
            Ok(n)
        },
        KEY,
        &url,
        &headers,
    );
    assert!(
        consumed <= MAX_HEAD + 2 * MAX_READ + MAX_BODY,
        "read {consumed} bytes of an upgrade response"
    );
    let head_end = answer[..consumed]
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|p| p + 4);
    match result {
        Ok(leftover) => {
            let head_end = head_end.expect("accepted without a complete head");
            let head = &answer[..head_end];
            // httparse skips empty lines before the status line.
            let line = head.trim_ascii_start();
            assert!(
                line.len() > 12
                    && line.starts_with(b"HTTP/1.")
                    && &line[8..12] == b" 101"
                    && matches!(line[12], b' ' | b'\r' | b'\n'),
                "accepted a head that is not a 101: {:?}",
                String::from_utf8_lossy(head)
            );
            let accept = ACCEPT;
            assert!(
                head.windows(accept.len()).any(|w| w == accept.as_bytes()),
                "accepted a head without our Sec-WebSocket-Accept: {:?}",
                String::from_utf8_lossy(head)
            );
            assert_eq!(
                leftover,
                &answer[head_end..consumed],
                "the bytes after the head were not all kept"
            );
        }
        Err(e) => {
            assert!(
                matches!(
                    e.kind(),
                    ErrorKind::Handshake | ErrorKind::Closed | ErrorKind::Timeout
                ),
                "unexpected error kind: {e:?}"
            );
            let mut secrets: Vec<&str> = Vec::new();
            for pair in query.split('&') {
                secrets.extend(pair.split_once('=').map(|(_, v)| v));
            }
            for (_, value) in &headers {
                secrets.push(value);
                secrets.extend(value.split_once(' ').map(|(_, token)| token));
            }
            let shown = e.to_string();
            assert_no_secret("the handshake error", &shown, secrets.iter().copied());
            if let Error::Handshake { reason, body, .. } = &e {
                assert_no_secret(
                    "the handshake error's reason",
                    reason,
                    secrets.iter().copied(),
                );
                assert_no_secret("the handshake error's body", body, secrets.iter().copied());
            }
        }
    }
}
