//! The one copy of the logic behind every fuzz target: each
//! `core/fuzz/fuzz_targets/<name>.rs` includes this module by path and runs
//! [`run_target`]`("<name>", data)`, and the replay test
//! (`core/tests/fuzz_corpus.rs`, part of `cargo test`) runs the seed corpus
//! `core/fuzz/corpus/<name>/` of every entry of [`TARGETS`] through the
//! same functions, without nightly.
//!
//! A target returns normally for every input, valid or not; it panics only
//! when the code under test panics or breaks one of the properties the
//! target's module lists. Targets that reach private parsers go through
//! `mqttws::fuzzing` (the crate's `fuzzing` feature).

pub mod no_proxy;
pub mod proxy_reply;
pub mod session_input;
pub mod store_replay;
pub mod upgrade_response;
pub mod urls;
pub mod ws_frames;

/// A target's name (the fuzz binary, and the directory of its seed corpus)
/// and its function.
pub type Target = (&'static str, fn(&[u8]));

/// Every target. `core/fuzz/Cargo.toml` has one `[[bin]]` per entry; the
/// replay test checks that the two lists agree.
pub const TARGETS: &[Target] = &[
    ("session_input", session_input::run),
    ("ws_frames", ws_frames::run),
    ("upgrade_response", upgrade_response::run),
    ("http_connect_reply", proxy_reply::run_http),
    ("socks5_reply", proxy_reply::run_socks5),
    ("ws_url", urls::run_ws_url),
    ("proxy_url", urls::run_proxy_url),
    ("no_proxy", no_proxy::run),
    ("store_replay", store_replay::run),
];

/// Runs `data` through the target called `name`.
pub fn run_target(name: &str, data: &[u8]) {
    match TARGETS.iter().find(|(n, _)| *n == name) {
        Some((_, run)) => run(data),
        None => panic!("no fuzz target {name:?} in fuzz_driver::TARGETS"),
    }
}

/// xorshift64*, seeded from the input: decisions (chunk sizes, clock jumps,
/// commands) that depend on the input deterministically, without spending
/// input bytes on them. No dependencies.
pub struct Gen(u64);

impl Gen {
    /// A generator seeded by the first 8 bytes of `data`.
    pub fn new(data: &[u8]) -> Self {
        let seed = data.iter().take(8).fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
        });
        Gen(seed | 1)
    }

    /// The next 64 random bits.
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Uniform-ish in `0..n` (`n` > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// A piece size for data arriving from a network: often one byte or a
    /// few, sometimes up to `max`.
    pub fn piece(&mut self, max: usize) -> usize {
        let limit = match self.below(4) {
            0 => 1,
            1 => 7,
            2 => 64,
            _ => max as u64,
        };
        1 + self.below(limit.clamp(1, max.max(1) as u64)) as usize
    }

    /// `data` cut into pieces of sizes from [`Gen::piece`], none empty.
    pub fn split<'a>(&mut self, mut data: &'a [u8], max: usize) -> Vec<&'a [u8]> {
        let mut pieces = Vec::new();
        while !data.is_empty() {
            let (piece, rest) = data.split_at(self.piece(max).min(data.len()));
            pieces.push(piece);
            data = rest;
        }
        pieces
    }
}

/// Characters a secret is checked for by [`assert_no_secret`]: those of
/// signatures, tokens and percent-encoded values. Redaction puts
/// `<redacted>` and `: ` into the text, which could complete a secret made
/// of other characters; such a secret would be a contrived one.
pub fn is_secret_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "%-_.~+/=".contains(c)
}

/// Panics if `text` shows one of `secrets` (those of at least 6 characters,
/// all [`is_secret_char`]) outside the `<redacted>` markers.
pub fn assert_no_secret<'a>(what: &str, text: &str, secrets: impl IntoIterator<Item = &'a str>) {
    for secret in secrets {
        if secret.len() < 6 || !secret.chars().all(is_secret_char) {
            continue;
        }
        for piece in text.split("<redacted>") {
            assert!(
                !piece.contains(secret),
                "{what} shows the secret {secret:?}: {text:?}"
            );
        }
    }
}
