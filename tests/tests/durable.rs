//! The durable store under a real crash: a publisher is SIGKILLed mid-stream
//! and restarted on the same store directory; every message it had accepted
//! (printed "accepted N" after `publish` returned) reaches the subscriber.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use mqttws::{Client, ClientOptions, Event, QoS};
use mqttws_tests::Broker;

struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the publisher; its stdout lines arrive on the channel.
fn publisher(
    url: &str,
    topic: &str,
    store: &std::path::Path,
    from: u32,
    to: u32,
) -> (Guard, mpsc::Receiver<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mqttws-durable-publisher"))
        .args([
            url,
            topic,
            store.to_str().unwrap(),
            &from.to_string(),
            &to.to_string(),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start the publisher");
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    (Guard(child), rx)
}

#[test]
fn every_accepted_message_arrives_after_the_publisher_is_killed_and_restarted() {
    const N: u32 = 3000;
    let b = Broker::start();
    let url = b.ws_url("/mqtt");
    let topic = format!("durable-{}", std::process::id());
    let store = tempfile::tempdir().unwrap();

    let sub = Client::new(
        ClientOptions::new(url.as_str()).client_id(format!("durable-sub-{}", std::process::id())),
    )
    .unwrap();
    sub.connect().unwrap();
    sub.subscribe(&[(&topic, QoS::AtLeastOnce)]).unwrap();

    // First run: kill -9 once it has accepted a third of the stream.
    let (mut first, lines) = publisher(&url, &topic, store.path(), 0, N);
    let mut accepted: Option<u32> = None;
    let deadline = Instant::now() + Duration::from_secs(30);
    while accepted.is_none_or(|a| a < N / 3) {
        let line = lines
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .expect("publisher progress");
        if let Some(n) = line.strip_prefix("accepted ") {
            accepted = Some(n.parse().unwrap());
        }
    }
    first.0.kill().unwrap(); // SIGKILL
    first.0.wait().unwrap();
    // Lines printed before the kill are still in the pipe.
    while let Ok(line) = lines.recv_timeout(Duration::from_secs(2)) {
        if let Some(n) = line.strip_prefix("accepted ") {
            accepted = Some(n.parse().unwrap());
        }
    }
    let last = accepted.unwrap();
    assert!(last < N - 1, "killed mid-stream (at {last})");

    // Second run on the same store: recovers the unacknowledged messages and
    // publishes the rest.
    let (_second, lines) = publisher(&url, &topic, store.path(), last + 1, N);
    let mut seen: HashMap<u32, u32> = HashMap::new();
    let mut done = false;
    let deadline = Instant::now() + Duration::from_secs(60);
    while !(done && seen.len() as u32 == N) {
        assert!(
            Instant::now() < deadline,
            "{} of {N} arrived; publisher done: {done}",
            seen.len()
        );
        while let Ok(line) = lines.try_recv() {
            done |= line == "done";
        }
        if let Some(Event::Message(m)) = sub.poll(Some(Duration::from_millis(100))).unwrap() {
            *seen
                .entry(u32::from_be_bytes(m.payload[..4].try_into().unwrap()))
                .or_default() += 1;
        }
        if done && seen.len() as u32 != N {
            // Everything is acknowledged by the broker; what is missing now is lost.
            let settle = Instant::now() + Duration::from_secs(5);
            while Instant::now() < settle && (seen.len() as u32) < N {
                if let Some(Event::Message(m)) = sub.poll(Some(Duration::from_millis(100))).unwrap()
                {
                    *seen
                        .entry(u32::from_be_bytes(m.payload[..4].try_into().unwrap()))
                        .or_default() += 1;
                }
            }
            break;
        }
    }
    let missing: Vec<u32> = (0..N).filter(|i| !seen.contains_key(i)).collect();
    let duplicates: u32 = seen.values().map(|n| n - 1).sum();
    eprintln!("durable: killed after accepting {last}; {duplicates} duplicates after the restart");
    assert!(
        missing.is_empty(),
        "lost {} accepted messages, first {:?}",
        missing.len(),
        &missing[..missing.len().min(10)]
    );
}

/// A small tmpfs mounted on a temporary directory (the tests run as root, as
/// CI does), unmounted when dropped: a disk that really fills up.
struct SmallDisk {
    dir: tempfile::TempDir,
}

impl SmallDisk {
    fn mount(size: &str) -> SmallDisk {
        let dir = tempfile::tempdir().unwrap();
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .output()
            .expect("run mount(8)");
        assert!(
            out.status.success(),
            "mounting a {size} tmpfs failed (the full-disk tests need root, as in CI): {}",
            String::from_utf8_lossy(&out.stderr)
        );
        SmallDisk { dir }
    }

    fn path(&self) -> &std::path::Path {
        self.dir.path()
    }

    /// Writes 4 KiB filler files until the disk is full; returns them.
    fn fill(&self) -> Vec<std::path::PathBuf> {
        let mut files = Vec::new();
        for i in 0.. {
            let p = self.path().join(format!("filler-{i}"));
            if std::fs::write(&p, [0u8; 4096]).is_err() {
                let _ = std::fs::remove_file(&p);
                return files;
            }
            files.push(p);
        }
        unreachable!()
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.dir.path()).status();
    }
}

#[test]
fn a_full_disk_loses_no_accepted_message_and_appends_go_on_once_space_is_free() {
    use mqttws::store::Store;
    let disk = SmallDisk::mount("64k");
    let store_dir = disk.path().join("store");
    let filler = disk.path().join("filler");
    std::fs::write(&filler, vec![0u8; 24 * 1024]).unwrap();

    let (mut store, _) = Store::open(&store_dir).unwrap();
    let mut accepted = Vec::new();
    let mut refused = 0;
    // 3 KiB messages until the disk is full, and a few more refused ones.
    for i in 0..100u32 {
        let mut payload = i.to_be_bytes().to_vec();
        payload.resize(3000, b'x');
        match store.append("t", &payload.into(), QoS::AtLeastOnce, false) {
            Ok(_) => accepted.push(i),
            Err(e) => {
                assert_eq!(e.kind(), mqttws::ErrorKind::Io, "{e}");
                refused += 1;
                if refused == 3 {
                    break;
                }
            }
        }
    }
    assert_eq!(refused, 3, "the disk never filled up");
    assert!(!accepted.is_empty());
    // Space comes back: appends work again.
    std::fs::remove_file(&filler).unwrap();
    for i in 1000..1003u32 {
        let mut payload = i.to_be_bytes().to_vec();
        payload.resize(3000, b'x');
        store
            .append("t", &payload.into(), QoS::AtLeastOnce, false)
            .expect("append after space was freed");
        accepted.push(i);
    }
    drop(store);

    let (_store, recovered) = Store::open(&store_dir).unwrap();
    let got: Vec<u32> = recovered
        .messages
        .iter()
        .map(|m| u32::from_be_bytes(m.payload[..4].try_into().unwrap()))
        .collect();
    assert_eq!(got, accepted, "every accepted message, nothing else");
    assert_eq!(
        recovered.damage, None,
        "a failed append leaves no torn record"
    );
}

#[test]
fn a_store_due_for_compaction_opens_on_a_full_disk_and_leaves_no_temporary_file() {
    use mqttws::store::Store;
    let disk = SmallDisk::mount("6m");
    let store_dir = disk.path().join("store");
    let (mut store, _) = Store::open(&store_dir).unwrap();
    // 4.4 MiB of live messages: no compaction yet.
    let payload = mqttws::Bytes::from(vec![7u8; 64 * 1024]);
    let seqs: Vec<u64> = (0..70)
        .map(|_| {
            store
                .append("t", &payload, QoS::AtLeastOnce, false)
                .unwrap()
        })
        .collect();
    // Fill the disk, then give back one page for the done marks.
    let mut fillers = disk.fill();
    std::fs::remove_file(fillers.pop().unwrap()).unwrap();
    // Mostly done: compaction is due, and cannot be done on this disk.
    for seq in &seqs[1..] {
        store
            .complete(*seq)
            .expect("marking done works on a full disk");
    }
    drop(store);

    let (_store, recovered) = Store::open(&store_dir).expect("open on a full disk");
    assert_eq!(
        recovered.messages.iter().map(|m| m.seq).collect::<Vec<_>>(),
        [seqs[0]]
    );
    let leftovers: Vec<_> = std::fs::read_dir(&store_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

#[test]
fn a_damaged_store_is_reported_by_the_first_poll_and_its_valid_messages_are_still_sent() {
    use mqttws::store::Store;
    let b = Broker::start();
    let topic = mqttws_tests::unique("damaged");
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("outgoing.log");
    let mut ends = Vec::new();
    {
        let (mut store, _) = Store::open(dir.path()).unwrap();
        for p in ["first", "second", "third"] {
            store
                .append(&topic, &p.into(), QoS::AtLeastOnce, false)
                .unwrap();
            ends.push(std::fs::metadata(&log).unwrap().len() as usize);
        }
    }
    let mut data = std::fs::read(&log).unwrap();
    data[ends[1] - 1] ^= 0xff; // the last byte of "second"
    std::fs::write(&log, &data).unwrap();

    let sub = Client::new(ClientOptions::new(b.ws_url("/mqtt"))).unwrap();
    sub.connect().unwrap();
    sub.subscribe(&[(&topic, QoS::AtLeastOnce)]).unwrap();

    let c = Client::new(ClientOptions::new(b.ws_url("/mqtt")).store_dir(dir.path())).unwrap();
    match c.poll(Some(Duration::ZERO)) {
        Ok(Some(Event::StoreDamaged(d))) => {
            assert!(d.damaged_bytes > 0);
            let aside = d.kept_aside.expect("kept aside");
            assert_eq!(std::fs::read(aside).unwrap(), data);
        }
        other => panic!("expected StoreDamaged first, got {other:?}"),
    }
    c.connect().unwrap();
    let mut got = Vec::new();
    while got.len() < 2 {
        let m = sub
            .recv(Some(Duration::from_secs(5)))
            .unwrap()
            .expect("a recovered message");
        got.push(String::from_utf8(m.payload.to_vec()).unwrap());
    }
    assert_eq!(got, ["first", "third"]);
}
