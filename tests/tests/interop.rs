//! The interop matrix (docs/interop.md): every check of `mqttws_tests::interop`, over ws
//! and wss, in MQTT 3.1.1 and (as each check and broker allow) 5, against one broker per
//! test. The brokers must be installed first
//! (`make interop-deps`), so the tests are ignored by a plain `cargo test`; run them
//! with `make interop` (all, then the docs) or `make interop-test` (the subset that
//! `make test` runs), or by hand:
//!
//! ```text
//! cargo test -p mqttws-tests --test interop -- --ignored --test-threads 1 aedes
//! ```
//!
//! Each test writes its results to `target/interop/results/NAME.tsv` (for
//! `mqttws-interop-doc`) and fails when an outcome differs from the expectation: a check
//! that fails with no known defect to explain it, or a known defect that did not show.

use mqttws_tests::interop::{self, Outcome};

fn matrix(name: &str) {
    let report = interop::run(name).unwrap_or_else(|e| panic!("{e}"));
    let dir = interop::results_dir();
    std::fs::create_dir_all(&dir).expect("create the results directory");
    let path = dir.join(format!("{name}.tsv"));
    std::fs::write(&path, report.to_tsv()).expect("write the results");
    let red = report.red();
    let why: Vec<String> = red
        .iter()
        .map(|r| {
            let detail = match &r.outcome {
                Outcome::Pass => {
                    "passed, but a known defect says it fails (fixed upstream? update BROKERS)"
                }
                other => other.detail(),
            };
            format!(
                "{} over {} in MQTT {}: {detail}",
                r.check,
                r.transport.name(),
                interop::version_name(r.version)
            )
        })
        .collect();
    assert!(
        red.is_empty(),
        "{name}: {} unexpected outcome(s):\n  {}",
        red.len(),
        why.join("\n  ")
    );
}

macro_rules! brokers {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            #[ignore = "needs the broker installed: make interop / make interop-test"]
            fn $name() {
                matrix(stringify!($name));
            }
        )*

        /// Every broker of `BROKERS` has a test here, and no other.
        #[test]
        fn one_test_per_broker() {
            let mut tests = vec![$(stringify!($name)),*];
            let mut listed: Vec<&str> = interop::BROKERS.iter().map(|s| s.name).collect();
            tests.sort_unstable();
            listed.sort_unstable();
            assert_eq!(tests, listed);
        }
    };
}

brokers!(
    hivemq, artemis, ejabberd, aedes, mochi, activemq, amqtt, rumqttd, moquette, rabbitmq
);
