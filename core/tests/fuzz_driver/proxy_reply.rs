//! Targets `http_connect_reply` and `socks5_reply`: a proxy's answers to the
//! tunnel negotiation, arriving in pieces, read as a connection does.
//!
//! Properties, both protocols:
//!
//! * the tunnel opens only on a successful answer: a 2xx status line for
//!   HTTP CONNECT; for SOCKS5 an offered method, an accepted password and a
//!   reply code 0 with a known address type (checked against a plain
//!   reading of RFC 1928/1929 here);
//! * an open tunnel has consumed exactly the proxy's answer (up to the blank
//!   line; up to BND.PORT), not one byte of what follows, which belongs to
//!   TLS or the WebSocket upgrade;
//! * no more than a 16 KiB reply head (plus one 1 KiB peek) is read;
//! * a failure is a proxy error and never shows the proxy credentials as
//!   they were sent (the Basic token; the SOCKS5 password).
//!
//! Input layout: byte 0 picks the variant (bit 0: with credentials; for
//! SOCKS5, bits 1-2: the broker's host as a name, an IPv4 or an IPv6
//! literal), the rest is the proxy's answer, which arrives in pieces sized
//! by a generator seeded with the first bytes.

use mqttws::fuzzing::tunnel;
use mqttws::{ErrorKind, ProxyConfig};

use super::{Gen, assert_no_secret};

const USER: &str = "alice";
const PASSWORD: &str = "hunter2-proxy-secret";
/// base64("alice:hunter2-proxy-secret"), as `Proxy-Authorization: Basic` sends it.
const BASIC_TOKEN: &str = "YWxpY2U6aHVudGVyMi1wcm94eS1zZWNyZXQ=";
/// `MAX_REPLY_HEAD` and the peek buffer of `read_http_head` in `proxy.rs`.
const MAX_HEAD: usize = 16 * 1024;
const PEEK: usize = 1024;

/// HTTP CONNECT to `broker.example:443`.
pub fn run_http(data: &[u8]) {
    let Some((&ctl, answer)) = data.split_first() else {
        return;
    };
    let mut proxy = ProxyConfig::http("proxy.example", 3128);
    if ctl & 0x01 != 0 {
        proxy = proxy.credentials(USER, PASSWORD);
    }
    let pieces = Gen::new(data).split(answer, 4096);
    let run = tunnel(&proxy, "broker.example", 443, &pieces).expect("a valid request");

    let request = String::from_utf8(run.sent).expect("an ASCII request");
    assert!(
        request.starts_with("CONNECT broker.example:443 HTTP/1.1\r\n")
            && request.ends_with("\r\n\r\n"),
        "{request:?}"
    );
    assert_eq!(
        request.contains(&format!("Proxy-Authorization: Basic {BASIC_TOKEN}\r\n")),
        ctl & 0x01 != 0,
        "{request:?}"
    );
    assert!(
        run.consumed <= MAX_HEAD + PEEK,
        "read {} bytes of a reply head",
        run.consumed
    );
    let head_end = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|p| p + 4);
    match run.result {
        Ok(()) => {
            assert_eq!(
                Some(run.consumed),
                head_end,
                "the tunnel did not end at the blank line"
            );
            let line_end = answer.windows(2).position(|w| w == b"\r\n").unwrap_or(0);
            let status = answer[..line_end]
                .strip_prefix(b"HTTP/")
                .and_then(|rest| rest.splitn(3, |&b| b == b' ').nth(1));
            assert!(
                matches!(status, Some([b'2', d1, d2]) if d1.is_ascii_digit() && d2.is_ascii_digit()),
                "a tunnel opened on {:?}",
                String::from_utf8_lossy(&answer[..run.consumed])
            );
        }
        Err(e) => {
            assert_eq!(e.kind(), ErrorKind::Proxy, "{e:?}");
            // The credentials as sent; the proxy could decode and echo the
            // password, which redaction does not promise to catch.
            if ctl & 0x01 != 0 {
                assert_no_secret("the proxy error", &e.to_string(), [BASIC_TOKEN]);
            }
        }
    }
}

/// SOCKS5 to a name, an IPv4 or an IPv6 address, port 8883.
pub fn run_socks5(data: &[u8]) {
    let Some((&ctl, answer)) = data.split_first() else {
        return;
    };
    let with_password = ctl & 0x01 != 0;
    let mut proxy = ProxyConfig::socks5("proxy.example", 1080);
    if with_password {
        proxy = proxy.credentials(USER, PASSWORD);
    }
    let host = match (ctl >> 1) & 0x03 {
        0 | 3 => "broker.example",
        1 => "192.0.2.7",
        _ => "2001:db8::7",
    };
    let pieces = Gen::new(data).split(answer, 4096);
    let run = tunnel(&proxy, host, 8883, &pieces).expect("a valid request");

    let greeting: &[u8] = if with_password {
        &[5, 2, 0, 2]
    } else {
        &[5, 1, 0]
    };
    assert!(run.sent.starts_with(greeting), "greeting {:?}", run.sent);
    match (run.result, expected_socks5_reply(answer, with_password)) {
        (Ok(()), Some(len)) => assert_eq!(run.consumed, len, "the tunnel did not end at BND.PORT"),
        (Err(e), None) => {
            assert_eq!(e.kind(), ErrorKind::Proxy, "{e:?}");
            if with_password {
                assert_no_secret("the proxy error", &e.to_string(), [PASSWORD]);
            }
        }
        (Ok(()), None) => panic!("a tunnel opened on the SOCKS5 answer {answer:02x?}"),
        (Err(e), Some(_)) => panic!("the valid SOCKS5 answer {answer:02x?} failed: {e}"),
    }
}

/// The length of a successful SOCKS5 answer at the start of `a` (method
/// selection, the RFC 1929 status when a password was asked for, the
/// CONNECT reply), or `None` when it is not one or not complete.
fn expected_socks5_reply(a: &[u8], offered_password: bool) -> Option<usize> {
    let mut at = match a.get(..2)? {
        [5, 0] => 2,
        [5, 2] if offered_password => {
            // RFC 1929 says version 1; some servers answer 5: only the status counts.
            if *a.get(3)? != 0 {
                return None;
            }
            4
        }
        _ => return None,
    };
    let reply = a.get(at..at + 4)?;
    if reply[..2] != [5, 0] {
        return None;
    }
    at += 4;
    let address = match reply[3] {
        1 => 4,
        4 => 16,
        3 => 1 + usize::from(*a.get(at)?),
        _ => return None,
    };
    let end = at + address + 2;
    (end <= a.len()).then_some(end)
}
