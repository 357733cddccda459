//! Publishes messages over ws:// or wss:// and waits for each acknowledgement.
//!
//! ```text
//! publish URL TOPIC MESSAGE [--qos 0|1|2] [--count N] [--cafile PATH] [--retain]
//! ```

use std::process::ExitCode;

use mqttws::{Client, ClientOptions, qos_from_u8};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("publish: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let mut positional = Vec::new();
    let (mut qos, mut count, mut cafile, mut retain) = (1u8, 1u32, None, false);
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--qos" => qos = args.next().ok_or("--qos needs a value")?.parse()?,
            "--count" => count = args.next().ok_or("--count needs a value")?.parse()?,
            "--cafile" => cafile = Some(args.next().ok_or("--cafile needs a path")?),
            "--retain" => retain = true,
            _ => positional.push(a),
        }
    }
    let [url, topic, message] = positional.as_slice() else {
        return Err(
            "usage: publish URL TOPIC MESSAGE [--qos N] [--count N] [--cafile PATH] [--retain]"
                .into(),
        );
    };
    let mut options = ClientOptions::new(url.as_str())
        .client_id(format!("mqttws-publish-{}", std::process::id()));
    if let Some(ca) = cafile {
        options = options.ca_file(ca);
    }
    let client = Client::new(options)?;
    client.connect()?;
    let qos = qos_from_u8(qos)?;
    for i in 1..=count {
        let payload = if count == 1 {
            message.clone()
        } else {
            format!("{message} #{i}")
        };
        client.publish_and_wait(topic, payload.clone(), qos, retain)?;
        println!("published to {topic} (QoS {}): {payload}", qos as u8);
    }
    client.disconnect()?;
    Ok(())
}
