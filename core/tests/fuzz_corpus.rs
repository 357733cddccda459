//! Replays the seed corpus of every fuzz target (`core/fuzz/corpus/<target>/`,
//! crash inputs included once added there) through the same driver as the
//! fuzz target (`fuzz_driver`), as a normal test in `make test`, without
//! nightly. `make fuzz` runs the fuzzers themselves.
//!
//! Each seed of up to 512 bytes is also replayed cut at every length and
//! with every single byte replaced by a few values: a small, deterministic
//! mutation round.

mod fuzz_driver;

use std::fs;
use std::path::{Path, PathBuf};

use fuzz_driver::TARGETS;

/// Fewest seeds a target's corpus may have.
const MIN_SEEDS: usize = 4;

fn fuzz_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

fn corpus(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = fuzz_dir().join("corpus").join(target);
    let mut files: Vec<(String, Vec<u8>)> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read the corpus {}: {e}", dir.display()))
        .map(|entry| {
            let path = entry.expect("corpus entry").path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let data = fs::read(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
            (name, data)
        })
        .collect();
    files.sort();
    files
}

/// Runs one input, naming it if it panics.
fn replay(target: &str, name: &str, data: &[u8]) {
    if let Err(panic) = std::panic::catch_unwind(|| fuzz_driver::run_target(target, data)) {
        let why = panic
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| panic.downcast_ref::<&str>().copied())
            .unwrap_or("?");
        panic!(
            "{target}: {name} ({} bytes, {data:02x?}) panicked: {why}",
            data.len()
        );
    }
}

#[test]
fn every_corpus_input_runs_without_breaking_a_property() {
    for &(target, _) in TARGETS {
        let files = corpus(target);
        assert!(
            files.len() >= MIN_SEEDS,
            "the seed corpus of {target} is missing ({} files)",
            files.len()
        );
        for (name, data) in &files {
            replay(target, name, data);
        }
    }
}

#[test]
fn truncated_and_mutated_seeds_run_without_breaking_a_property() {
    for &(target, _) in TARGETS {
        for (name, data) in corpus(target) {
            if data.len() > 512 {
                continue;
            }
            for len in 0..data.len() {
                replay(target, &format!("{name}[..{len}]"), &data[..len]);
            }
            for i in 0..data.len() {
                for value in [0x00, 0xff, data[i] ^ 0x80, data[i].wrapping_add(1)] {
                    let mut mutated = data.clone();
                    mutated[i] = value;
                    replay(
                        target,
                        &format!("{name} with byte {i} = {value:#04x}"),
                        &mutated,
                    );
                }
            }
        }
    }
}

/// The targets the driver knows, the fuzz crate builds and the corpora
/// cover are the same list, so that `make fuzz` runs what `make test`
/// replays.
#[test]
fn every_target_has_a_fuzz_binary_and_a_corpus() {
    let names: Vec<&str> = TARGETS.iter().map(|(name, _)| *name).collect();
    let manifest = fs::read_to_string(fuzz_dir().join("Cargo.toml")).expect("core/fuzz/Cargo.toml");
    let bins: Vec<&str> = manifest
        .lines()
        .filter_map(|l| l.strip_prefix("name = \""))
        .filter_map(|l| l.strip_suffix('"'))
        .filter(|n| *n != "mqttws-fuzz")
        .collect();
    assert_eq!(
        sorted(&bins),
        sorted(&names),
        "[[bin]]s of core/fuzz/Cargo.toml"
    );
    let listed = |dir: &Path, suffix: &str| -> Vec<String> {
        fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .filter_map(|e| {
                let name = e.ok()?.file_name().into_string().ok()?;
                Some(name.strip_suffix(suffix)?.to_owned())
            })
            .collect()
    };
    let files = listed(&fuzz_dir().join("fuzz_targets"), ".rs");
    let dirs = listed(&fuzz_dir().join("corpus"), "");
    for (what, found) in [("fuzz_targets/*.rs", files), ("corpus/*", dirs)] {
        let found: Vec<&str> = found.iter().map(String::as_str).collect();
        assert_eq!(sorted(&found), sorted(&names), "{what}");
    }
}

fn sorted<'a>(v: &[&'a str]) -> Vec<&'a str> {
    let mut v = v.to_vec();
    v.sort_unstable();
    v
}
