//! # mqttws: MQTT 3.1.1 over WebSocket, with cloud platform signers
//!
//! A blocking MQTT 3.1.1 client that speaks WebSocket (`ws://`, and `wss://`
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
//! let mut client = Client::new(
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
//! ## Design overview
//!
//! ```text
//!  application
//!      │  publish / subscribe / poll / recv / interrupt         client.rs
//!      ▼
//!  Client (blocking driver: deadlines, no threads) ──────────── client.rs
//!      │  handle_bytes / handle_timeout / poll_transmit / poll_event
//!      ▼
//!  Session (sans-IO MQTT state: ids, QoS 1/2, keepalive) ────── session.rs
//!      │  one encoded packet per frame ⇅ any split of the stream
//!      ▼
//!  codec (mqttbytes v4, wrapped) ─────────────────────────────── codec.rs
//!      ▼
//!  WebSocket (tungstenite) ⇄ TLS (rustls + ring) ⇄ TCP (mio) ── transport/
//!
//!  auth/: per-platform credential providers (Tencent, Alibaba, AWS, Azure,
//!  Huawei), called at every connection attempt with the wall clock.
//! ```
//!
//! Layers are testable alone: the codec with byte splits, the session with a
//! virtual clock and a fake broker in memory, the client against a real
//! mosquitto. The crate has no `unsafe` code.

#![forbid(unsafe_code)]
#![warn(missing_docs, unreachable_pub)]

pub mod auth;
pub mod client;
pub mod codec;
mod deadline;
pub mod error;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
pub mod session;
pub mod store;
pub mod transport;

pub use bytes::Bytes;
pub use client::{Client, ClientOptions, ConnectInfo, ReconnectPolicy, WallClock};
pub use codec::{QoS, qos_from_u8};
pub use error::{ConnectReturnCode, Error, ErrorKind, Result, TimeoutPhase};
pub use session::{
    ConnectParams, Event, IncomingQueue, Message, OfflineQueue, PacketId, QueueFull, Session,
    SessionConfig, Will,
};
pub use transport::InterruptHandle;
pub use transport::proxy::{ProxyConfig, ProxyKind};
pub use transport::tls::{Pem, TlsOptions};
pub use transport::url::WsUrl;

/// The README's Rust examples, compiled as doctests so that they keep working
/// when pasted.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
