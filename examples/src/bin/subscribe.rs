//! Subscribes over ws:// or wss:// and prints messages, one per line.
//!
//! ```text
//! subscribe URL FILTER [--qos 0|1|2] [--count N] [--timeout SECS] [--cafile PATH]
//! ```
//! Prints `ready` once the subscription is acknowledged, so a script can start
//! publishing without guessing.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use mqttws::{Client, ClientOptions, qos_from_u8};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("subscribe: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let mut positional = Vec::new();
    let (mut qos, mut count, mut timeout, mut cafile) = (1u8, u32::MAX, 30u64, None);
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--qos" => qos = args.next().ok_or("--qos needs a value")?.parse()?,
            "--count" => count = args.next().ok_or("--count needs a value")?.parse()?,
            "--timeout" => timeout = args.next().ok_or("--timeout needs a value")?.parse()?,
            "--cafile" => cafile = Some(args.next().ok_or("--cafile needs a path")?),
            _ => positional.push(a),
        }
    }
    let [url, filter] = positional.as_slice() else {
        return Err(
            "usage: subscribe URL FILTER [--qos N] [--count N] [--timeout SECS] [--cafile PATH]"
                .into(),
        );
    };
    let mut options = ClientOptions::new(url.as_str())
        .client_id(format!("mqttws-subscribe-{}", std::process::id()));
    if let Some(ca) = cafile {
        options = options.ca_file(ca);
    }
    let client = Client::new(options)?;
    client.connect()?;
    let granted = client.subscribe(&[(filter, qos_from_u8(qos)?)])?;
    if granted[0].is_none() {
        return Err(format!("the broker refused the subscription to {filter}").into());
    }
    println!("ready");
    let deadline = Instant::now() + Duration::from_secs(timeout);
    let mut received = 0;
    while received < count {
        let left = deadline.saturating_duration_since(Instant::now());
        match client.recv(Some(left))? {
            Some(m) => {
                received += 1;
                println!(
                    "received on {} (QoS {}): {}",
                    m.topic,
                    m.qos as u8,
                    String::from_utf8_lossy(&m.payload)
                );
            }
            None => return Err(format!("timed out after {received} of {count} messages").into()),
        }
    }
    client.disconnect()?;
    Ok(())
}
