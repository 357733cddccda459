//! Replays the fuzz seed corpus (`core/fuzz/corpus/session_input/`, plus any crash
//! inputs added there) through the same driver as the `session_input` fuzz target, as a
//! normal test in `make test`. `make fuzz` runs the fuzzer itself for 60 s.
//!
//! Each seed is also replayed cut at every length and with every single byte replaced
//! by a few values: a small, deterministic mutation round that needs no nightly
//! toolchain.

mod fuzz_driver;

use std::fs;
use std::path::PathBuf;

fn corpus() -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/session_input");
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
fn replay(name: &str, data: &[u8]) {
    if let Err(panic) = std::panic::catch_unwind(|| fuzz_driver::run(data)) {
        let why = panic
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| panic.downcast_ref::<&str>().copied())
            .unwrap_or("?");
        panic!("{name} ({} bytes, {data:02x?}) panicked: {why}", data.len());
    }
}

#[test]
fn every_corpus_input_runs_without_panicking() {
    let files = corpus();
    assert!(
        files.len() >= 8,
        "the seed corpus is missing ({} files)",
        files.len()
    );
    for (name, data) in &files {
        replay(name, data);
    }
}

#[test]
fn truncated_and_mutated_seeds_run_without_panicking() {
    for (name, data) in corpus() {
        if data.len() > 512 {
            continue;
        }
        for len in 0..data.len() {
            replay(&format!("{name}[..{len}]"), &data[..len]);
        }
        for i in 0..data.len() {
            for value in [0x00, 0xff, data[i] ^ 0x80, data[i].wrapping_add(1)] {
                let mut mutated = data.clone();
                mutated[i] = value;
                replay(&format!("{name} with byte {i} = {value:#04x}"), &mutated);
            }
        }
    }
}
