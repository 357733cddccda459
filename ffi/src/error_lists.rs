//! The error list exists once: `mqttws_result` and its `ALL`. Every other
//! face keeps a list of its own for its users, and these tests fail, saying
//! what drifted and how to fix it, when one of them differs:
//!
//! * `ALL` against the enum in the generated `include/mqttws.h`;
//! * the Go constants (`CodeX Code = n`), the compile-time proof that they
//!   equal the header's, and the `Err*` sentinels in `bindings/go/errors.go`;
//! * the Python exception of each code: the core `ErrorKind` mapping in
//!   `bindings/python/src/errors.rs`, the classes of
//!   `python/mqttws/exceptions.py` and their re-export in `__init__.py`;
//! * the list of `tests/c/test_misuse.c`;
//! * every core `ErrorKind` has a code here and a Python class there.
//!
//! [`faces`] is an exhaustive `match`: a code added to the enum does not
//! compile here until its Go sentinel and Python class are named.

use std::path::Path;

use mqttws_core::ErrorKind;

use crate::error::{code_of_kind, mqttws_result};

/// How the Go binding lets `errors.Is` recognise a code.
enum Sentinel {
    /// A sentinel of its own: `Name = &Error{Code: CodeX}`.
    Own(&'static str),
    /// A sentinel whose `Is` groups several codes (`ErrRefused`...).
    Shared(&'static str),
    /// None: the code never reaches Go users (success, or handled inside
    /// the binding).
    NotSurfaced,
}

/// What each face shows for `code`: the Go sentinel, and the core
/// `ErrorKind` and Python exception class when the core produces it.
fn faces(code: mqttws_result) -> (Sentinel, Option<(&'static str, &'static str)>) {
    use Sentinel::*;
    use mqttws_result::*;
    match code {
        // Go: success. Python: no exception.
        MQTTWS_OK => (NotSurfaced, None),
        // Python: pyo3 raises its PanicException.
        MQTTWS_PANIC => (Own("ErrPanic"), None),
        // C misuse; Python raises the builtin TypeError or InvalidArgument.
        MQTTWS_NULL_PARAMETER | MQTTWS_INVALID_PARAMETER => (Shared("ErrInvalidArgument"), None),
        // Go grows its buffer (copyText); Python has no buffers.
        MQTTWS_INSUFFICIENT_SIZE => (NotSurfaced, None),
        // Go and Python have no message callback of the C library.
        MQTTWS_REENTRANT => (NotSurfaced, None),
        // Python owns the client directly.
        MQTTWS_BUSY => (Own("ErrBusy"), None),
        MQTTWS_INTERRUPTED => (Own("ErrInterrupted"), Some(("Interrupted", "Interrupted"))),
        MQTTWS_INVALID_ARGUMENT => (
            Own("ErrInvalidArgument"),
            Some(("InvalidArgument", "InvalidArgument")),
        ),
        // Python: a kind it does not know is the base class, MqttError.
        MQTTWS_UNKNOWN => (Own("ErrUnknown"), None),
        MQTTWS_IO => (Own("ErrIO"), Some(("Io", "IoError"))),
        MQTTWS_TIMEOUT => (Own("ErrTimeout"), Some(("Timeout", "TimeoutError"))),
        MQTTWS_ACK_TIMEOUT => (Own("ErrAckTimeout"), Some(("Timeout", "TimeoutError"))),
        MQTTWS_PROXY => (Own("ErrProxy"), Some(("Proxy", "ProxyError"))),
        MQTTWS_TLS => (Own("ErrTLS"), Some(("Tls", "TlsError"))),
        MQTTWS_HANDSHAKE => (Own("ErrHandshake"), Some(("Handshake", "HandshakeError"))),
        MQTTWS_PROTOCOL => (Own("ErrProtocol"), Some(("Protocol", "ProtocolError"))),
        MQTTWS_CONNACK_UNACCEPTABLE_PROTOCOL_VERSION
        | MQTTWS_CONNACK_IDENTIFIER_REJECTED
        | MQTTWS_CONNACK_SERVER_UNAVAILABLE
        | MQTTWS_CONNACK_BAD_USERNAME_OR_PASSWORD
        | MQTTWS_CONNACK_NOT_AUTHORIZED
        | MQTTWS_CONNACK_REFUSED => (
            Shared("ErrRefused"),
            Some(("ConnectionRefused", "ConnectionRefused")),
        ),
        MQTTWS_CLOSED => (Own("ErrClosed"), Some(("Closed", "ClosedError"))),
        // Python: subscribe() returns None for a refused filter.
        MQTTWS_SUBSCRIBE_REFUSED => (Own("ErrSubscribeRefused"), None),
        MQTTWS_QUEUE_FULL => (Own("ErrQueueFull"), Some(("QueueFull", "QueueFullError"))),
        MQTTWS_REJECTED => (Own("ErrRejected"), Some(("Rejected", "RejectedError"))),
        MQTTWS_AUTH => (Own("ErrAuth"), Some(("Auth", "AuthError"))),
    }
}

/// A repository file, as text.
fn read(path: &str) -> String {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The C name of a code, e.g. `MQTTWS_CLOSED`.
fn name(code: mqttws_result) -> String {
    format!("{code:?}")
}

/// The Go constant of a code: `MQTTWS_ACK_TIMEOUT` -> `CodeAckTimeout`,
/// with Go's initialisms (`CodeOK`, `CodeIO`, `CodeTLS`).
fn go_name(code: mqttws_result) -> String {
    let mut out = String::from("Code");
    for word in name(code).trim_start_matches("MQTTWS_").split('_') {
        if matches!(word, "OK" | "IO" | "TLS") {
            out.push_str(word);
        } else {
            out.push_str(&word[..1]);
            out.push_str(&word[1..].to_ascii_lowercase());
        }
    }
    out
}

/// The lines between the first line containing `start` and the next line
/// starting (after indentation) with `end`.
fn block<'a>(text: &'a str, start: &str, end: &str) -> Vec<&'a str> {
    text.lines()
        .skip_while(|l| !l.contains(start))
        .skip(1)
        .take_while(|l| !l.trim_start().starts_with(end))
        .collect()
}

/// The quoted names of a Python `__all__ = [...]`.
fn python_all(text: &str) -> Vec<String> {
    block(text, "__all__ = [", "]")
        .iter()
        .map(|l| l.trim().trim_end_matches(',').trim_matches('"').to_owned())
        .collect()
}

/// Fails with every problem found, one per line.
fn assert_no_drift(what: &str, problems: Vec<String>) {
    assert!(
        problems.is_empty(),
        "{what} drifted from mqttws_result (ffi/src/error.rs):\n  - {}",
        problems.join("\n  - ")
    );
}

#[test]
fn all_lists_the_header_enum_in_order() {
    let header = read("include/mqttws.h");
    // `enum mqttws_result` (then its C23 base type), `{`, the variants, `};`.
    let in_header: Vec<(String, u32)> = block(&header, "enum mqttws_result", "}")
        .iter()
        .filter_map(|l| {
            let (n, v) = l.trim().trim_end_matches(',').split_once(" = ")?;
            Some((n.to_owned(), v.parse().ok()?))
        })
        .collect();
    let all: Vec<(String, u32)> = mqttws_result::ALL
        .iter()
        .map(|c| (name(*c), *c as u32))
        .collect();
    let mut problems = Vec::new();
    for (n, v) in &in_header {
        if !all.contains(&(n.clone(), *v)) {
            problems.push(format!(
                "mqttws_result::ALL lacks {n} (= {v}) of include/mqttws.h: add it to ALL \
                 (in the enum's order) and raise ALL's length"
            ));
        }
    }
    if problems.is_empty() && in_header != all {
        problems.push(format!(
            "mqttws_result::ALL is not in the enum's order: {:?}",
            all.iter().map(|(n, _)| n).collect::<Vec<_>>()
        ));
    }
    assert_no_drift("ALL", problems);
}

#[test]
fn go_constants_proof_and_sentinels_match_the_enum() {
    let go = read("bindings/go/errors.go");
    let consts: Vec<(String, u32)> = block(&go, "// The result codes of mqttws.h", ")")
        .iter()
        .filter_map(|l| match l.split_whitespace().collect::<Vec<_>>()[..] {
            [n, "Code", "=", v] => Some((n.to_owned(), v.parse().ok()?)),
            _ => None,
        })
        .collect();
    let mut problems = Vec::new();
    for code in mqttws_result::ALL {
        let (c, g, v) = (name(code), go_name(code), code as u32);
        match consts.iter().find(|(n, _)| *n == g) {
            None => problems.push(format!(
                "bindings/go/errors.go has no constant for {c}: add `{g} Code = {v}` to the \
                 const block"
            )),
            Some((_, n)) if *n != v => problems.push(format!(
                "bindings/go/errors.go: {g} is {n}, {c} is {v}: fix it"
            )),
            Some(_) => {}
        }
        if !go.contains(&format!("int(C.{c})-int({g})")) {
            problems.push(format!(
                "bindings/go/errors.go: the compile-time proof lacks {c}: add \
                 `int(C.{c})-int({g})+` to it"
            ));
        }
        let sentinel = match faces(code).0 {
            Sentinel::Own(s) => Some((s, format!("{s} = &Error{{Code: {g}}}"))),
            Sentinel::Shared(s) => Some((s, format!("{s} = &Error{{"))),
            Sentinel::NotSurfaced => None,
        };
        if let Some((s, decl)) = sentinel
            && !go.contains(&decl)
        {
            problems.push(format!(
                "bindings/go/errors.go has no sentinel {s} for {c}: add `{decl}...` to the \
                 sentinels (or name another one in ffi/src/error_lists.rs, faces())"
            ));
        }
    }
    for (n, v) in &consts {
        if !mqttws_result::ALL.iter().any(|c| go_name(*c) == *n) {
            problems.push(format!(
                "bindings/go/errors.go: {n} = {v} is no code of mqttws_result: remove it"
            ));
        }
    }
    assert_no_drift("The Go binding's error list", problems);
}

#[test]
fn python_maps_every_kind_the_codes_carry_onto_an_exported_class() {
    let mapping = read("bindings/python/src/errors.rs");
    let exceptions = read("bindings/python/python/mqttws/exceptions.py");
    let package = read("bindings/python/python/mqttws/__init__.py");
    let (exported, reexported) = (python_all(&exceptions), python_all(&package));
    let mut problems = Vec::new();
    let mut classes = vec!["MqttError"];
    for code in mqttws_result::ALL {
        let Some((kind, class)) = faces(code).1 else {
            continue;
        };
        classes.push(class);
        let c = name(code);
        let arm = format!("ErrorKind::{kind} => \"{class}\"");
        if !mapping.contains(&arm) {
            problems.push(format!(
                "bindings/python/src/errors.rs (class_name) lacks `{arm},` for {c}"
            ));
        }
        if !exceptions.contains(&format!("\nclass {class}("))
            || !exported.iter().any(|e| e == class)
        {
            problems.push(format!(
                "bindings/python/python/mqttws/exceptions.py lacks class {class} (for {c}) or \
                 its name in __all__: define it, a subclass of MqttError"
            ));
        }
        if !reexported.iter().any(|e| e == class) {
            problems.push(format!(
                "bindings/python/python/mqttws/__init__.py does not re-export {class} (for \
                 {c}): import it from .exceptions and add it to __all__"
            ));
        }
    }
    for class in &exported {
        if !classes.contains(&class.as_str()) {
            problems.push(format!(
                "bindings/python/python/mqttws/exceptions.py exports {class}, which no code \
                 maps to: name it in ffi/src/error_lists.rs, faces(), or remove it"
            ));
        }
    }
    assert_no_drift("The Python exceptions", problems);
}

#[test]
fn every_core_error_kind_has_a_code_and_a_python_class() {
    let mut problems = Vec::new();
    for kind in ErrorKind::ALL {
        let k = format!("{kind:?}");
        if code_of_kind(*kind) == mqttws_result::MQTTWS_UNKNOWN {
            problems.push(format!(
                "ErrorKind::{k} (core) has no result code: give it one in ffi/src/error.rs \
                 (the enum, ALL, text() and code_of_kind)"
            ));
        }
        if !mqttws_result::ALL
            .iter()
            .any(|c| faces(*c).1.is_some_and(|(pk, _)| pk == k))
        {
            problems.push(format!(
                "ErrorKind::{k} (core) has no Python exception: name its class in \
                 ffi/src/error_lists.rs (faces()) and map it in bindings/python/src/errors.rs"
            ));
        }
    }
    assert_no_drift("The core's ErrorKind", problems);
}

#[test]
fn the_c_tests_list_every_code() {
    let test = read("tests/c/test_misuse.c");
    let listed: Vec<String> = block(&test, "static const mqttws_result codes[] = {", "}")
        .iter()
        .map(|l| l.trim().trim_end_matches(',').to_owned())
        .collect();
    let all: Vec<String> = mqttws_result::ALL.iter().map(|c| name(*c)).collect();
    let mut problems = Vec::new();
    for c in &all {
        if !listed.contains(c) {
            problems.push(format!(
                "tests/c/test_misuse.c (test_result_codes_and_version) does not list {c}: add \
                 it to codes[], in the enum's order"
            ));
        }
    }
    for c in &listed {
        if !all.contains(c) {
            problems.push(format!(
                "tests/c/test_misuse.c lists {c}, which is no code of mqttws_result: remove it"
            ));
        }
    }
    if problems.is_empty() && listed != all {
        problems.push("tests/c/test_misuse.c lists the codes out of the enum's order".into());
    }
    assert_no_drift("The C tests' list", problems);
}

#[test]
fn go_names_follow_go_initialisms() {
    assert_eq!(go_name(mqttws_result::MQTTWS_OK), "CodeOK");
    assert_eq!(go_name(mqttws_result::MQTTWS_TLS), "CodeTLS");
    assert_eq!(
        go_name(mqttws_result::MQTTWS_CONNACK_BAD_USERNAME_OR_PASSWORD),
        "CodeConnackBadUsernameOrPassword"
    );
}
