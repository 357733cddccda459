//! Keeping secrets out of the HTTP text that goes into errors.
//!
//! A refused WebSocket upgrade (or a refusing proxy) answers with a status
//! text and a body, and both go into the error so that the caller sees why.
//! Gateways sometimes echo the request there, and the request of a cloud
//! connection carries secrets: AWS SigV4 presigned queries
//! (`X-Amz-Signature`, `X-Amz-Security-Token`), custom-authorizer tokens in
//! headers, proxy credentials. Before such text enters an error, every
//! value of the request's own query and headers is replaced, and so is any
//! query-parameter value (`?name=value`, `&name=value`) and any credential
//! header line, whoever's they are.

/// What replaces a secret.
const REDACTED: &str = "<redacted>";

/// Header names whose values are credentials wherever they appear.
const CREDENTIAL_HEADERS: [&str; 6] = [
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
    "x-amz-security-token",
    "x-amz-signature",
];

/// Removes the secrets of one request from text about its answer.
#[derive(Debug, Default)]
pub(crate) struct Redactor {
    /// Known secret strings, longest first (so a secret that contains
    /// another is replaced whole).
    secrets: Vec<String>,
}

impl Redactor {
    /// A redactor for a request with this path and query and these extra
    /// header values.
    pub(crate) fn new<'a>(
        path_and_query: &str,
        header_values: impl IntoIterator<Item = &'a str>,
    ) -> Self {
        let mut secrets: Vec<String> = Vec::new();
        let mut add = |s: &str| {
            // Very short values ("1", "true") are not secrets, and replacing
            // them would garble the text.
            if s.len() >= 6 && !secrets.iter().any(|k| k == s) {
                secrets.push(s.to_owned());
            }
        };
        if let Some((_, query)) = path_and_query.split_once('?') {
            for pair in query.split('&') {
                if let Some((_, value)) = pair.split_once('=') {
                    add(value);
                    add(&percent_decode(value));
                }
            }
        }
        for v in header_values {
            add(v.trim());
            // "Bearer <token>", "Basic <base64>": the token alone too.
            if let Some((_, token)) = v.trim().split_once(' ') {
                add(token.trim());
            }
        }
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        Self { secrets }
    }

    /// `text` with every known secret, query-parameter value and credential
    /// header value replaced by `<redacted>`.
    pub(crate) fn redact(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for s in &self.secrets {
            if out.contains(s.as_str()) {
                out = out.replace(s.as_str(), REDACTED);
            }
        }
        redact_header_lines(&redact_query_values(&out))
    }
}

/// Replaces the value of every `?name=value` / `&name=value` (and `;`-joined)
/// parameter.
fn redact_query_values(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(['?', '&', ';']) {
        out.push_str(&rest[..=i]);
        rest = &rest[i + 1..];
        let name_len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || "-_.~%+[]".contains(c)))
            .unwrap_or(rest.len());
        if name_len == 0 || !rest[name_len..].starts_with('=') {
            continue;
        }
        out.push_str(&rest[..=name_len]);
        rest = &rest[name_len + 1..];
        let value_len = rest
            .find(|c: char| c.is_whitespace() || "&#;\"'<>,)".contains(c))
            .unwrap_or(rest.len());
        if value_len > 0 && &rest[..value_len] != REDACTED {
            out.push_str(REDACTED);
        } else {
            out.push_str(&rest[..value_len]);
        }
        rest = &rest[value_len..];
    }
    out.push_str(rest);
    out
}

/// Replaces the value of every credential header line (`Authorization: ...`).
fn redact_header_lines(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let trimmed = line.trim_start();
        let credential = trimmed.split_once(':').is_some_and(|(name, _)| {
            CREDENTIAL_HEADERS
                .iter()
                .any(|h| name.trim().eq_ignore_ascii_case(h))
        });
        match line.split_once(':') {
            Some((name, value)) if credential && !value.trim().is_empty() => {
                out.push_str(name);
                out.push_str(": ");
                out.push_str(REDACTED);
                if value.ends_with('\r') {
                    out.push('\r');
                }
            }
            _ => out.push_str(line),
        }
    }
    out
}

/// `%XX` decoded (invalid escapes kept as they are; `+` kept).
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && let Some(v) = b
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SIG: &str = "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7";
    const TOKEN: &str = "IQoJb3JpZ2luX2VjEJr%2F%2F%2F%2FAQ%3D%3D";

    fn aws_redactor() -> Redactor {
        Redactor::new(
            &format!(
                "/mqtt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature={SIG}&X-Amz-Security-Token={TOKEN}"
            ),
            ["Bearer custom-authorizer-token-123"],
        )
    }

    #[test]
    fn an_echoed_presigned_request_loses_every_query_value() {
        let body = format!(
            "Forbidden: GET /mqtt?X-Amz-Signature={SIG}&X-Amz-Security-Token={TOKEN} HTTP/1.1"
        );
        let r = aws_redactor().redact(&body);
        assert!(!r.contains(SIG) && !r.contains(TOKEN), "{r}");
        assert!(!r.contains(&percent_decode(TOKEN)), "{r}");
        assert!(
            r.starts_with("Forbidden: GET /mqtt?X-Amz-Signature=<redacted>"),
            "{r}"
        );
    }

    #[test]
    fn known_secrets_are_removed_wherever_they_appear_and_credential_headers_too() {
        let text = format!(
            "{{\"sig\":\"{SIG}\",\"token\":\"{}\"}}\nAuthorization: Bearer custom-authorizer-token-123\r\n\
             authorization: Basic dXNlcjpwYXNz\r\nx-other: kept",
            percent_decode(TOKEN)
        );
        let r = aws_redactor().redact(&text);
        for secret in [
            SIG,
            "custom-authorizer-token-123",
            "dXNlcjpwYXNz",
            &percent_decode(TOKEN),
        ] {
            assert!(!r.contains(secret), "{secret} in {r}");
        }
        assert!(r.contains("x-other: kept"), "{r}");
    }

    #[test]
    fn text_without_secrets_is_unchanged() {
        let r = Redactor::default();
        for t in [
            "Not Found",
            "signature is invalid",
            "a = b & c",
            "x?",
            "?=",
            "&&",
        ] {
            assert_eq!(r.redact(t), t);
        }
    }
}
