//! Writes `docs/interop.md` from the results of the interop matrix (`make interop`).
//!
//! ```text
//! mqttws-interop-doc [--results DIR] [--out FILE] [--readme FILE]
//! ```
//!
//! It also rewrites the table between the `interop:begin` and `interop:end` markers of
//! the README (what to set for each broker).
//!
//! Reads `DIR/NAME.tsv` (default `target/interop/results`, written by
//! `tests/tests/interop.rs`) for every broker of `mqttws_tests::interop::BROKERS`; every
//! one must be there. The prose, the settings and the known defects come from that list
//! too, so the page is never edited by hand.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use mqttws::ProtocolVersion;
use mqttws_tests::interop::{
    ANY_CHECK, BROKERS, Mqtt5, Outcome, Report, Spec, Transport, Verdict, all_checks, results_dir,
    version_name,
};

const INTRO: &str = "\
# Interop matrix

mqttws is tested against mosquitto 2.0 on every run (`make test`), and against the
brokers below by `make interop`: each is installed at a pinned version, started on free
loopback ports with a ws and a wss listener (path `/mqtt`, a test CA), and put through
the same checks over both transports, through the Rust client and through the C, Python
and Go faces, in MQTT 3.1.1 and, for the brokers that speak it, in MQTT 5 (where the
checks of MQTT 5's own features join them). `make test` runs the same matrix for
HiveMQ CE, Aedes and RabbitMQ.

A known broker defect is an expected failure, with its reason next to it
(`BROKERS` in `tests/src/interop.rs`): the run turns red when a check fails without a
known defect to explain it, and also when a known defect stops showing, so a broker
fixed upstream is noticed. NanoMQ, EMQX and VerneMQ are not in the matrix: none of them
can be installed from the package registries this project builds from.

This page is written by `make interop` (`mqttws-interop-doc`); do not edit it by hand.
";

const RUNNING: &str = "\
## Running it

```sh
make interop          # install what is missing, run every broker, rewrite this page
make interop-test     # the subset of `make test`: HiveMQ CE, Aedes, RabbitMQ
# one broker, once installed (tests/interop/broker install NAME):
cargo test -p mqttws-tests --test interop -- --ignored --test-threads 1 --nocapture amqtt
# a few checks only, while working on them:
MQTTWS_INTEROP_CHECKS=connect,topic-alias cargo test -p mqttws-tests --test interop -- --ignored --nocapture hivemq
```

Installs go to `target/interop/` and are redone only when a broker's files change.
Every broker is started and stopped the same way (`tests/interop/broker start NAME`,
then SIGTERM to it and to its process group), with its ports, certificates and
credentials in `IOP_*` variables (and `IOP_DENIED`, the topics its ACL refuses
publishes to, for `publish-refused`); `tests/interop/brokers/NAME/broker.sh` holds its
version, its install and its configuration, which is where to look for the exact
settings. The C, Python and Go checks run `tests/interop/lang/roundtrip.c`,
`roundtrip.py` and `go/`, pointed at the broker by `MQTTWS_URL`, `MQTTWS_CA_FILE`,
`MQTTWS_USERNAME`, `MQTTWS_PASSWORD` and `MQTTWS_TOPIC`.
";

fn main() -> ExitCode {
    let mut results = results_dir();
    let root = mqttws_tests::interop::repo_root();
    let mut out = root.join("docs/interop.md");
    let mut readme = root.join("README.md");
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match (a.as_str(), args.next()) {
            ("--results", Some(v)) => results = PathBuf::from(v),
            ("--out", Some(v)) => out = PathBuf::from(v),
            ("--readme", Some(v)) => readme = PathBuf::from(v),
            _ => {
                eprintln!("usage: mqttws-interop-doc [--results DIR] [--out FILE] [--readme FILE]");
                return ExitCode::from(2);
            }
        }
    }
    let mut reports = Vec::new();
    for spec in BROKERS {
        let path = results.join(format!("{}.tsv", spec.name));
        let report = std::fs::read_to_string(&path)
            .map_err(|e| format!("{}: {e} (run make interop)", path.display()))
            .and_then(|text| Report::parse(&text));
        match report {
            Ok(r) => reports.push(r),
            Err(e) => {
                eprintln!("mqttws-interop-doc: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    let page = render(&reports);
    if let Err(e) = std::fs::write(&out, page) {
        eprintln!("mqttws-interop-doc: cannot write {}: {e}", out.display());
        return ExitCode::FAILURE;
    }
    println!("mqttws-interop-doc: wrote {}", out.display());
    if let Err(e) = update_readme(&readme, &reports) {
        eprintln!("mqttws-interop-doc: {}: {e}", readme.display());
        return ExitCode::FAILURE;
    }
    println!("mqttws-interop-doc: updated {}", readme.display());
    ExitCode::SUCCESS
}

const README_BEGIN: &str = "<!-- interop:begin";
const README_END: &str = "<!-- interop:end -->";

/// Replaces the lines between the README's interop markers with the table of what to
/// set for each broker.
fn update_readme(path: &std::path::Path, reports: &[Report]) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let begin = text.find(README_BEGIN).ok_or("no interop:begin marker")?;
    let begin = begin + text[begin..].find('\n').ok_or("no line after the marker")? + 1;
    let end = text.find(README_END).ok_or("no interop:end marker")?;
    if end < begin {
        return Err("the interop markers are out of order".into());
    }
    let mut table =
        String::from("| broker | MQTT 5 | what to set | known defects |\n|---|---|---|---|\n");
    for r in reports {
        let s = r.spec;
        let mut set: Vec<String> = s.settings.iter().map(|x| x.to_string()).collect();
        if s.credentials {
            set.insert(0, "send a user name and a non-empty password".into());
        }
        let defects: Vec<String> = s
            .expected
            .iter()
            .map(|e| {
                let mut d = check_name(e.check);
                if let Some(v) = e.version {
                    let _ = write!(d, " (MQTT {})", version_name(v));
                }
                if e.flaky {
                    d.push_str(" (sometimes)");
                }
                d
            })
            .collect();
        let _ = writeln!(
            table,
            "| {} {} | {} | {} | {} |",
            s.title,
            r.version,
            if s.speaks_v5() { "yes" } else { "no" },
            if set.is_empty() {
                "nothing special".into()
            } else {
                set.join("; ")
            },
            if defects.is_empty() {
                "none".into()
            } else {
                defects.join(", ")
            }
        );
    }
    let updated = format!("{}{table}{}", &text[..begin], &text[end..]);
    std::fs::write(path, updated).map_err(|e| e.to_string())
}

/// `` `name` ``, or "any check" for [`ANY_CHECK`].
fn check_name(check: &str) -> String {
    if check == ANY_CHECK {
        "any check".into()
    } else {
        format!("`{check}`")
    }
}

/// The number of a note (numbered from 1, each text once).
fn note_number(notes: &mut Vec<String>, note: String) -> usize {
    match notes.iter().position(|x| *x == note) {
        Some(i) => i + 1,
        None => {
            notes.push(note);
            notes.len()
        }
    }
}

/// A table cell: the outcome over both transports, under one MQTT version. A known
/// defect, or why the check does not apply, is a note.
fn cell(report: &Report, check: &str, version: ProtocolVersion, notes: &mut Vec<String>) -> String {
    let mark = |t: Transport| {
        report
            .row(check, t, version)
            .map(|r| match (r.verdict, &r.outcome) {
                (Verdict::Pass, _) => "pass",
                (Verdict::ExpectedFailure, _) => "**fails**",
                (Verdict::Flaky, Outcome::Pass) => "pass (flaky)",
                (Verdict::Flaky, _) => "**fails** (flaky)",
                (Verdict::UnexpectedFailure, _) => "**FAILED, unexpected**",
                (Verdict::UnexpectedPass, _) => "**passed, unexpected**",
                (Verdict::NotRun, Outcome::NotApplicable(_)) => "n/a",
                (Verdict::NotRun, _) => "not run",
            })
            .unwrap_or("not run")
    };
    let (ws, wss) = (mark(Transport::Ws), mark(Transport::Wss));
    let mut text = if ws == wss {
        ws.to_owned()
    } else {
        format!("ws {ws}, wss {wss}")
    };
    let rows = || {
        Transport::ALL
            .iter()
            .filter_map(|t| report.row(check, *t, version))
    };
    let why = report
        .spec
        .expect(check, version)
        .or_else(|| rows().find_map(|r| report.spec.explain(check, version, &r.outcome)))
        .map(|e| e.reason)
        .or_else(|| {
            rows().find_map(|r| match &r.outcome {
                Outcome::NotApplicable(why) => Some(why.as_str()),
                _ => None,
            })
        });
    if let Some(why) = why {
        let n = note_number(notes, format!("{}: {why}", report.spec.title));
        let _ = write!(text, " [{n}]");
    }
    text
}

/// The results of one MQTT version: a row per check that runs under it, a column per
/// broker that speaks it.
fn results_table(
    md: &mut String,
    reports: &[&Report],
    version: ProtocolVersion,
    notes: &mut Vec<String>,
) {
    let _ = write!(md, "| check |");
    for r in reports {
        let _ = write!(md, " {} |", r.spec.title);
    }
    md.push_str("\n|---|");
    md.push_str(&"---|".repeat(reports.len()));
    md.push('\n');
    for check in all_checks() {
        if !reports.iter().any(|r| check.versions.runs(version, r.spec)) {
            continue;
        }
        let _ = write!(md, "| `{}` |", check.name);
        for r in reports {
            let _ = write!(md, " {} |", cell(r, check.name, version, notes));
        }
        md.push('\n');
    }
}

fn render(reports: &[Report]) -> String {
    let mut md = String::from(INTRO);

    md.push_str("\n## Brokers\n\n");
    md.push_str(
        "| broker | version | from | MQTT 5 over ws too | start-up here |\n|---|---|---|---|---|\n",
    );
    for r in reports {
        let s = r.spec;
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {:.1} s |",
            s.title,
            r.version,
            s.source,
            match s.mqtt5 {
                Mqtt5::Yes => "yes".to_owned(),
                Mqtt5::No(what) => format!("no: {what}"),
            },
            r.start_time.as_secs_f64()
        );
    }

    md.push_str(
        "\n## Results\n\nBoth transports, ws and wss; a note says why a check fails, or why it \
         does not apply (n/a).\n\n### MQTT 3.1.1\n\n",
    );
    let mut notes = Vec::new();
    let all: Vec<&Report> = reports.iter().collect();
    results_table(&mut md, &all, ProtocolVersion::V311, &mut notes);
    md.push_str(
        "\n### MQTT 5\n\nThe brokers that speak it: the checks above again, then those of \
         MQTT 5's own features.\n\n",
    );
    let v5: Vec<&Report> = reports.iter().filter(|r| r.spec.speaks_v5()).collect();
    results_table(&mut md, &v5, ProtocolVersion::V5, &mut notes);
    md.push_str("\nThe brokers that do not speak it, given an MQTT 5 CONNECT:\n\n");
    let without: Vec<&Report> = reports.iter().filter(|r| !r.spec.speaks_v5()).collect();
    results_table(&mut md, &without, ProtocolVersion::V5, &mut notes);
    md.push('\n');
    for (i, n) in notes.iter().enumerate() {
        let _ = writeln!(md, "{}. {n}", i + 1);
    }

    md.push_str("\n## The checks\n\nEach with the MQTT versions it runs under.\n\n");
    for check in all_checks() {
        let _ = writeln!(
            md,
            "- `{}` ({}): {}.",
            check.name,
            check.versions.describe(),
            check.what
        );
    }

    md.push_str("\n## What to set for each broker\n");
    for r in reports {
        broker_section(&mut md, r.spec);
    }
    md.push('\n');
    md.push_str(RUNNING);
    md
}

fn broker_section(md: &mut String, s: &Spec) {
    let _ = writeln!(md, "\n### {}\n", s.title);
    if s.credentials {
        md.push_str("- Send a user name and a non-empty password.\n");
    }
    for item in s.settings {
        let _ = writeln!(md, "- {item}");
    }
    if let Mqtt5::No(what) = s.mqtt5 {
        let _ = writeln!(md, "- No MQTT 5: {what}.");
    }
    for e in s.expected {
        let flaky = if e.flaky { " (sometimes)" } else { "" };
        let version = e
            .version
            .map(|v| format!(" (MQTT {})", version_name(v)))
            .unwrap_or_default();
        let check = match check_name(e.check) {
            any if e.check == ANY_CHECK => any,
            name => format!("check {name}"),
        };
        let _ = writeln!(md, "- Known defect{flaky}, {check}{version}: {}.", e.reason);
    }
    for n in s.notes {
        let _ = writeln!(md, "- {n}");
    }
    if !s.credentials
        && s.settings.is_empty()
        && s.expected.is_empty()
        && s.notes.is_empty()
        && s.speaks_v5()
    {
        md.push_str("- Nothing beyond a ws/wss listener.\n");
    }
}
