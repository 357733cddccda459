//! `ws://` and `wss://` URLs, parsed without normalisation.
//!
//! Cloud signatures cover the path and query byte for byte (AWS SigV4
//! presigned URLs, Azure's `?iothub-no-client-cert=true`), so the path and
//! query are kept exactly as written: no percent-decoding or re-encoding, no
//! dot-segment removal. The `Host` header omits the port when it is the
//! scheme's default, because SigV4 and some reverse proxies reject
//! `Host: h:443`.

use crate::error::{Error, Result};

/// A parsed WebSocket URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WsUrl {
    /// `true` for `wss://`.
    pub secure: bool,
    /// Host name or IP address, without IPv6 brackets.
    pub host: String,
    /// The port to connect to (explicit, or 80 / 443).
    pub port: u16,
    /// Path and query exactly as written; `/` when the URL has none.
    pub path_and_query: String,
}

impl WsUrl {
    /// Parses `ws://host[:port][/path][?query]` or the `wss://` form.
    pub fn parse(url: &str) -> Result<Self> {
        let lower = url.get(..6).unwrap_or(url).to_ascii_lowercase();
        let (secure, rest) = if lower.starts_with("wss://") {
            (true, &url[6..])
        } else if lower.starts_with("ws://") {
            (false, &url[5..])
        } else {
            return Err(Error::invalid(format!(
                "URL {:?} must start with ws:// or wss://",
                redact_query(url)
            )));
        };
        if rest.contains('#') {
            return Err(Error::invalid(
                "URL must not contain a fragment (#...): it is never sent to the server",
            ));
        }
        let split = rest.find(['/', '?']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(split);
        if authority.contains('@') {
            return Err(Error::invalid(
                "URL must not contain user info (user:password@); set the username and password options instead",
            ));
        }
        check_host(authority)?;
        let (host, port) = split_host_port(authority)?;
        if host.is_empty() {
            return Err(Error::invalid("URL has no host"));
        }
        if tail.bytes().any(|b| b <= b' ' || b == 0x7f) {
            return Err(Error::invalid(
                "URL path must not contain spaces or control characters",
            ));
        }
        let path_and_query = if tail.is_empty() {
            "/".to_owned()
        } else if tail.starts_with('?') {
            format!("/{tail}")
        } else {
            tail.to_owned()
        };
        let default = if secure { 443 } else { 80 };
        Ok(Self {
            secure,
            host,
            port: port.unwrap_or(default),
            path_and_query,
        })
    }

    /// The scheme's default port: 80 for ws, 443 for wss.
    pub fn default_port(&self) -> u16 {
        if self.secure { 443 } else { 80 }
    }

    /// The value of the `Host` header: the host (IPv6 in brackets), plus
    /// `:port` only when the port is not the scheme's default.
    pub fn host_header(&self) -> String {
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        if self.port == self.default_port() {
            host
        } else {
            format!("{host}:{}", self.port)
        }
    }

    /// The URL with its query string replaced by `?...`, for messages and logs
    /// (presigned queries carry credentials).
    pub fn redacted(&self) -> String {
        let scheme = if self.secure { "wss" } else { "ws" };
        format!(
            "{scheme}://{}{}",
            self.host_header(),
            redact_query(&self.path_and_query)
        )
    }
}

/// Hides a query string, which may carry a signature or token.
pub(crate) fn redact_query(s: &str) -> String {
    match s.find('?') {
        Some(i) => format!("{}?...", &s[..i]),
        None => s.to_owned(),
    }
}

/// The host (and port) go into the `Host` header and, through a proxy, into
/// the proxy's request as written: spaces, control characters (CR, LF,
/// NUL...) and the characters RFC 3986 excludes from an authority would let
/// a URL inject headers or confuse the proxy.
fn check_host(authority: &str) -> Result<()> {
    if let Some(c) = authority
        .chars()
        .find(|&c| c.is_control() || c.is_whitespace() || "\"<>\\^`{|}".contains(c))
    {
        return Err(Error::invalid(format!(
            "URL host contains {c:?}, which a host name cannot contain"
        )));
    }
    Ok(())
}

fn split_host_port(authority: &str) -> Result<(String, Option<u16>)> {
    let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
        let end = rest
            .find(']')
            .ok_or_else(|| Error::invalid("URL has an unclosed IPv6 bracket"))?;
        let host = &rest[..end];
        let after = &rest[end + 1..];
        let port = match after.strip_prefix(':') {
            Some(p) => Some(p),
            None if after.is_empty() => None,
            None => return Err(Error::invalid("URL has junk after the IPv6 address")),
        };
        (host, port)
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    // Only an IPv6 address has colons, and then it is in brackets: anything
    // else would be written to the Host header in a form that reads back
    // differently.
    if host.contains(['[', ']']) || (!authority.starts_with('[') && host.contains(':')) {
        return Err(Error::invalid(
            "URL host has ':', '[' or ']' outside an IPv6 address in brackets (ws://[::1]:9001/)",
        ));
    }
    let port = match port {
        None => None,
        Some(p) => Some(p.parse::<u16>().ok().filter(|p| *p != 0).ok_or_else(|| {
            Error::invalid(format!("URL port {p:?} is not a number from 1 to 65535"))
        })?),
    };
    Ok((host.to_owned(), port))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_ports_are_omitted_from_the_host_header() {
        let u = WsUrl::parse("wss://example.com/mqtt").unwrap();
        assert_eq!(
            (u.secure, u.port, u.host_header().as_str()),
            (true, 443, "example.com")
        );
        let u = WsUrl::parse("wss://example.com:443/mqtt").unwrap();
        assert_eq!(u.host_header(), "example.com");
        let u = WsUrl::parse("ws://example.com:443/").unwrap();
        assert_eq!(u.host_header(), "example.com:443");
        let u = WsUrl::parse("ws://[::1]:8080").unwrap();
        assert_eq!(
            (
                u.host.as_str(),
                u.host_header().as_str(),
                u.path_and_query.as_str()
            ),
            ("::1", "[::1]:8080", "/")
        );
    }

    #[test]
    fn path_and_query_are_kept_byte_exact() {
        let q = "/mqtt?X-Amz-Credential=AKID%2F20150830%2Fus-east-1&X-Amz-Signature=ab%2Bcd";
        let u = WsUrl::parse(&format!("wss://h{q}")).unwrap();
        assert_eq!(u.path_and_query, q);
        let u = WsUrl::parse("wss://h/$iothub/websocket?iothub-no-client-cert=true").unwrap();
        assert_eq!(
            u.path_and_query,
            "/$iothub/websocket?iothub-no-client-cert=true"
        );
        assert_eq!(WsUrl::parse("ws://h?a=b").unwrap().path_and_query, "/?a=b");
        assert_eq!(
            WsUrl::parse("WS://h/./a/../b").unwrap().path_and_query,
            "/./a/../b"
        );
    }

    #[test]
    fn bad_urls_are_rejected_with_a_reason() {
        for (url, needle) in [
            ("http://h/", "ws:// or wss://"),
            ("ws://h:99999/", "port"),
            ("ws://h:0/", "port"),
            ("ws:///mqtt", "no host"),
            ("ws://u:p@h/", "user info"),
            ("ws://h/a b", "spaces"),
            ("ws://h/#frag", "fragment"),
            ("ws://[::1/", "bracket"),
            ("ws://h\r\nX-Injected: 1/", "host contains"),
            ("ws://h\n/", "host contains"),
            ("ws://h\0.example/", "host contains"),
            ("ws://h x/", "host contains"),
            ("ws://h\tx:80/", "host contains"),
            ("ws://[::1\r\n]/", "host contains"),
            ("ws://h\"x/", "host contains"),
            // Found by fuzzing: these parsed, and the Host header sent for
            // the first was "[\u{fffd}::1]]:8443".
            ("ws://\u{fffd}::1]:8443/mqtt", "brackets"),
            ("ws://a]:b:81/", "brackets"),
            ("ws://::1:9001/", "brackets"),
            ("ws://[a[b]/", "brackets"),
        ] {
            let e = WsUrl::parse(url).unwrap_err();
            assert!(e.to_string().contains(needle), "{url}: {e}");
        }
    }

    #[test]
    fn redaction_hides_the_query() {
        let u = WsUrl::parse("wss://h:8443/mqtt?X-Amz-Signature=secret").unwrap();
        assert_eq!(u.redacted(), "wss://h:8443/mqtt?...");
        assert!(
            !WsUrl::parse("ftp://x?sig=secret")
                .unwrap_err()
                .to_string()
                .contains("secret")
        );
    }
}
