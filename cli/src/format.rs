//! How `sub` prints a message: payload only, `-v`, or a `-F` format, with
//! `mosquitto_sub`'s exact semantics (version 2.0.11, the one Debian ships),
//! so that scripts written for it keep working and outputs can be compared
//! byte for byte.
//!
//! A `-F` format is checked once, before connecting, with mosquitto's rules
//! ("Invalid format specifier 'z'", "Incomplete escape specifier"...), and
//! then rendered per message. Two deliberate differences, both where
//! mosquitto_sub 2.0.11 prints something that is not JSON:
//!
//! * `%j` of a payload that is not UTF-8 gives `"payload":[98,105,...]`, the
//!   bytes as numbers (what later mosquitto versions do), not raw bytes
//!   inside a JSON string; a NUL in a UTF-8 payload is escaped (`\u0000`)
//!   instead of ending the string there.
//! * `@X` time sequences are checked when the format is: one that the
//!   strftime implementation does not know is a usage error rather than
//!   empty output.

use jiff::fmt::strtime;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ZonedDateTime};
use mqttws::{Message, PublishProperties};

use crate::json::Json;

/// The conversions `%` accepts: mosquitto_sub's list. Of the MQTT 5
/// property ones, `%A` (topic alias) always prints as absent: the library
/// resolves aliases, and mosquitto 2.0.11 sends none to clients anyway.
const CONVERSIONS: &[u8] = b"%ACDEFIlmPpqRSrtjJUxX";

/// Widths and precisions above this are refused (mosquitto has no limit, and
/// a huge width would only allocate).
const MAX_WIDTH: usize = 65_535;

/// One piece of a parsed `-F` format.
#[derive(Clone, Debug, PartialEq)]
enum Piece {
    /// Bytes printed as they are (text, escapes, `@@`).
    Text(Vec<u8>),
    /// A `%` conversion with its flags.
    Field(Spec),
    /// `@X`: strftime's `%X` in local time.
    Time(String),
    /// `@N`: nanoseconds within the second, nine digits.
    Nanos,
}

/// `%[-][0][width][.precision]conversion`.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Spec {
    conversion: u8,
    left: bool,
    zero: bool,
    width: usize,
    precision: Option<usize>,
}

/// A parsed `-F` format.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Format {
    pieces: Vec<Piece>,
}

impl Format {
    /// Parses and checks a format; the error is one line for the user.
    pub(crate) fn parse(format: &str, tz: &TimeZone) -> Result<Format, String> {
        let b = format.as_bytes();
        let mut pieces = Vec::new();
        let mut text = Vec::new();
        let mut i = 0;
        let incomplete = || "incomplete format specifier at the end of the -F format".to_owned();
        // The character at byte `at`, for messages (the format is UTF-8).
        let char_at = |at: usize| format[at..].chars().next().unwrap_or('?');
        while i < b.len() {
            match b[i] {
                b'%' => {
                    i += 1;
                    let mut spec = Spec {
                        conversion: 0,
                        left: false,
                        zero: false,
                        width: 0,
                        precision: None,
                    };
                    if b.get(i) == Some(&b'-') {
                        spec.left = true;
                        i += 1;
                    }
                    if b.get(i) == Some(&b'0') {
                        spec.zero = true;
                        i += 1;
                    }
                    spec.width = digits(b, &mut i)?;
                    if b.get(i) == Some(&b'.') {
                        i += 1;
                        if i >= b.len() {
                            return Err(incomplete());
                        }
                        spec.precision = Some(digits(b, &mut i)?);
                    }
                    let Some(&c) = b.get(i) else {
                        return Err(incomplete());
                    };
                    if !CONVERSIONS.contains(&c) {
                        return Err(format!(
                            "invalid format specifier '{}' in the -F format",
                            char_at(i)
                        ));
                    }
                    spec.conversion = c;
                    i += 1;
                    flush(&mut pieces, &mut text);
                    pieces.push(Piece::Field(spec));
                }
                b'@' => {
                    let Some(&c) = b.get(i + 1) else {
                        return Err(incomplete());
                    };
                    match c {
                        b'@' => text.push(b'@'),
                        b'N' => {
                            flush(&mut pieces, &mut text);
                            pieces.push(Piece::Nanos);
                        }
                        _ => {
                            let ch = char_at(i + 1);
                            let spec = format!("%{ch}");
                            let now = Timestamp::now().to_zoned_datetime(tz.clone());
                            if !ch.is_ascii() || strtime::format(&spec, &now).is_err() {
                                return Err(format!(
                                    "@{ch} in the -F format is not a known time sequence \
                                     (strftime's {spec})"
                                ));
                            }
                            flush(&mut pieces, &mut text);
                            pieces.push(Piece::Time(spec));
                        }
                    }
                    i += 1 + char_at(i + 1).len_utf8();
                }
                b'\\' => {
                    let Some(&c) = b.get(i + 1) else {
                        return Err(
                            "incomplete escape specifier at the end of the -F format".into()
                        );
                    };
                    text.push(match c {
                        b'\\' => b'\\',
                        b'0' => 0,
                        b'a' => 0x07,
                        b'e' => 0x1b,
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        b'v' => 0x0b,
                        _ => {
                            return Err(format!(
                                "invalid escape specifier '\\{}' in the -F format",
                                char_at(i + 1)
                            ));
                        }
                    });
                    i += 2;
                }
                other => {
                    text.push(other);
                    i += 1;
                }
            }
        }
        flush(&mut pieces, &mut text);
        Ok(Format { pieces })
    }
}

/// Moves pending literal bytes into a piece.
fn flush(pieces: &mut Vec<Piece>, text: &mut Vec<u8>) {
    if !text.is_empty() {
        pieces.push(Piece::Text(std::mem::take(text)));
    }
}

/// A run of decimal digits (possibly none, which is 0). Like mosquitto, a
/// format may not end inside a specifier.
fn digits(b: &[u8], i: &mut usize) -> Result<usize, String> {
    let mut n = 0usize;
    while let Some(&d) = b.get(*i).filter(|d| d.is_ascii_digit()) {
        n = n.saturating_mul(10).saturating_add(usize::from(d - b'0'));
        *i += 1;
    }
    if *i >= b.len() {
        return Err("incomplete format specifier at the end of the -F format".into());
    }
    if n > MAX_WIDTH {
        return Err(format!(
            "field width or precision {n} in the -F format is too large (at most {MAX_WIDTH})"
        ));
    }
    Ok(n)
}

/// Everything that decides how a message is printed.
pub(crate) struct Output {
    /// `-F`, which overrides `-v`.
    pub(crate) format: Option<Format>,
    /// `-v`.
    pub(crate) verbose: bool,
    /// Not `-N`.
    pub(crate) eol: bool,
    /// `--pretty`.
    pub(crate) pretty: bool,
    /// The local time zone, for the time sequences.
    pub(crate) tz: TimeZone,
}

impl Output {
    /// Appends the bytes to print for `m`, received at `now`. Problems that
    /// do not stop the output (`%J` of a payload that is not JSON) are
    /// returned as messages for stderr, as mosquitto_sub prints them.
    pub(crate) fn render(&self, m: &Message, now: Timestamp, out: &mut Vec<u8>) -> Vec<String> {
        let mut warnings = Vec::new();
        let Some(format) = &self.format else {
            // mosquitto_sub prints nothing at all for an empty payload,
            // except "TOPIC (null)" with -v (and then only with a newline).
            if !m.payload.is_empty() {
                if self.verbose {
                    out.extend_from_slice(m.topic.as_bytes());
                    out.push(b' ');
                }
                out.extend_from_slice(&m.payload);
                if self.eol {
                    out.push(b'\n');
                }
            } else if self.verbose && self.eol {
                out.extend_from_slice(m.topic.as_bytes());
                out.extend_from_slice(b" (null)\n");
            }
            return warnings;
        };
        let local = now.to_zoned_datetime(self.tz.clone());
        for piece in &format.pieces {
            match piece {
                Piece::Text(t) => out.extend_from_slice(t),
                Piece::Nanos => out.extend_from_slice(format!("{:09}", nanos(&local)).as_bytes()),
                Piece::Time(spec) => out.extend_from_slice(strftime(spec, &local).as_bytes()),
                Piece::Field(spec) => self.field(spec, m, &local, out, &mut warnings),
            }
        }
        if self.eol {
            out.push(b'\n');
        }
        warnings
    }

    fn field(
        &self,
        s: &Spec,
        m: &Message,
        now: &ZonedDateTime,
        out: &mut Vec<u8>,
        warnings: &mut Vec<String>,
    ) {
        let pad = if s.zero { b'0' } else { b' ' };
        let props = m.properties.as_deref();
        // MQTT 5 numbers: mosquitto prints them as a C int, and an absent
        // one as the padding alone.
        let number = |out: &mut Vec<u8>, value: Option<u32>| match value {
            Some(v) => int_field(out, i64::from(v as i32), s),
            None => out.extend(std::iter::repeat_n(pad, s.width)),
        };
        match s.conversion {
            b'%' => out.push(b'%'),
            b'A' => number(out, None),
            b'C' => match props.and_then(|p| p.content_type.as_deref()) {
                Some(t) => text_field(out, t.as_bytes(), s),
                None => out.extend(std::iter::repeat_n(b' ', s.width)),
            },
            b'D' => {
                if let Some(d) = props.and_then(|p| p.correlation_data.as_deref()) {
                    out.extend_from_slice(d);
                }
            }
            b'E' => number(out, props.and_then(|p| p.message_expiry_interval)),
            b'F' => number(
                out,
                props.and_then(|p| p.payload_format_utf8).map(u32::from),
            ),
            b'P' => {
                let pairs = props.map(|p| &p.user_properties[..]).unwrap_or_default();
                for (i, (k, v)) in pairs.iter().enumerate() {
                    if i > 0 {
                        out.push(b' ');
                    }
                    out.extend_from_slice(format!("{k}:{v}").as_bytes());
                }
            }
            b'R' => {
                if let Some(t) = props.and_then(|p| p.response_topic.as_deref()) {
                    text_field(out, t.as_bytes(), s);
                }
            }
            b'S' => number(
                out,
                props.and_then(|p| p.subscription_identifiers.first().copied()),
            ),
            b'I' => {
                let iso = strftime("%Y-%m-%dT%H:%M:%S%z", now);
                text_field(out, iso.as_bytes(), s);
            }
            b'j' => {
                json_line(out, m, now, self.pretty, false);
            }
            b'J' if !json_line(out, m, now, self.pretty, true) => {
                warnings.push(format!(
                    "the payload on topic {} is not valid JSON (for %J)",
                    m.topic
                ));
            }
            b'J' => {}
            b'l' => int_field(out, m.payload.len() as i64, s),
            b'm' => int_field(out, m.packet_id.map_or(0, i64::from), s),
            b'p' => payload_field(out, &m.payload, Hex::No, s),
            b'q' => out.push(b'0' + m.qos as u8),
            b'r' => out.push(if m.retain { b'1' } else { b'0' }),
            b't' => text_field(out, m.topic.as_bytes(), s),
            b'U' => {
                let t = now.timestamp();
                out.extend_from_slice(format!("{}.{:09}", t.as_second(), nanos(now)).as_bytes());
            }
            b'x' => payload_field(out, &m.payload, Hex::Lower, s),
            b'X' => payload_field(out, &m.payload, Hex::Upper, s),
            _ => {}
        }
    }
}

fn nanos(t: &ZonedDateTime) -> i32 {
    t.subsec_nanosecond().max(0)
}

/// strftime in local time; formats were checked at parse time.
fn strftime(spec: &str, t: &ZonedDateTime) -> String {
    strtime::format(spec, t).unwrap_or_default()
}

/// `%t` and `%I`: printf's `%-W.Ps`, counting bytes as C does.
fn text_field(out: &mut Vec<u8>, value: &[u8], s: &Spec) {
    let value = match s.precision {
        Some(p) => &value[..value.len().min(p)],
        None => value,
    };
    let fill = s.width.saturating_sub(value.len());
    if !s.left {
        out.extend(std::iter::repeat_n(b' ', fill));
    }
    out.extend_from_slice(value);
    if s.left {
        out.extend(std::iter::repeat_n(b' ', fill));
    }
}

/// `%l`, `%m` and the MQTT 5 numbers: printf's `%-Wd` / `%0Wd` / `%Wd`.
fn int_field(out: &mut Vec<u8>, value: i64, s: &Spec) {
    let w = s.width;
    let text = if s.left {
        format!("{value:<w$}")
    } else if s.zero {
        format!("{value:0w$}")
    } else {
        format!("{value:>w$}")
    };
    out.extend_from_slice(text.as_bytes());
}

#[derive(Clone, Copy, PartialEq)]
enum Hex {
    No,
    Lower,
    Upper,
}

/// `%p`, `%x` and `%X` as mosquitto_sub 2.0.11 writes them: a width also
/// truncates the payload (to half as many bytes for hex), and `-` pads with
/// as many spaces as the width exceeds what was written (or, without a
/// width, as many as were written).
fn payload_field(out: &mut Vec<u8>, payload: &[u8], hex: Hex, s: &Spec) {
    let mut len = payload.len();
    let padlen: i64 = if s.width > 0 {
        len = len.min(s.width);
        if hex != Hex::No {
            len /= 2;
            s.width as i64 - 2 * len as i64
        } else {
            (s.width - len) as i64
        }
    } else {
        -(len as i64)
    };
    let pad = if s.zero { b'0' } else { b' ' };
    if !s.left && padlen > 0 {
        out.extend(std::iter::repeat_n(pad, padlen as usize));
    }
    let bytes = &payload[..len];
    match hex {
        Hex::No => out.extend_from_slice(bytes),
        Hex::Lower => out.extend(bytes.iter().flat_map(|b| format!("{b:02x}").into_bytes())),
        Hex::Upper => out.extend(bytes.iter().flat_map(|b| format!("{b:02X}").into_bytes())),
    }
    if s.left {
        out.extend(std::iter::repeat_n(b' ', padlen.unsigned_abs() as usize));
    }
}

/// `%j` (payload as a string) and `%J` (payload parsed as JSON, `false` if
/// it is not JSON, and then nothing is written).
fn json_line(out: &mut Vec<u8>, m: &Message, now: &ZonedDateTime, pretty: bool, raw: bool) -> bool {
    // mosquitto's "tst": local time, microseconds, then a literal 'Z' that
    // its code leaves in front of the UTC offset.
    let tst = format!(
        "{}.{:06}Z{}",
        strftime("%Y-%m-%dT%H:%M:%S", now),
        nanos(now) / 1000,
        strftime("%z", now)
    );
    let payload = if m.payload.is_empty() {
        Json::Null
    } else if raw {
        match Json::parse(&m.payload) {
            Some(v) => v,
            None => return false,
        }
    } else {
        bytes_json(&m.payload)
    };
    let num = |n: usize| Json::Num(n as f64);
    let mut members = vec![
        (b"tst".to_vec(), Json::Str(tst.into_bytes())),
        (b"topic".to_vec(), Json::Str(m.topic.as_bytes().to_vec())),
        (b"qos".to_vec(), num(m.qos as usize)),
        (b"retain".to_vec(), num(usize::from(m.retain))),
        (b"payloadlen".to_vec(), num(m.payload.len())),
    ];
    if let Some(id) = m.packet_id {
        members.push((b"mid".to_vec(), num(usize::from(id))));
    }
    if let Some(p) = m.properties.as_deref() {
        members.push((b"properties".to_vec(), properties_json(p)));
    }
    members.push((b"payload".to_vec(), payload));
    Json::Obj(members).write(out, pretty);
    true
}

/// Bytes as a JSON string when they are UTF-8, else as an array of numbers.
fn bytes_json(b: &[u8]) -> Json {
    if std::str::from_utf8(b).is_ok() {
        Json::Str(b.to_vec())
    } else {
        Json::Arr(b.iter().map(|&b| Json::Num(f64::from(b))).collect())
    }
}

/// mosquitto_sub's `"properties"` object: each property under its MQTT 5
/// name, user properties gathered in a `"user-properties"` object (where a
/// name may repeat). mosquitto lists them in wire order; this is the order
/// mosquitto sends a message in that the library published: subscription
/// identifiers first, then the stored properties in the library's order,
/// the remaining message expiry interval last.
fn properties_json(p: &PublishProperties) -> Json {
    let text = |s: &str| Json::Str(s.as_bytes().to_vec());
    let mut members: Vec<(Vec<u8>, Json)> = Vec::new();
    let mut add = |name: &str, value: Json| members.push((name.as_bytes().to_vec(), value));
    for id in &p.subscription_identifiers {
        add("subscription-identifier", Json::Num(f64::from(*id)));
    }
    if let Some(utf8) = p.payload_format_utf8 {
        add(
            "payload-format-indicator",
            Json::Num(f64::from(u8::from(utf8))),
        );
    }
    if let Some(t) = &p.content_type {
        add("content-type", text(t));
    }
    if let Some(t) = &p.response_topic {
        add("response-topic", text(t));
    }
    if let Some(d) = &p.correlation_data {
        add("correlation-data", bytes_json(d));
    }
    if !p.user_properties.is_empty() {
        let pairs = p.user_properties.iter();
        let user = pairs
            .map(|(k, v)| (k.as_bytes().to_vec(), text(v)))
            .collect();
        add("user-properties", Json::Obj(user));
    }
    if let Some(secs) = p.message_expiry_interval {
        add("message-expiry-interval", Json::Num(f64::from(secs)));
    }
    Json::Obj(members)
}

#[cfg(test)]
mod tests {
    use super::*;
    use mqttws::{Bytes, QoS};

    fn message(topic: &str, payload: &[u8], qos: QoS, retain: bool) -> Message {
        Message {
            topic: topic.into(),
            payload: Bytes::copy_from_slice(payload),
            qos,
            retain,
            dup: false,
            packet_id: (qos != QoS::AtMostOnce).then_some(7),
            properties: None,
        }
    }

    fn render(format: &str, m: &Message) -> String {
        let out = Output {
            format: Some(Format::parse(format, &TimeZone::UTC).unwrap()),
            verbose: false,
            eol: false,
            pretty: false,
            tz: TimeZone::UTC,
        };
        let mut buf = Vec::new();
        // 2023-11-14T22:13:20.123456789Z
        let t = Timestamp::new(1_700_000_000, 123_456_789).unwrap();
        out.render(m, t, &mut buf);
        String::from_utf8_lossy(&buf).into_owned()
    }

    #[test]
    fn checks_formats_with_mosquittos_rules() {
        let tz = TimeZone::UTC;
        for (bad, why) in [
            ("%", "incomplete format specifier"),
            ("%10", "incomplete format specifier"),
            ("%-", "incomplete format specifier"),
            ("%.", "incomplete format specifier"),
            ("%z", "invalid format specifier 'z'"),
            ("%é", "invalid format specifier 'é'"),
            ("@", "incomplete format specifier"),
            ("\\", "incomplete escape specifier"),
            ("\\z", "invalid escape specifier '\\z'"),
            ("@!", "@! in the -F format is not a known time sequence"),
            ("%99999999999999999999t", "too large"),
        ] {
            let err = Format::parse(bad, &tz).unwrap_err();
            assert!(err.contains(why), "{bad:?}: {err}");
        }
        assert!(Format::parse("%t %p %q %r %m %l %x %X %I %U %j %J %A %%", &tz).is_ok());
        assert!(Format::parse("@Y-@m-@d @H:@M:@S.@N @@ \\n\\t\\0é", &tz).is_ok());
    }

    #[test]
    fn renders_fields_widths_and_escapes_like_mosquitto_sub() {
        let m = message("a/b", b"hello", QoS::AtLeastOnce, true);
        assert_eq!(render("%t %p %q %r %m %l", &m), "a/b hello 1 1 7 5");
        assert_eq!(
            render("[%6t][%-6t][%.1t][%5.2t]", &m),
            "[   a/b][a/b   ][a][   a/]"
        );
        assert_eq!(render("[%05l][%-5m][%3l]", &m), "[00005][7    ][  5]");
        assert_eq!(
            render("[%3p][%8p][%-8p][%-p]", &m),
            "[hel][   hello][hello   ][hello     ]"
        );
        assert_eq!(
            render("%x %X [%8x]", &m),
            "68656c6c6f 68656C6C6F [    6865]"
        );
        assert_eq!(
            render("%I|%U|@Y@m@d @N @@", &m),
            "2023-11-14T22:13:20+0000|1700000000.123456789|20231114 123456789 @"
        );
        assert_eq!(render("\\\\\\t\\e%%", &m), "\\\t\x1b%");
        assert_eq!(
            render("[%A][%5E][%05S][%3C][%D%P%R]", &m),
            "[][     ][00000][   ][]"
        );
    }

    #[test]
    fn json_fields_and_payloads_match_mosquitto_sub() {
        let m = message("a/\"b", b"x\"\\\x01\xc3\xa9", QoS::AtLeastOnce, false);
        assert_eq!(
            render("%j", &m),
            "{\"tst\":\"2023-11-14T22:13:20.123456Z+0000\",\"topic\":\"a/\\\"b\",\"qos\":1,\
             \"retain\":0,\"payloadlen\":6,\"mid\":7,\"payload\":\"x\\\"\\\\\\u0001é\"}"
        );
        let empty = message("t", b"", QoS::AtMostOnce, false);
        assert!(render("%j", &empty).ends_with("\"payloadlen\":0,\"payload\":null}"));
        let binary = message("t", b"a\xff", QoS::AtMostOnce, false);
        assert!(render("%j", &binary).ends_with("\"payload\":[97,255]}"));
        let json = message("t", b" {\"t\": 27.0 } ", QoS::AtMostOnce, false);
        assert!(render("%J", &json).ends_with("\"payloadlen\":14,\"payload\":{\"t\":27}}"));
        assert_eq!(
            render("<%J>", &message("t", b"no", QoS::AtMostOnce, false)),
            "<>"
        );
    }

    fn with_properties(m: Message) -> Message {
        let p = PublishProperties {
            payload_format_utf8: Some(true),
            message_expiry_interval: Some(u32::MAX),
            content_type: Some("text/plain".into()),
            response_topic: Some("re/ply".into()),
            correlation_data: Some(Bytes::from_static(b"c\xffd")),
            user_properties: vec![("k".into(), "v".into()), ("k".into(), "w".into())],
            subscription_identifiers: vec![3, 9],
        };
        Message {
            properties: Some(Box::new(p)),
            ..m
        }
    }

    #[test]
    fn mqtt5_properties_print_as_mosquitto_sub_prints_them() {
        let m = with_properties(message("t", b"x", QoS::AtMostOnce, false));
        // %E is a C int in mosquitto_sub: 4294967295 prints as -1.
        assert_eq!(
            render("%C|%D|%E|%F|%P|%R|%S|%A", &m),
            "text/plain|c\u{fffd}d|-1|1|k:v k:w|re/ply|3|"
        );
        assert_eq!(
            render("[%12C][%.4C][%-4S][%03S][%3A][%03A][%7R][%05E]", &m),
            "[  text/plain][text][3   ][003][   ][000][ re/ply][-0001]"
        );
        // Absent: padding for the numbers and %C, nothing for the others.
        let bare = message("t", b"x", QoS::AtMostOnce, false);
        assert_eq!(
            render("[%3C][%3D][%03E][%3P][%3R]", &bare),
            "[   ][][000][][]"
        );
        let json = render("%j", &m);
        assert!(
            json.ends_with(
                "\"properties\":{\"subscription-identifier\":3,\"subscription-identifier\":9,\
                 \"payload-format-indicator\":1,\"content-type\":\"text/plain\",\
                 \"response-topic\":\"re/ply\",\"correlation-data\":[99,255,100],\
                 \"user-properties\":{\"k\":\"v\",\"k\":\"w\"},\
                 \"message-expiry-interval\":4294967295},\"payload\":\"x\"}"
            ),
            "{json}"
        );
        assert!(!render("%j", &bare).contains("properties"));
    }

    #[test]
    fn plain_and_verbose_output_skip_empty_payloads_as_mosquitto_sub_does() {
        let mut out = Output {
            format: None,
            verbose: true,
            eol: true,
            pretty: false,
            tz: TimeZone::UTC,
        };
        let t = Timestamp::UNIX_EPOCH;
        let mut buf = Vec::new();
        out.render(&message("t", b"", QoS::AtMostOnce, false), t, &mut buf);
        out.render(&message("t", b"p", QoS::AtMostOnce, false), t, &mut buf);
        assert_eq!(buf, b"t (null)\nt p\n");
        out.verbose = false;
        buf.clear();
        out.render(&message("t", b"", QoS::AtMostOnce, false), t, &mut buf);
        out.render(&message("t", b"p", QoS::AtMostOnce, false), t, &mut buf);
        assert_eq!(buf, b"p\n");
    }
}
