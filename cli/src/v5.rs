//! MQTT 5 on the command line: `-V`, `-x`, `-D` and `--retain-as-published`
//! with the syntax and checks of mosquitto_pub/mosquitto_sub 2.0.11, turned
//! into the library's property types before anything is sent.
//!
//! As in mosquitto, `-D` selects MQTT 5 by itself (unless `-V mqttv311`
//! says otherwise, which is refused) and its errors are mosquitto's
//! ("Invalid property name given in --property argument"...). Unlike
//! mosquitto, what would have no effect is refused instead of dropped
//! silently: `-x` and `--retain-as-published` under MQTT 3.1.1, `-D will`
//! without `--will-topic`, `-D publish` for `sub` and `-D subscribe` for
//! `pub`, and the properties the library does not let a client send
//! (`-D disconnect`, `-D publish topic-alias`).

use std::collections::HashSet;

use mqttws::{
    Authenticator, Bytes, ConnectProperties, PublishProperties, SubscribeProperties, UserProperty,
};

use crate::CliError;
use crate::args::{Common, ProtocolVersion};
use crate::platform::usage;

/// The subcommand the flags are for: each `-D` command applies to one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    /// `mqttws sub`: connect, subscribe, unsubscribe and will properties.
    Sub,
    /// `mqttws pub`: connect, publish and will properties.
    Pub,
}

/// What `-x` and the `-D` options ask for under MQTT 5.
#[derive(Debug, Default)]
pub(crate) struct Mqtt5 {
    /// `-D connect ...` and `-x`.
    pub(crate) connect: ConnectProperties,
    /// `-D connect authentication-method` and `authentication-data`.
    pub(crate) auth: Option<(String, Option<Bytes>)>,
    /// `-D publish ...` (pub).
    pub(crate) publish: PublishProperties,
    /// `-D subscribe ...` (sub).
    pub(crate) subscribe: SubscribeProperties,
    /// `-D unsubscribe user-property ...` (sub with -U).
    pub(crate) unsubscribe: Vec<UserProperty>,
    /// `-D will ...` but `will-delay-interval`.
    pub(crate) will: PublishProperties,
    /// `-D will will-delay-interval`.
    pub(crate) will_delay: Option<u32>,
}

/// The MQTT version the flags select: `None` for 3.1.1, or MQTT 5 with
/// what `-x` and `-D` ask for. Every check is made here, before connecting
/// (exit code 1, nothing sent).
pub(crate) fn resolve(
    c: &Common,
    role: Role,
    retain_as_published: bool,
) -> Result<Option<Mqtt5>, CliError> {
    let conn = &c.conn;
    let properties = !conn.properties.is_empty();
    let v5 = match conn.protocol_version {
        Some(ProtocolVersion::V31) => {
            return Err(usage(
                "-V mqttv31 is not supported: mqttws speaks MQTT 3.1.1 (-V mqttv311), which \
                 brokers that speak 3.1 also speak, and MQTT 5 (-V mqttv5)",
            ));
        }
        Some(ProtocolVersion::V311) if properties => {
            return Err(usage(
                "-D sets MQTT 5 properties, but -V mqttv311 asks for MQTT 3.1.1, which has none: \
                 drop one of them",
            ));
        }
        Some(ProtocolVersion::V311) => false,
        Some(ProtocolVersion::V5) => true,
        None => properties,
    };
    // Without a platform or -i, the broker picks the client id: a session
    // kept for ever could never be found again.
    let anonymous = c.endpoint.platform.is_none() && c.endpoint.client_id.is_none();
    if !v5 {
        if conn.session_expiry.is_some() {
            return Err(usage(
                "-x (session expiry interval) needs MQTT 5: add -V mqttv5 (with MQTT 3.1.1, -c \
                 alone keeps the session)",
            ));
        }
        if retain_as_published {
            return Err(usage("--retain-as-published needs MQTT 5: add -V mqttv5"));
        }
        if conn.no_clean_session && anonymous {
            return Err(usage(
                "-c (clean session off) needs a fixed client id: give -i/--id, so that the next \
                 connection finds the session",
            ));
        }
        return Ok(None);
    }
    let mut m = Mqtt5::default();
    let mut seen = HashSet::new();
    for args in &conn.properties {
        m.add(args, role, &mut seen)?;
    }
    if let Some(x) = &conn.session_expiry {
        if m.connect.session_expiry_interval.is_some() {
            return Err(usage(
                "-x and -D connect session-expiry-interval both set the session expiry \
                 interval: give one of them",
            ));
        }
        m.connect.session_expiry_interval = Some(session_expiry(x)?);
    }
    // mosquitto's rule: -c without -x keeps the session for ever.
    let never = match m.connect.session_expiry_interval {
        Some(secs) => secs == u32::MAX,
        None => conn.no_clean_session,
    };
    if never && anonymous {
        return Err(usage(
            "a session that never expires (-c without -x, or -x -1) needs a fixed client id: \
             give -i/--id, so that the next connection finds the session",
        ));
    }
    let will_properties = m.will != PublishProperties::default() || m.will_delay.is_some();
    if will_properties && c.will.will_topic.is_none() {
        return Err(usage(
            "-D will ... needs --will-topic: there is no will without one",
        ));
    }
    Ok(Some(m))
}

/// `-x`: seconds, or -1, 4294967295 or `∞` for never.
fn session_expiry(x: &str) -> Result<u32, CliError> {
    if x == "∞" {
        return Ok(u32::MAX);
    }
    match x.parse::<i64>() {
        Ok(-1) => Ok(u32::MAX),
        Ok(secs) => u32::try_from(secs).map_err(|_| {
            usage(format!(
                "-x {x}: session-expiry-interval out of range (0 to 4294967295, or -1 or ∞ for \
                 never)"
            ))
        }),
        Err(_) => Err(usage(format!(
            "-x {x:?}: session-expiry-interval not a number"
        ))),
    }
}

/// How a property's value is written, as in mosquitto's table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// 8-bit unsigned integer.
    Byte,
    /// 16-bit unsigned integer.
    Int16,
    /// 32-bit unsigned integer.
    Int32,
    /// Variable byte integer (subscription identifier).
    VarInt,
    /// Binary data, given as a string.
    Binary,
    /// UTF-8 string.
    Text,
    /// UTF-8 string pair (user property): two values on the command line.
    Pair,
}

/// The commands `-D` knows (mosquitto's names, any case).
const COMMANDS: &[&str] = &[
    "connect",
    "connack",
    "publish",
    "puback",
    "pubrec",
    "pubrel",
    "pubcomp",
    "subscribe",
    "unsubscribe",
    "disconnect",
    "auth",
    "will",
];

/// Every MQTT 5 property by mosquitto's name: its kind and the commands the
/// specification allows it in (mosquitto_property_check_command).
const PROPERTIES: &[(&str, Kind, &[&str])] = &[
    ("payload-format-indicator", Kind::Byte, &["publish", "will"]),
    ("message-expiry-interval", Kind::Int32, &["publish", "will"]),
    ("content-type", Kind::Text, &["publish", "will"]),
    ("response-topic", Kind::Text, &["publish", "will"]),
    ("correlation-data", Kind::Binary, &["publish", "will"]),
    (
        "subscription-identifier",
        Kind::VarInt,
        &["publish", "subscribe"],
    ),
    (
        "session-expiry-interval",
        Kind::Int32,
        &["connect", "connack", "disconnect"],
    ),
    ("assigned-client-identifier", Kind::Text, &["connack"]),
    ("server-keep-alive", Kind::Int16, &["connack"]),
    (
        "authentication-method",
        Kind::Text,
        &["connect", "connack", "auth"],
    ),
    (
        "authentication-data",
        Kind::Binary,
        &["connect", "connack", "auth"],
    ),
    ("request-problem-information", Kind::Byte, &["connect"]),
    ("will-delay-interval", Kind::Int32, &["will"]),
    ("request-response-information", Kind::Byte, &["connect"]),
    ("response-information", Kind::Text, &["connack"]),
    ("server-reference", Kind::Text, &["connack", "disconnect"]),
    (
        "reason-string",
        Kind::Text,
        &[
            "connack",
            "puback",
            "pubrec",
            "pubrel",
            "pubcomp",
            "disconnect",
            "auth",
            "will",
        ],
    ),
    ("receive-maximum", Kind::Int16, &["connect", "connack"]),
    ("topic-alias-maximum", Kind::Int16, &["connect", "connack"]),
    ("topic-alias", Kind::Int16, &["publish"]),
    ("maximum-qos", Kind::Byte, &["connack"]),
    ("retain-available", Kind::Byte, &["connack"]),
    ("user-property", Kind::Pair, COMMANDS),
    ("maximum-packet-size", Kind::Int32, &["connect", "connack"]),
    ("wildcard-subscription-available", Kind::Byte, &["connack"]),
    (
        "subscription-identifier-available",
        Kind::Byte,
        &["connack"],
    ),
    ("shared-subscription-available", Kind::Byte, &["connack"]),
];

impl Mqtt5 {
    /// One `-D COMMAND IDENTIFIER [NAME] VALUE`, checked in mosquitto's
    /// order and with its messages; `seen` catches a property given twice.
    fn add(
        &mut self,
        args: &[String],
        role: Role,
        seen: &mut HashSet<(String, &'static str)>,
    ) -> Result<(), CliError> {
        let not_enough = || usage("--property argument given but not enough arguments specified");
        let (Some(cmd), Some(name)) = (args.first(), args.get(1)) else {
            return Err(not_enough());
        };
        let cmd = cmd.to_ascii_lowercase();
        if !COMMANDS.contains(&cmd.as_str()) {
            return Err(usage(format!(
                "Invalid command {cmd:?} given in --property argument (connect, publish, \
                 subscribe, unsubscribe or will)"
            )));
        }
        let lower = name.to_ascii_lowercase();
        let Some(&(name, kind, allowed)) = PROPERTIES.iter().find(|(n, ..)| *n == lower) else {
            return Err(usage(format!(
                "Invalid property name {name:?} given in --property argument"
            )));
        };
        if !allowed.contains(&cmd.as_str()) {
            return Err(usage(format!(
                "{name} property not allowed for {cmd} in --property argument"
            )));
        }
        let (key, value) = match (kind, &args[2..]) {
            (Kind::Pair, [key, value]) => (Some(key.clone()), value),
            (Kind::Pair, _) => {
                return Err(usage(
                    "--property argument given but not enough arguments specified \
                     (user-property takes a NAME and a VALUE)",
                ));
            }
            (_, [value]) => (None, value),
            (_, _) => {
                return Err(usage(format!(
                    "--property {cmd} {name} takes one value; only user-property takes two"
                )));
            }
        };
        if kind != Kind::Pair && !seen.insert((cmd.clone(), name)) {
            return Err(usage(format!(
                "{name} given twice for {cmd} in --property argument"
            )));
        }
        let not_supported = |why: &str| {
            usage(format!(
                "{name} property not supported for {cmd} in --property argument{why}"
            ))
        };
        let text = || value.clone();
        let binary = || {
            if value.len() > usize::from(u16::MAX) {
                return Err(usage(format!(
                    "Property value too long for property {name}"
                )));
            }
            Ok(Bytes::from(value.clone()))
        };
        let number = |lo: u64, hi: u64| number(name, value, lo, hi);
        let pair = || (key.clone().unwrap_or_default(), value.clone());
        let publish = match (cmd.as_str(), role) {
            ("publish", Role::Pub) => Some(&mut self.publish),
            ("will", _) => Some(&mut self.will),
            ("publish", Role::Sub) => {
                return Err(not_supported(": sub does not publish"));
            }
            _ => None,
        };
        if let Some(p) = publish {
            match name {
                "payload-format-indicator" => p.payload_format_utf8 = Some(number(0, 1)? == 1),
                "message-expiry-interval" => {
                    p.message_expiry_interval = Some(number(0, u32::MAX.into())? as u32);
                }
                "content-type" => p.content_type = Some(text()),
                "response-topic" => p.response_topic = Some(text()),
                "correlation-data" => p.correlation_data = Some(binary()?),
                "user-property" => p.user_properties.push(pair()),
                "will-delay-interval" => {
                    self.will_delay = Some(number(0, u32::MAX.into())? as u32);
                }
                "topic-alias" => {
                    return Err(not_supported(
                        ": the library chooses topic aliases itself, within the broker's \
                         topic-alias-maximum",
                    ));
                }
                _ => return Err(not_supported("")),
            }
            return Ok(());
        }
        match (cmd.as_str(), name) {
            ("subscribe" | "unsubscribe", _) if role == Role::Pub => {
                Err(not_supported(": pub does not subscribe"))
            }
            ("subscribe", "subscription-identifier") => {
                let id = number(1, 268_435_455)? as u32;
                self.subscribe.subscription_identifier = Some(id);
                Ok(())
            }
            ("subscribe", "user-property") => {
                self.subscribe.user_properties.push(pair());
                Ok(())
            }
            ("unsubscribe", "user-property") => {
                self.unsubscribe.push(pair());
                Ok(())
            }
            ("connect", _) => self.add_connect(name, value, key),
            ("disconnect", _) => Err(not_supported(
                ": mqttws sends DISCONNECT without properties",
            )),
            _ => Err(not_supported("")),
        }
    }

    /// One `-D connect` property.
    fn add_connect(
        &mut self,
        name: &'static str,
        value: &str,
        key: Option<String>,
    ) -> Result<(), CliError> {
        let c = &mut self.connect;
        let number = |lo: u64, hi: u64| number(name, value, lo, hi);
        match name {
            "session-expiry-interval" => {
                c.session_expiry_interval = Some(number(0, u32::MAX.into())? as u32);
            }
            "receive-maximum" => c.receive_maximum = Some(number(1, u16::MAX.into())? as u16),
            "topic-alias-maximum" => {
                c.topic_alias_maximum = Some(number(0, u16::MAX.into())? as u16);
            }
            "maximum-packet-size" => {
                c.maximum_packet_size = Some(number(1, u32::MAX.into())? as u32);
            }
            "request-problem-information" => {
                c.request_problem_information = Some(number(0, 1)? == 1);
            }
            "request-response-information" => {
                c.request_response_information = number(0, 1)? == 1;
            }
            "user-property" => c
                .user_properties
                .push((key.unwrap_or_default(), value.to_owned())),
            "authentication-method" => {
                let data = self.auth.take().and_then(|(_, data)| data);
                self.auth = Some((value.to_owned(), data));
            }
            // authentication-data, the last connect property.
            _ => {
                if value.len() > usize::from(u16::MAX) {
                    return Err(usage(format!(
                        "Property value too long for property {name}"
                    )));
                }
                let method = self.auth.take().map(|(m, _)| m).unwrap_or_default();
                self.auth = Some((method, Some(Bytes::from(value.to_owned()))));
            }
        }
        Ok(())
    }

    /// The authenticator of `-D connect authentication-method`, if given.
    pub(crate) fn authenticator(&self) -> Result<Option<FixedAuth>, CliError> {
        match &self.auth {
            None => Ok(None),
            Some((method, _)) if method.is_empty() => Err(usage(
                "-D connect authentication-data needs -D connect authentication-method",
            )),
            Some((method, data)) => Ok(Some(FixedAuth {
                method: method.clone(),
                data: data.clone(),
            })),
        }
    }
}

/// A decimal number within `lo..=hi`, with mosquitto's message when out
/// of range.
fn number(name: &str, value: &str, lo: u64, hi: u64) -> Result<u64, CliError> {
    let n = value.trim().parse::<i128>().map_err(|_| {
        usage(format!(
            "Property value ({value}) is not a number for property {name}"
        ))
    })?;
    u64::try_from(n)
        .ok()
        .filter(|n| (lo..=hi).contains(n))
        .ok_or_else(|| {
            usage(format!(
                "Property value ({n}) out of range for property {name} ({lo} to {hi})"
            ))
        })
}

/// `-D connect authentication-method` (and `authentication-data`): the
/// method and data go into CONNECT as given. A broker that answers with an
/// AUTH challenge ends the attempt: fixed data cannot answer it (mosquitto's
/// clients cannot either).
#[derive(Debug)]
pub(crate) struct FixedAuth {
    method: String,
    data: Option<Bytes>,
}

impl Authenticator for FixedAuth {
    fn start(&self) -> mqttws::Result<(String, Option<Bytes>)> {
        Ok((self.method.clone(), self.data.clone()))
    }

    fn respond(&self, _challenge: Option<&[u8]>) -> mqttws::Result<Option<Bytes>> {
        Err(mqttws::Error::Auth(format!(
            "the broker answered the {} authentication with an AUTH challenge, which the fixed \
             -D connect authentication-data cannot answer",
            self.method
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(role: Role, all: &[&[&str]]) -> Result<Mqtt5, String> {
        let mut m = Mqtt5::default();
        let mut seen = HashSet::new();
        for args in all {
            let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
            m.add(&args, role, &mut seen).map_err(|e| e.to_string())?;
        }
        Ok(m)
    }

    #[test]
    fn properties_land_in_the_librarys_types_in_order() {
        let m = parse(
            Role::Pub,
            &[
                &["connect", "session-expiry-interval", "60"],
                &["CONNECT", "Receive-Maximum", "10"],
                &["connect", "topic-alias-maximum", "0"],
                &["connect", "maximum-packet-size", "4096"],
                &["connect", "request-problem-information", "0"],
                &["connect", "request-response-information", "1"],
                &["connect", "user-property", "a", "1"],
                &["connect", "authentication-data", "d"],
                &["connect", "authentication-method", "m"],
                &["publish", "user-property", "k", "v"],
                &["publish", "user-property", "k", "w"],
                &["publish", "payload-format-indicator", "1"],
                &["publish", "message-expiry-interval", "4294967295"],
                &["publish", "correlation-data", "c"],
                &["will", "will-delay-interval", "5"],
                &["will", "content-type", "text/plain"],
            ],
        )
        .unwrap();
        let c = &m.connect;
        assert_eq!(c.session_expiry_interval, Some(60));
        assert_eq!(c.receive_maximum, Some(10));
        assert_eq!(c.topic_alias_maximum, Some(0));
        assert_eq!(c.maximum_packet_size, Some(4096));
        assert_eq!(c.request_problem_information, Some(false));
        assert!(c.request_response_information);
        assert_eq!(c.user_properties, [("a".to_owned(), "1".to_owned())]);
        assert_eq!(m.auth, Some(("m".into(), Some(Bytes::from_static(b"d")))));
        let p = &m.publish;
        assert_eq!(p.user_properties.len(), 2);
        assert_eq!(p.user_properties[1], ("k".to_owned(), "w".to_owned()));
        assert_eq!(p.payload_format_utf8, Some(true));
        assert_eq!(p.message_expiry_interval, Some(u32::MAX));
        assert_eq!(p.correlation_data.as_deref(), Some(&b"c"[..]));
        assert_eq!(m.will_delay, Some(5));
        assert_eq!(m.will.content_type.as_deref(), Some("text/plain"));
        let m = parse(
            Role::Sub,
            &[
                &["subscribe", "subscription-identifier", "268435455"],
                &["unsubscribe", "user-property", "u", "v"],
            ],
        )
        .unwrap();
        assert_eq!(m.subscribe.subscription_identifier, Some(268_435_455));
        assert_eq!(m.unsubscribe, [("u".to_owned(), "v".to_owned())]);
    }

    #[test]
    fn bad_properties_are_refused_with_mosquittos_words() {
        for (role, args, want) in [
            (
                Role::Pub,
                &["connack", "reason-string", "x"][..],
                "not supported for connack",
            ),
            (
                Role::Pub,
                &["auth", "reason-string", "x"],
                "not supported for auth",
            ),
            (
                Role::Pub,
                &["will", "topic-alias", "1"],
                "not allowed for will",
            ),
            (
                Role::Pub,
                &["connect", "receive-maximum", "0"],
                "(0) out of range",
            ),
            (
                Role::Pub,
                &["connect", "receive-maximum", "-1"],
                "(-1) out of range",
            ),
            (
                Role::Pub,
                &["connect", "receive-maximum", "65536"],
                "out of range",
            ),
            (
                Role::Sub,
                &["subscribe", "subscription-identifier", "0"],
                "out of range",
            ),
            (Role::Pub, &["publish", "user-property", "k"], "not enough"),
        ] {
            let err = parse(role, &[args]).unwrap_err();
            assert!(err.contains(want), "{args:?}: {err}");
        }
        let m = parse(Role::Pub, &[&["connect", "authentication-data", "d"]]).unwrap();
        assert!(m.authenticator().is_err());
    }

    #[test]
    fn session_expiry_takes_mosquittos_spellings_of_never() {
        for never in ["-1", "4294967295", "∞"] {
            assert_eq!(session_expiry(never).unwrap(), u32::MAX, "{never}");
        }
        assert_eq!(session_expiry("0").unwrap(), 0);
        assert_eq!(session_expiry("4294967294").unwrap(), 4_294_967_294);
        for bad in ["-2", "4294967296", "1h", ""] {
            assert!(session_expiry(bad).is_err(), "{bad}");
        }
    }
}
