//! # mqttws: MQTT 3.1.1 and 5.0 over WebSocket, with cloud platform signers
//!
//! A blocking MQTT client (3.1.1 by default, 5.0 with
//! [`ClientOptions::protocol_version`]) that speaks WebSocket (`ws://`, and `wss://`
//! with rustls), for devices and services that must reach IoT clouds through
//! ports 80/443, firewalls and proxies. It is the engine under the C ABI
//! (`mqttws-ffi`), the Python package and the Go module.
//!
//! ## Quick start
//!
//! ```no_run
//! use std::time::Duration;
//! use mqttws::{Client, ClientOptions, QoS};
//!
//! let client = Client::new(
//!     ClientOptions::new("wss://broker.example.com/mqtt").client_id("sensor-17"),
//! )?;
//! client.connect()?;
//! client.subscribe(&[("sensors/#", QoS::AtLeastOnce)])?;
//! client.publish_and_wait("sensors/17/temp", "21.5", QoS::AtLeastOnce, false)?;
//! if let Some(msg) = client.recv(Some(Duration::from_secs(5)))? {
//!     println!("{}: {:?}", msg.topic, msg.payload);
//! }
//! client.disconnect()?;
//! # Ok::<(), mqttws::Error>(())
//! ```
//!
//! MQTT 5: properties on a publish, reason codes back.
//!
//! ```no_run
//! use mqttws::{Client, ClientOptions, ProtocolVersion, PublishProperties, QoS};
//!
//! let client = Client::new(
//!     ClientOptions::new("wss://broker.example.com/mqtt").protocol_version(ProtocolVersion::V5),
//! )?;
//! let info = client.connect()?;
//! println!("assigned id: {:?}", info.properties.assigned_client_identifier);
//! let properties = PublishProperties {
//!     content_type: Some("application/json".into()),
//!     message_expiry_interval: Some(60),
//!     ..PublishProperties::default()
//! };
//! if let Some(id) = client.publish_with("sensors/17", "{}", QoS::AtLeastOnce, false, properties)? {
//!     // Err(Error::Rejected { code, .. }) if the broker refused it.
//!     client.wait_for(id, None)?;
//! }
//! # Ok::<(), mqttws::Error>(())
//! ```
//!
//! ## Design overview
//!
//! ```text
//!  application threads (any number, at once)
//!      │  publish / subscribe / poll / recv / interrupt
//!      ▼
//!  Client (Send + Sync; blocking driver, no threads of its own) ─ client/
//!      │  handle_bytes / handle_timeout / poll_transmit / poll_event
//!      ▼
//!  Session (sans-IO MQTT state: ids, QoS 1/2, keepalive) ──────── session.rs
//!  Link (sans-IO life cycle: reconnect back-off, WebSocket pings) link.rs
//!      │  one encoded packet per frame ⇅ any split of the stream
//!      ▼
//!  codec (MQTT 3.1.1 + 5.0 packets, properties) ────────────────── codec/
//!      ▼
//!  WebSocket (own framing) ⇄ TLS (rustls + ring) ⇄ TCP (mio) ──── transport/
//!
//!  auth/: per-platform credential providers (Tencent, Alibaba, AWS, Azure,
//!  Huawei), called at every connection attempt with the wall clock.
//!  store.rs: the durable store of outgoing QoS 1/2 messages (opt-in).
//! ```
//!
//! Layers are testable alone: the codec with byte splits, the session and
//! the link with a virtual clock (the session with a fake broker in memory),
//! the client against a real mosquitto. The crate has no `unsafe` code.
//!
//! The client, transport and store are the default feature `native`.
//! Without it, the sans-IO layers (session, link, codec) and the signers
//! build for `wasm32-unknown-unknown` too, where `bindings/js` drives them
//! from JavaScript over the browser's WebSocket; their clock is
//! [`Instant`] (`web_time::Instant` there).

#![forbid(unsafe_code)]
#![warn(missing_docs, unreachable_pub)]

pub mod auth;
#[cfg(feature = "native")]
pub mod client;
pub mod codec;
mod deadline;
pub mod error;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
pub mod link;
pub mod properties;
pub mod session;
#[cfg(feature = "native")]
pub mod store;
#[cfg(feature = "native")]
pub mod transport;

pub use bytes::Bytes;
#[cfg(feature = "native")]
pub use client::{Client, ClientOptions, ConnectInfo, InterruptHandle, SubscribeReply, WallClock};
pub use codec::{ProtocolVersion, QoS, qos_from_u8};
pub use error::{ConnectReturnCode, Error, ErrorKind, Result, TimeoutPhase};
pub use link::ReconnectPolicy;
pub use properties::{
    ConnAckProperties, ConnectProperties, PublishProperties, RetainHandling, SubscribeOptions,
    SubscribeProperties, UserProperty,
};
pub use session::{
    Authenticator, ConnectParams, Event, IncomingQueue, Message, OfflineQueue, PacketId, QueueFull,
    Session, SessionConfig, Will,
};
#[cfg(feature = "native")]
pub use transport::proxy::{ProxyConfig, ProxyKind};
#[cfg(feature = "native")]
pub use transport::tls::{Pem, TlsOptions};
#[cfg(feature = "native")]
pub use transport::url::WsUrl;

/// The monotonic clock of the sans-IO layer ([`Session`], [`link::Link`]):
/// `std::time::Instant`, except on wasm32 in a browser or Node, where
/// `std::time::Instant::now()` traps and `web_time::Instant` (the same API
/// over `performance.now()`) stands in.
#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
pub use std::time::Instant;
/// The monotonic clock of the sans-IO layer ([`Session`], [`link::Link`]):
/// `std::time::Instant`, except on wasm32 in a browser or Node, where
/// `std::time::Instant::now()` traps and `web_time::Instant` (the same API
/// over `performance.now()`) stands in.
#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
pub use web_time::Instant;

/// The README's Rust examples, compiled as doctests so that they keep working
/// when pasted.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
