//! Fuzz target `ws_frames`: a server's WebSocket stream through the client's own framing, its MQTT bytes into a session. The logic and the
//! properties checked are in `core/tests/fuzz_driver/`, shared with the corpus
//! replay test `core/tests/fuzz_corpus.rs` (run by `make test`).
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../tests/fuzz_driver/mod.rs"]
mod driver;

fuzz_target!(|data: &[u8]| driver::run_target("ws_frames", data));
