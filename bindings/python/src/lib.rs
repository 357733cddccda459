//! `mqttws._mqttws`: the native half of the `mqttws` Python package.
//!
//! ```text
//!  Python threads ── mqttws.Client ── Arc<mqttws::Client> ── socket
//!                        │  (GIL released during every blocking call;
//!                        │   waits run in 50 ms slices, other calls of the
//!                        │   main thread on a helper thread: Ctrl-C)
//!  mqttws.auth ───────── platform signers (core auth/), fresh per connect
//!  mqttws.exceptions ─── one class per core ErrorKind (pure Python)
//! ```
//!
//! It wraps the Rust core directly (not the C ABI). The pure-Python package
//! (`python/mqttws/`) re-exports these names, defines the exception classes
//! and holds the typing stub `_mqttws.pyi`, which `mypy.stubtest` checks
//! against this module.

use pyo3::prelude::*;

mod auth;
mod client;
mod convert;
mod errors;
mod events;
mod resilience;
mod signals;
mod v5;

/// Native core of the mqttws package: MQTT 3.1.1 and 5.0 over WebSocket.
#[pymodule(gil_used = false)]
mod _mqttws {
    #[pymodule_export]
    use super::auth::{
        AliyunDevice, AwsCustomAuth, AwsSigV4, AzureDevice, Credentials, HuaweiDevice, Platform,
        TencentDevice, credentials_once,
    };
    #[pymodule_export]
    use super::client::{Client, Message, MessageIterator, PublishHandle, Will};
    #[pymodule_export]
    use super::events::{
        Connected, Disconnected, Downgraded, Dropped, Published, Reconnecting, Rejected,
        ServerDisconnected, StoreDamaged, Subscribed, Unsubscribed,
    };
    #[pymodule_export]
    use super::v5::{ConnAckProperties, PublishProperties, SubscribeReply};

    /// `protocol_version=MQTTv311`: MQTT 3.1.1, the default (paho-mqtt's name).
    #[pymodule_export]
    #[allow(non_upper_case_globals)]
    const MQTTv311: i64 = super::v5::MQTT_V311;

    /// `protocol_version=MQTTv5`: MQTT 5.0 (paho-mqtt's name).
    #[pymodule_export]
    #[allow(non_upper_case_globals)]
    const MQTTv5: i64 = super::v5::MQTT_V5;
    #[pymodule_export]
    use super::resilience::{OfflineQueue, ReconnectPolicy};

    /// Whether `topic` matches the subscription `filter` as a broker matches
    /// it: `+` is one level, a final `#` any number of levels (`a/#` matches
    /// `a`), and filters starting with a wildcard do not match topics that
    /// start with `$`. An invalid filter matches nothing.
    #[pyfunction]
    fn topic_matches(filter: &str, topic: &str) -> bool {
        mqttws::codec::topic_matches(filter, topic)
    }

    use pyo3::prelude::*;

    #[pymodule_init]
    fn init(m: &Bound<'_, PyModule>) -> PyResult<()> {
        m.add("__version__", env!("CARGO_PKG_VERSION"))?;
        Ok(())
    }
}
