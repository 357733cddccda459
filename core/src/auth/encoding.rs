//! Text encodings the signers share: hex, RFC 3986 percent-encoding, base64.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// Lowercase hexadecimal of `bytes`.
pub(crate) fn hex_lower(bytes: &[u8]) -> String {
    hex(bytes, b"0123456789abcdef")
}

/// Uppercase hexadecimal of `bytes`.
pub(crate) fn hex_upper(bytes: &[u8]) -> String {
    hex(bytes, b"0123456789ABCDEF")
}

fn hex(bytes: &[u8], digits: &[u8; 16]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(digits[usize::from(b >> 4)]));
        out.push(char::from(digits[usize::from(b & 0x0f)]));
    }
    out
}

/// RFC 3986 percent-encoding: every byte of the UTF-8 text except the
/// unreserved characters `A-Z a-z 0-9 - . _ ~` becomes `%XX` with upper-case
/// hex. This is what AWS SigV4 (`UriEncode`) and Python's
/// `urllib.parse.quote(s, safe="")` (Azure SAS tokens) produce; `/`, `+`,
/// `=` and spaces are all encoded.
pub(crate) fn percent_encode(text: &str) -> String {
    const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(text.len());
    for &b in text.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(DIGITS[usize::from(b >> 4)]));
            out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
        }
    }
    out
}

/// Decodes standard base64 (RFC 4648 alphabet, with padding), ignoring
/// leading and trailing ASCII whitespace. `None` if it is not valid; the
/// caller reports that without quoting the text, which is a secret.
pub(crate) fn base64_decode(text: &str) -> Option<Vec<u8>> {
    STANDARD.decode(text.trim_ascii()).ok()
}

/// Standard base64 (with padding) of `bytes`.
pub(crate) fn base64_encode(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn hex_has_both_cases() {
        assert_eq!(hex_lower(&[0x00, 0x0f, 0xa5, 0xff]), "000fa5ff");
        assert_eq!(hex_upper(&[0x00, 0x0f, 0xa5, 0xff]), "000FA5FF");
        assert_eq!(hex_lower(&[]), "");
    }

    #[test]
    fn percent_encode_keeps_only_unreserved_characters() {
        assert_eq!(percent_encode("AZaz09-._~"), "AZaz09-._~");
        assert_eq!(
            percent_encode("AKIDEXAMPLE/20150830/us-east-1"),
            "AKIDEXAMPLE%2F20150830%2Fus-east-1"
        );
        assert_eq!(percent_encode("a+b=c d&e"), "a%2Bb%3Dc%20d%26e");
        assert_eq!(percent_encode("é"), "%C3%A9");
        assert_eq!(
            percent_encode("$:?#[]@!'()*,;%"),
            "%24%3A%3F%23%5B%5D%40%21%27%28%29%2A%2C%3B%25"
        );
    }

    #[test]
    fn base64_round_trips_and_rejects_garbage() {
        let bytes: Vec<u8> = (0..16).collect();
        assert_eq!(base64_encode(&bytes), "AAECAwQFBgcICQoLDA0ODw==");
        assert_eq!(
            base64_decode("AAECAwQFBgcICQoLDA0ODw==\n").as_deref(),
            Some(&bytes[..])
        );
        assert_eq!(base64_decode("not base64!"), None);
        assert_eq!(
            base64_decode("AAECAwQFBgcICQoLDA0ODw"),
            None,
            "padding is required"
        );
    }
}
