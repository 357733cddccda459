//! JSON as `mosquitto_sub` prints it for `%j` and `%J`.
//!
//! mosquitto_sub (2.0.11, as Debian ships it) builds that JSON with cJSON,
//! so its exact bytes are cJSON's: keys in insertion order (duplicates kept),
//! numbers as C's `%1.15g` (or `%1.17g` when 15 digits do not round-trip),
//! infinities as `null`, strings escaped only for `"`, `\` and bytes below
//! 0x20, and `--pretty` indenting objects with tabs while arrays stay on one
//! line. This module reproduces those rules so that our output can be
//! compared with mosquitto_sub's byte for byte. Parsing (for `%J`) follows
//! cJSON too where it is lenient (raw control characters inside strings, a
//! leading byte-order mark, any byte up to 0x20 as white space) and is
//! bounded by cJSON's nesting limit, so hostile payloads cannot exhaust the
//! stack.

/// cJSON's `CJSON_NESTING_LIMIT`.
const NESTING_LIMIT: usize = 1000;

/// A JSON value. Strings are bytes: cJSON passes invalid UTF-8 through.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Json {
    Null,
    Bool(bool),
    Num(f64),
    Str(Vec<u8>),
    Arr(Vec<Json>),
    /// Members in order, duplicates kept.
    Obj(Vec<(Vec<u8>, Json)>),
}

impl Json {
    /// Parses a whole payload; `None` if it is not one JSON value (white
    /// space around it allowed).
    pub(crate) fn parse(input: &[u8]) -> Option<Json> {
        let input = input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input);
        let mut p = Parser { s: input, i: 0 };
        let value = p.value(0)?;
        p.skip_ws();
        (p.i == input.len()).then_some(value)
    }

    /// Appends the value as cJSON prints it, indented with tabs if `pretty`.
    pub(crate) fn write(&self, out: &mut Vec<u8>, pretty: bool) {
        self.write_at(out, pretty, 0);
    }

    fn write_at(&self, out: &mut Vec<u8>, pretty: bool, depth: usize) {
        match self {
            Json::Null => out.extend_from_slice(b"null"),
            Json::Bool(true) => out.extend_from_slice(b"true"),
            Json::Bool(false) => out.extend_from_slice(b"false"),
            Json::Num(n) => out.extend_from_slice(number(*n).as_bytes()),
            Json::Str(s) => write_string(out, s),
            Json::Arr(items) => {
                out.push(b'[');
                for (n, item) in items.iter().enumerate() {
                    if n > 0 {
                        out.extend_from_slice(if pretty { b", " } else { b"," });
                    }
                    item.write_at(out, pretty, depth + 1);
                }
                out.push(b']');
            }
            Json::Obj(members) => {
                let depth = depth + 1;
                out.push(b'{');
                if pretty {
                    out.push(b'\n');
                }
                for (n, (key, value)) in members.iter().enumerate() {
                    if pretty {
                        out.extend(std::iter::repeat_n(b'\t', depth));
                    }
                    write_string(out, key);
                    out.push(b':');
                    if pretty {
                        out.push(b'\t');
                    }
                    value.write_at(out, pretty, depth);
                    if n + 1 < members.len() {
                        out.push(b',');
                    }
                    if pretty {
                        out.push(b'\n');
                    }
                }
                if pretty {
                    out.extend(std::iter::repeat_n(b'\t', depth - 1));
                }
                out.push(b'}');
            }
        }
    }
}

/// A string literal, escaped as cJSON escapes it.
fn write_string(out: &mut Vec<u8>, s: &[u8]) {
    out.push(b'"');
    for &b in s {
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0..0x20 => out.extend_from_slice(format!("\\u{b:04x}").as_bytes()),
            _ => out.push(b),
        }
    }
    out.push(b'"');
}

/// A number as cJSON prints it: `%1.15g`, or `%1.17g` when the shorter form
/// does not read back as (nearly, by cJSON's own comparison) the same value;
/// NaN and infinities as `null`.
pub(crate) fn number(d: f64) -> String {
    if !d.is_finite() {
        return "null".into();
    }
    let short = c_format_g(d, 15);
    let same = short.parse::<f64>().is_ok_and(|back| {
        let max = back.abs().max(d.abs());
        (back - d).abs() <= max * f64::EPSILON
    });
    if same { short } else { c_format_g(d, 17) }
}

/// C's `%.{precision}g` for a finite `d`.
fn c_format_g(d: f64, precision: usize) -> String {
    if d == 0.0 {
        return if d.is_sign_negative() { "-0" } else { "0" }.into();
    }
    // The exponent after rounding to `precision` significant digits decides
    // between the two notations, as C specifies.
    let sci = format!("{:.*e}", precision - 1, d);
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if exp < -4 || exp >= precision as i32 {
        let mantissa = trim_fraction(mantissa);
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exp.unsigned_abs())
    } else {
        let decimals = (precision as i32 - 1 - exp).max(0) as usize;
        trim_fraction(&format!("{d:.decimals$}")).to_owned()
    }
}

/// `%g` drops trailing zeros of the fraction, and the point with them.
fn trim_fraction(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    /// cJSON skips every byte from 0x01 to 0x20 as white space.
    fn skip_ws(&mut self) {
        while self.peek().is_some_and(|b| (1..=b' ').contains(&b)) {
            self.i += 1;
        }
    }

    fn literal(&mut self, word: &[u8], value: Json) -> Option<Json> {
        if self.s[self.i..].starts_with(word) {
            self.i += word.len();
            Some(value)
        } else {
            None
        }
    }

    fn value(&mut self, depth: usize) -> Option<Json> {
        self.skip_ws();
        match self.peek()? {
            b'n' => self.literal(b"null", Json::Null),
            b't' => self.literal(b"true", Json::Bool(true)),
            b'f' => self.literal(b"false", Json::Bool(false)),
            b'"' => self.string().map(Json::Str),
            b'-' | b'0'..=b'9' => self.number(),
            b'[' if depth < NESTING_LIMIT => self.array(depth + 1),
            b'{' if depth < NESTING_LIMIT => self.object(depth + 1),
            _ => None,
        }
    }

    /// cJSON hands the run of number characters to `strtod`, which takes
    /// the longest prefix that is a number ("1." is 1, "01" is 1).
    fn number(&mut self) -> Option<Json> {
        let run = self.s[self.i..]
            .iter()
            .take(63)
            .take_while(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'e' | b'E' | b'.'))
            .count();
        let text = std::str::from_utf8(&self.s[self.i..self.i + run]).ok()?;
        (1..=run).rev().find_map(|n| {
            let v = text[..n].parse::<f64>().ok()?;
            self.i += n;
            Some(Json::Num(v))
        })
    }

    fn string(&mut self) -> Option<Vec<u8>> {
        self.i += 1; // the opening quote
        let mut out = Vec::new();
        loop {
            let b = self.peek()?;
            self.i += 1;
            match b {
                b'"' => return Some(out),
                b'\\' => {
                    let e = self.peek()?;
                    self.i += 1;
                    match e {
                        b'b' => out.push(0x08),
                        b'f' => out.push(0x0c),
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'"' | b'\\' | b'/' => out.push(e),
                        b'u' => {
                            let c = self.unicode_escape()?;
                            let mut buf = [0u8; 4];
                            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                        }
                        _ => return None,
                    }
                }
                // Raw bytes, control characters and invalid UTF-8 included,
                // pass through as cJSON lets them.
                _ => out.push(b),
            }
        }
    }

    /// After `\u`: four hex digits, or a surrogate pair `\uD8xx\uDCxx`.
    fn unicode_escape(&mut self) -> Option<char> {
        let first = self.hex4()?;
        match first {
            0xD800..=0xDBFF => {
                if !self.s[self.i..].starts_with(b"\\u") {
                    return None;
                }
                self.i += 2;
                let second = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&second) {
                    return None;
                }
                char::from_u32(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00))
            }
            0xDC00..=0xDFFF => None,
            _ => char::from_u32(first),
        }
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits = self.s.get(self.i..self.i + 4)?;
        let text = std::str::from_utf8(digits).ok()?;
        let v = u32::from_str_radix(text, 16).ok()?;
        if !digits.iter().all(u8::is_ascii_hexdigit) {
            return None;
        }
        self.i += 4;
        Some(v)
    }

    fn array(&mut self, depth: usize) -> Option<Json> {
        self.i += 1;
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek()? == b']' {
            self.i += 1;
            return Some(Json::Arr(items));
        }
        loop {
            items.push(self.value(depth)?);
            self.skip_ws();
            match self.peek()? {
                b',' => self.i += 1,
                b']' => {
                    self.i += 1;
                    return Some(Json::Arr(items));
                }
                _ => return None,
            }
        }
    }

    fn object(&mut self, depth: usize) -> Option<Json> {
        self.i += 1;
        let mut members = Vec::new();
        self.skip_ws();
        if self.peek()? == b'}' {
            self.i += 1;
            return Some(Json::Obj(members));
        }
        loop {
            self.skip_ws();
            if self.peek()? != b'"' {
                return None;
            }
            let key = self.string()?;
            self.skip_ws();
            if self.peek()? != b':' {
                return None;
            }
            self.i += 1;
            let value = self.value(depth)?;
            members.push((key, value));
            self.skip_ws();
            match self.peek()? {
                b',' => self.i += 1,
                b'}' => {
                    self.i += 1;
                    return Some(Json::Obj(members));
                }
                _ => return None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reprint(input: &str, pretty: bool) -> Option<String> {
        let mut out = Vec::new();
        Json::parse(input.as_bytes())?.write(&mut out, pretty);
        Some(String::from_utf8(out).unwrap())
    }

    #[test]
    fn numbers_print_as_c_percent_g_like_cjson() {
        for (d, want) in [
            (27.0, "27"),
            (2500.0, "2500"),
            (0.1, "0.1"),
            (-0.0, "-0"),
            (0.0, "0"),
            (1.5e-7, "1.5e-07"),
            (123456789012345.0, "123456789012345"),
            (1e15, "1e+15"),
            (12345678901234567890.0, "1.2345678901234567e+19"),
            (0.1 + 0.2, "0.3"),
            (1.0 / 3.0, "0.33333333333333331"),
            (f64::INFINITY, "null"),
            (f64::NAN, "null"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
        ] {
            assert_eq!(number(d), want, "{d:e}");
        }
    }

    #[test]
    fn reprints_compact_and_pretty_as_cjson_does() {
        let src = r#" {"b":1, "a":[1, 2.5e3, "x", 1e400, {}, []], "a":"\u00e9\n", "o":{}} "#;
        assert_eq!(
            reprint(src, false).unwrap(),
            "{\"b\":1,\"a\":[1,2500,\"x\",null,{},[]],\"a\":\"é\\n\",\"o\":{}}"
        );
        assert_eq!(
            reprint(src, true).unwrap(),
            "{\n\t\"b\":\t1,\n\t\"a\":\t[1, 2500, \"x\", null, {\n\t\t}, []],\n\
             \t\"a\":\t\"é\\n\",\n\t\"o\":\t{\n\t}\n}"
        );
    }

    #[test]
    fn parses_what_cjson_parses_and_refuses_the_rest() {
        assert_eq!(reprint("\u{feff}[1.]", false).as_deref(), Some("[1]"));
        assert_eq!(reprint("\"a\tb\"", false).as_deref(), Some("\"a\\tb\""));
        assert_eq!(
            reprint("\"\\ud83d\\ude00\"", false).as_deref(),
            Some("\"😀\"")
        );
        for bad in [
            "",
            "hello world",
            "{",
            "[1,]",
            "{\"a\"}",
            "{\"a\":1,}",
            "\"\\x\"",
            "\"\\udc00\"",
            "nul",
            "1 2",
            "+1",
            "[1]x",
            "{\"a\":1}\0",
        ] {
            assert_eq!(Json::parse(bad.as_bytes()), None, "{bad:?}");
        }
        let deep = "[".repeat(100_000);
        assert_eq!(Json::parse(deep.as_bytes()), None);
        let ok = format!("{}{}", "[".repeat(1000), "]".repeat(1000));
        assert!(Json::parse(ok.as_bytes()).is_some());
        let too_deep = format!("{}{}", "[".repeat(1001), "]".repeat(1001));
        assert_eq!(Json::parse(too_deep.as_bytes()), None);
    }

    #[test]
    fn strings_escape_only_what_cjson_escapes() {
        let mut out = Vec::new();
        write_string(&mut out, b"a\"b\\c\x01\x7f\t\xc3\xa9\xff");
        assert_eq!(out, b"\"a\\\"b\\\\c\\u0001\x7f\\t\xc3\xa9\xff\"");
    }
}
