//! # mqttws for JavaScript: the core's session, link and signers as WebAssembly
//!
//! The npm package `mqttws` (built by `make js` into `bindings/js/pkg/`) is
//! the same engine as the C, Python and Go faces, for browsers and Node 20+.
//!
//! ## Design overview
//!
//! ```text
//!  application (browser page, Node service)
//!      │  connect / publish / subscribe / messages() / close
//!      ▼
//!  js/index.js: the driver (hand-written, no deps) ─ owns the WebSocket
//!      │  and the one timer; no MQTT logic          (browser's, or npm ws)
//!      │  connect / handleBytes / handleTimeout / pollTransmit /
//!      │  pollEvent / pollTimeout / takeMessage
//!      ▼
//!  Engine (this crate, wasm-bindgen) ─ Session + Link of the core
//!      ▼
//!  mqttws core without `native`: session.rs, link.rs, codec.rs, auth/
//! ```
//!
//! The split is the core's sans-IO boundary: everything about MQTT (packet
//! ids, QoS 1/2 flows, keepalive, retransmission with DUP, the offline
//! queue, reconnect back-off, subscription restore) runs in Rust; the driver
//! only moves bytes between the WebSocket and the [`Engine`], arms a timer
//! for [`Engine::poll_timeout`] and turns events into promise settlements.
//! Signers are the core's `auth` builders behind one function per platform,
//! taking the option names of the Python package in camelCase.
//!
//! ## Rules
//!
//! * Time: the engine reads the monotonic clock itself
//!   (`mqttws::Instant`, `performance.now()` on wasm32) and gets the jitter
//!   draw for the back-off from the driver (`Math.random()`); signers take
//!   the wall clock as `now` in milliseconds since the epoch (the driver
//!   passes `Date.now()` unless the caller gave one).
//! * Errors cross as plain objects `{ kind, message, ... }` (see
//!   `value.rs`); the driver turns them into `Error` subclasses, one per
//!   core `ErrorKind`. Their texts are the core's, which never hold a
//!   secret.
//! * Options objects are read by name (`value::Options`): a missing
//!   required option, a wrong type or an unknown name is InvalidArgument.
//! * A panic aborts the wasm call with a `RuntimeError`. wasm-bindgen then
//!   refuses every later call on the same `Engine` ("recursive use"), so
//!   the driver marks that one client dead; other clients, which have their
//!   own `Engine`, go on.

mod engine;
mod signers;
mod value;

pub use engine::Engine;
pub use signers::{
    aliyun_credentials, aws_credentials, aws_custom_auth_credentials, azure_credentials,
    huawei_credentials, tencent_credentials,
};
