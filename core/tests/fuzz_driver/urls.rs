//! Targets `ws_url` and `proxy_url`: [`WsUrl::parse`] and
//! [`ProxyConfig::parse`] on arbitrary text (the input, lossily decoded).
//!
//! Properties of a `ws://` / `wss://` URL that parses:
//!
//! * it round-trips: the URL written back from its scheme, `Host` header
//!   value and path parses to the same host, port and path;
//! * the path and query are the input's, byte for byte (a `/` is only put
//!   in front of a bare query or in place of no path);
//! * the host header holds no space or control character, the path no
//!   ASCII one (they go into the request as written);
//! * [`WsUrl::redacted`] is the URL with the query replaced by `?...`.
//!
//! A URL that does not parse is an invalid-argument error whose message
//! never shows the query (it may be a presigned signature).
//!
//! Properties of a proxy URL that parses: a host and a port from 1 to 65535;
//! `Debug` does not depend on the password; it round-trips through a URL
//! with the user percent-encoded. An error never shows the user info.

use std::fmt::Write as _;

use mqttws::{ErrorKind, ProxyConfig, ProxyKind, WsUrl};

/// `ws_url`: the input is the URL.
pub fn run_ws_url(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let url = match WsUrl::parse(&text) {
        Ok(url) => url,
        Err(e) => {
            let (before, query) = text.split_once('?').unwrap_or((&*text, ""));
            assert_invalid_and_hidden(&e, "query", query, before);
            return;
        }
    };
    let host_header = url.host_header();
    let path = url.path_and_query.as_str();
    assert!(!url.host.is_empty() && url.port != 0, "{url:?}");
    // What would break the request line or a header: the host is held to
    // any Unicode space or control, the path (sent byte for byte, UTF-8
    // included) to ASCII ones.
    assert!(
        !host_header
            .chars()
            .any(|c| c.is_control() || c.is_whitespace()),
        "the host header {host_header:?} of {text:?} would go into the request as is"
    );
    assert!(
        !path.bytes().any(|b| b <= b' ' || b == 0x7f),
        "the path {path:?} of {text:?} would go into the request as is"
    );
    let exact = text.ends_with(path)
        || (path.starts_with("/?") && text.ends_with(&path[1..]))
        || path == "/";
    assert!(exact, "{text:?} became the path {path:?}");

    let scheme = if url.secure { "wss" } else { "ws" };
    let written = format!("{scheme}://{host_header}{path}");
    match WsUrl::parse(&written) {
        Ok(again) => assert_eq!(
            again, url,
            "{text:?} does not round-trip through {written:?}"
        ),
        Err(e) => panic!("{text:?} parsed as {url:?}, but {written:?} does not: {e}"),
    }

    // The query, which may carry a signature, becomes "?...".
    let expected = match path.split_once('?') {
        Some((before, _)) => format!("{scheme}://{host_header}{before}?..."),
        None => written,
    };
    assert_eq!(url.redacted(), expected);
}

/// `proxy_url`: the input is the proxy URL.
pub fn run_proxy_url(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let proxy = match ProxyConfig::parse(&text) {
        Ok(proxy) => proxy,
        Err(e) => {
            // The user info: after "://", up to the last '@'.
            let (scheme, after_scheme) = text.split_once("://").unwrap_or(("", &*text));
            let userinfo = after_scheme.rsplit_once('@').map_or("", |(u, _)| u);
            assert_invalid_and_hidden(&e, "user info", userinfo, scheme);
            return;
        }
    };
    assert!(!proxy.host().is_empty() && proxy.port() != 0, "{proxy:?}");

    // Debug never shows the password: it is the same with another one.
    if let Some(user) = proxy.username() {
        let other = proxy.clone().credentials(user, "another password");
        assert_eq!(
            format!("{proxy:?}"),
            format!("{other:?}"),
            "Debug shows the password"
        );
    }

    let scheme = match proxy.kind() {
        ProxyKind::Http => "http",
        ProxyKind::Socks5 => "socks5",
        other => panic!("unknown proxy kind {other:?}"),
    };
    let host = if proxy.host().contains(':') {
        format!("[{}]", proxy.host())
    } else {
        proxy.host().to_owned()
    };
    let userinfo = proxy
        .username()
        .map(|u| format!("{}@", percent_encode(u)))
        .unwrap_or_default();
    let written = format!("{scheme}://{userinfo}{host}:{}", proxy.port());
    // Written without the password, so that one is parsed as empty.
    let expected = match proxy.username() {
        Some(user) => proxy.clone().credentials(user, ""),
        None => proxy.clone(),
    };
    match ProxyConfig::parse(&written) {
        Ok(again) => assert_eq!(
            again, expected,
            "{text:?} does not round-trip through {written:?}"
        ),
        Err(e) => panic!("{text:?} parsed as {proxy:?}, but {written:?} does not: {e}"),
    }
}

/// `e` is an invalid-argument error that does not show `secret`, the part
/// of the input that may hold one, unless the message may quote it from
/// `quotable` (the part before it; quoted as is, lower-cased, or escaped by
/// `{:?}`, whose `\0` and `\n` end in a letter or digit). Checked for runs
/// of 8 or more ASCII alphanumerics, which nothing else in a message forms.
fn assert_invalid_and_hidden(e: &mqttws::Error, what: &str, secret: &str, quotable: &str) {
    assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{e:?}");
    let quoted = [
        quotable.to_owned(),
        quotable.to_ascii_lowercase(),
        format!("{quotable:?}"),
        format!("{:?}", quotable.to_ascii_lowercase()),
    ];
    if secret.len() >= 8
        && secret.chars().all(|c| c.is_ascii_alphanumeric())
        && !quoted.iter().any(|q| q.contains(secret))
    {
        assert!(!e.to_string().contains(secret), "{e} shows the {what}");
    }
}

/// Every byte as `%XX`.
fn percent_encode(s: &str) -> String {
    s.bytes().fold(String::new(), |mut out, b| {
        let _ = write!(out, "%{b:02X}");
        out
    })
}
