//! Benchmark client for the shared harness (`../shared/bench`), using the
//! mqttws Rust API the way its users would: one blocking `Client` per
//! connection, `publish` without waiting (QoS 1 bounded by the client's own
//! inflight window of 20) in batches of 32 between `cork` and `uncork`,
//! `recv` on the subscriber's own thread.
//!
//! ```text
//! mqttws-rust-bench --url URL --scenario throughput|latency|connect --count N --size BYTES
//!                   [--qos Q] [--cafile CA.pem] [--timeout SECONDS]
//! ```
//! Prints exactly one JSON line (fields in the harness README).

use std::time::{Duration, Instant};

use mqttws::{Client, ClientOptions, QoS, qos_from_u8};

const CLIENT: &str = "mqttws-rust";

struct Args {
    url: String,
    scenario: String,
    count: u64,
    size: usize,
    qos: u8,
    cafile: Option<String>,
    timeout: Duration,
}

#[derive(Default)]
struct Outcome {
    seconds: f64,
    received: u64,
    p50_us: Option<f64>,
    p99_us: Option<f64>,
    connect_ms: Option<(f64, f64, f64)>,
}

fn usage() -> ! {
    eprintln!(
        "usage: mqttws-rust-bench --url URL --scenario throughput|latency|connect --count N --size BYTES \
         [--qos 0|1|2] [--cafile FILE] [--timeout SECONDS]"
    );
    std::process::exit(2);
}

fn parse_args() -> Args {
    let mut a = Args {
        url: "ws://127.0.0.1:18080/mqtt".into(),
        scenario: "throughput".into(),
        count: 1000,
        size: 64,
        qos: 0,
        cafile: std::env::var("BENCH_CAFILE").ok(),
        timeout: Duration::from_secs(60),
    };
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < argv.len() {
        let v = argv.get(i + 1).cloned().unwrap_or_else(|| usage());
        match argv[i].as_str() {
            "--url" => a.url = v,
            "--scenario" => a.scenario = v,
            "--count" => a.count = v.parse().unwrap_or_else(|_| usage()),
            "--size" => a.size = v.parse().unwrap_or_else(|_| usage()),
            "--qos" => a.qos = v.parse().unwrap_or_else(|_| usage()),
            "--cafile" => a.cafile = Some(v),
            "--timeout" => {
                a.timeout = Duration::from_secs_f64(v.parse().unwrap_or_else(|_| usage()))
            }
            _ => usage(),
        }
        i += 2;
    }
    if !matches!(a.scenario.as_str(), "throughput" | "latency" | "connect")
        || a.count == 0
        || a.qos > 2
    {
        usage();
    }
    a
}

fn json_str(s: &str) -> String {
    let mut o = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            c if (c as u32) < 0x20 => o.push(' '),
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

fn num(v: Option<f64>, prec: usize) -> String {
    v.map_or_else(|| "null".into(), |x| format!("{x:.prec$}"))
}

fn emit(a: &Args, out: Result<Outcome, String>) -> ! {
    let ok = out.is_ok();
    let (o, err) = match out {
        Ok(o) => (o, None),
        Err(e) => (Outcome::default(), Some(e)),
    };
    let n = if a.scenario == "throughput" {
        o.received
    } else {
        a.count
    };
    let rate = if ok && o.seconds > 0.0 {
        n as f64 / o.seconds
    } else {
        0.0
    };
    let mut s = format!(
        "{{\"client\":\"{CLIENT}\",\"scenario\":{},\"count\":{},\"size\":{},\"qos\":{},\"seconds\":{:.6},\"msgs_per_s\":{:.1},\"p50_us\":{},\"p99_us\":{},",
        json_str(&a.scenario),
        a.count,
        a.size,
        a.qos,
        o.seconds,
        rate,
        num(o.p50_us, 1),
        num(o.p99_us, 1)
    );
    match o.connect_ms {
        Some((mean, p50, p99)) => s.push_str(&format!(
            "\"connect_ms\":{mean:.3},\"connect_p50_ms\":{p50:.3},\"connect_p99_ms\":{p99:.3},"
        )),
        None => s.push_str("\"connect_ms\":null,"),
    }
    s.push_str(&format!(
        "\"received\":{},\"inflight_window\":{},\"url\":{},\"ok\":{ok}",
        o.received,
        if a.qos > 0 { 20 } else { 0 },
        json_str(&a.url)
    ));
    if let Some(e) = err {
        s.push_str(&format!(",\"error\":{}", json_str(&e)));
    }
    s.push('}');
    println!("{s}");
    std::process::exit(if ok { 0 } else { 1 });
}

fn options(a: &Args, tag: &str, n: u64) -> ClientOptions {
    let mut o = ClientOptions::new(a.url.as_str())
        .client_id(format!("bench-{CLIENT}-{}-{tag}-{n}", std::process::id()))
        .keepalive(60)
        .connect_timeout(a.timeout)
        .operation_timeout(a.timeout)
        .max_packet_size((a.size + 1024).max(1 << 20));
    if let Some(ca) = &a.cafile {
        o = o.ca_file(ca);
    }
    o
}

fn connected(a: &Args, tag: &str, n: u64) -> Result<Client, String> {
    let c = Client::new(options(a, tag, n)).map_err(|e| e.to_string())?;
    c.connect().map_err(|e| format!("{tag}: {e}"))?;
    Ok(c)
}

fn topic() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("bench/{CLIENT}/{}-{nanos:08x}", std::process::id())
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let idx = ((p / 100.0 * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[idx]
}

fn qos(a: &Args) -> QoS {
    qos_from_u8(a.qos).unwrap_or(QoS::AtMostOnce)
}

/// Publishes per cork/uncork batch in the throughput scenario.
const BATCH: u64 = 32;

fn throughput(a: &Args) -> Result<Outcome, String> {
    let topic = topic();
    let n = a.count;
    let sub = connected(a, "sub", 0)?;
    sub.subscribe(&[(&topic, qos(a))])
        .map_err(|e| e.to_string())?;
    let deadline = Instant::now() + a.timeout;
    let receiver = std::thread::spawn(move || -> Result<(u64, Instant, Client), String> {
        let mut got = 0u64;
        while got < n {
            let left = deadline.saturating_duration_since(Instant::now());
            match sub.recv(Some(left)) {
                Ok(Some(_)) => got += 1,
                Ok(None) => return Err(format!("timeout waiting for messages (received {got})")),
                Err(e) => return Err(format!("subscriber: {e} (received {got})")),
            }
        }
        Ok((got, Instant::now(), sub))
    });
    let publ = connected(a, "pub", 1)?;
    let payload = mqttws::Bytes::from(vec![b'x'; a.size]);
    let t0 = Instant::now();
    // Batches of BATCH publishes between cork and uncork: each batch leaves
    // in a few writes, and is on the socket when uncork returns.
    for i in 0..n {
        if i % BATCH == 0 {
            publ.cork();
        }
        publ.publish(&topic, payload.clone(), qos(a), false)
            .map_err(|e| format!("publisher: {e}"))?;
        if (i + 1) % BATCH == 0 || i + 1 == n {
            publ.uncork().map_err(|e| format!("publisher: {e}"))?;
        }
    }
    let (got, t_last, sub) = receiver
        .join()
        .map_err(|_| "receiver thread panicked".to_string())??;
    let seconds = (t_last - t0).as_secs_f64();
    let _ = publ.disconnect();
    let _ = sub.disconnect();
    Ok(Outcome {
        seconds,
        received: got,
        ..Outcome::default()
    })
}

fn latency(a: &Args) -> Result<Outcome, String> {
    let topic = topic();
    let c = connected(a, "lat", 0)?;
    c.subscribe(&[(&topic, qos(a))])
        .map_err(|e| e.to_string())?;
    let payload = mqttws::Bytes::from(vec![b'x'; a.size]);
    let warm = (a.count / 10).min(100);
    let mut rtt = Vec::with_capacity(a.count as usize);
    let deadline = Instant::now() + a.timeout;
    let mut t_measure = Instant::now();
    for i in 0..warm + a.count {
        if i == warm {
            t_measure = Instant::now();
        }
        let t = Instant::now();
        c.publish(&topic, payload.clone(), qos(a), false)
            .map_err(|e| e.to_string())?;
        let left = deadline.saturating_duration_since(Instant::now());
        match c.recv(Some(left)) {
            Ok(Some(_)) => {}
            Ok(None) => return Err(format!("timeout at round trip {i}")),
            Err(e) => return Err(format!("connection error at round trip {i}: {e}")),
        }
        if i >= warm {
            rtt.push(t.elapsed().as_secs_f64() * 1e6);
        }
    }
    let seconds = t_measure.elapsed().as_secs_f64();
    rtt.sort_by(f64::total_cmp);
    let _ = c.disconnect();
    Ok(Outcome {
        seconds,
        received: a.count,
        p50_us: Some(pct(&rtt, 50.0)),
        p99_us: Some(pct(&rtt, 99.0)),
        ..Outcome::default()
    })
}

fn connect(a: &Args) -> Result<Outcome, String> {
    let mut ms = Vec::with_capacity(a.count as usize);
    let mut t0 = Instant::now();
    // Cycle 0 is an unmeasured warm-up (first-use costs: TLS init, CA load).
    for i in 0..=a.count {
        if i == 1 {
            t0 = Instant::now();
        }
        if t0.elapsed() > a.timeout {
            return Err(format!("timeout after {i} connects"));
        }
        let c = Client::new(options(a, "con", i)).map_err(|e| e.to_string())?;
        let t = Instant::now();
        c.connect().map_err(|e| e.to_string())?;
        if i > 0 {
            ms.push(t.elapsed().as_secs_f64() * 1e3);
        }
        c.disconnect().map_err(|e| e.to_string())?;
    }
    let seconds = t0.elapsed().as_secs_f64();
    let mean = ms.iter().sum::<f64>() / ms.len() as f64;
    ms.sort_by(f64::total_cmp);
    Ok(Outcome {
        seconds,
        connect_ms: Some((mean, pct(&ms, 50.0), pct(&ms, 99.0))),
        ..Outcome::default()
    })
}

fn main() {
    let a = parse_args();
    let out = match a.scenario.as_str() {
        "throughput" => throughput(&a),
        "latency" => latency(&a),
        _ => connect(&a),
    };
    emit(&a, out);
}
