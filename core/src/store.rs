//! A durable store for outgoing QoS 1/2 messages (opt-in).
//!
//! With [`ClientOptions::store_dir`](crate::ClientOptions::store_dir), every
//! QoS 1/2 message is written and flushed to disk (`fdatasync`) before
//! `publish` returns, and marked done when the broker acknowledges it. A
//! process killed at any point (SIGKILL, power loss after the sync) finds
//! the unacknowledged messages again when it creates its next client on the
//! same directory, and sends them (with DUP set) after connecting: every
//! message that `publish` accepted arrives at least once.
//!
//! # Format
//!
//! One append-only log file, `outgoing.log`, of records
//! `[body length: u32 LE][CRC-32 of body: u32 LE][body]`, where the body is
//! either `1, seq: u64, qos: u8, retain: u8, topic length: u16, topic, payload`
//! (a message) or `2, seq: u64` (done). A torn or corrupt tail (a crash in the
//! middle of a write) is cut off at the last good record. When the log grows
//! past 4 MiB and most of it is done, it is rewritten with only the live
//! messages (write to a temporary file, sync, rename, sync the directory).
//! A lock on `outgoing.lock` keeps two clients from sharing a directory.
//!
//! No embedded database crate is used: the whole store is this file, small
//! enough for firmware and proven by the crash test in the test suite.

use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use bytes::Bytes;

use crate::codec::QoS;
use crate::error::{Error, Result};

const LOG: &str = "outgoing.log";
const LOCK: &str = "outgoing.lock";
const COMPACT_AT: u64 = 4 << 20;
const KIND_MESSAGE: u8 = 1;
const KIND_DONE: u8 = 2;

/// A message recovered from the store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredMessage {
    /// The store's sequence number for it.
    pub seq: u64,
    /// Topic.
    pub topic: String,
    /// Payload.
    pub payload: Bytes,
    /// QoS (1 or 2).
    pub qos: QoS,
    /// Retain flag.
    pub retain: bool,
}

/// The open store of one directory. See the [module docs](self).
#[derive(Debug)]
pub struct Store {
    dir: PathBuf,
    log: File,
    _lock: File,
    next_seq: u64,
    live: BTreeMap<u64, StoredMessage>,
    log_len: u64,
}

fn io(context: &'static str) -> impl Fn(std::io::Error) -> Error {
    move |e| Error::io(context, e)
}

impl Store {
    /// Opens (creating if needed) the store in `dir` and returns it with the
    /// messages that were stored and never acknowledged, oldest first.
    pub fn open(dir: impl AsRef<Path>) -> Result<(Self, Vec<StoredMessage>)> {
        let dir = dir.as_ref().to_path_buf();
        fs::create_dir_all(&dir).map_err(io("creating the store directory"))?;
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(dir.join(LOCK))
            .map_err(io("opening the store lock"))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(Error::invalid(format!(
                    "the store directory {} is in use by another client",
                    dir.display()
                )));
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(Error::io("locking the store", e)),
        }
        let path = dir.join(LOG);
        let mut log = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .append(true)
            .open(&path)
            .map_err(io("opening the store log"))?;
        let mut data = Vec::new();
        log.read_to_end(&mut data)
            .map_err(io("reading the store log"))?;
        let (live, good_len, max_seq) = replay(&data);
        if good_len < data.len() {
            log::warn!(
                "store {}: cut {} bytes of torn or corrupt tail",
                path.display(),
                data.len() - good_len
            );
            log.set_len(good_len as u64)
                .map_err(io("repairing the store log"))?;
            log.sync_all().map_err(io("repairing the store log"))?;
        }
        let mut store = Self {
            dir,
            log,
            _lock: lock,
            next_seq: max_seq + 1,
            live,
            log_len: good_len as u64,
        };
        store.maybe_compact()?;
        let pending = store.live.values().cloned().collect();
        Ok((store, pending))
    }

    /// Stores a message durably (written and synced) and returns its
    /// sequence number.
    pub fn append(&mut self, topic: &str, payload: &Bytes, qos: QoS, retain: bool) -> Result<u64> {
        let seq = self.next_seq;
        let msg = StoredMessage {
            seq,
            topic: topic.to_owned(),
            payload: payload.clone(),
            qos,
            retain,
        };
        let record = encode_message(&msg)?;
        self.log
            .write_all(&record)
            .map_err(io("writing the store log"))?;
        self.log.sync_data().map_err(io("syncing the store log"))?;
        self.log_len += record.len() as u64;
        self.next_seq += 1;
        self.live.insert(seq, msg);
        Ok(seq)
    }

    /// Marks a message done (acknowledged, or dropped). Not synced: a lost
    /// mark only means the message is sent once more, which QoS 1 allows.
    pub fn complete(&mut self, seq: u64) -> Result<()> {
        if self.live.remove(&seq).is_none() {
            return Ok(());
        }
        let record = frame(&[&[KIND_DONE][..], &seq.to_le_bytes()].concat());
        self.log
            .write_all(&record)
            .map_err(io("writing the store log"))?;
        self.log_len += record.len() as u64;
        self.maybe_compact()
    }

    /// Messages stored and not yet done.
    pub fn len(&self) -> usize {
        self.live.len()
    }

    /// Whether no message is waiting.
    pub fn is_empty(&self) -> bool {
        self.live.is_empty()
    }

    fn maybe_compact(&mut self) -> Result<()> {
        let live_bytes: u64 = self
            .live
            .values()
            .map(|m| 32 + m.topic.len() as u64 + m.payload.len() as u64)
            .sum();
        if self.log_len < COMPACT_AT || live_bytes * 2 > self.log_len {
            return Ok(());
        }
        let tmp = self.dir.join(format!("{LOG}.tmp"));
        let mut out = File::create(&tmp).map_err(io("compacting the store"))?;
        let mut len = 0u64;
        for m in self.live.values() {
            let r = encode_message(m)?;
            out.write_all(&r).map_err(io("compacting the store"))?;
            len += r.len() as u64;
        }
        out.sync_all().map_err(io("compacting the store"))?;
        fs::rename(&tmp, self.dir.join(LOG)).map_err(io("compacting the store"))?;
        if let Ok(d) = File::open(&self.dir) {
            let _ = d.sync_all();
        }
        self.log = OpenOptions::new()
            .append(true)
            .read(true)
            .open(self.dir.join(LOG))
            .map_err(io("reopening the store log"))?;
        self.log_len = len;
        Ok(())
    }
}

fn encode_message(m: &StoredMessage) -> Result<Vec<u8>> {
    let topic_len =
        u16::try_from(m.topic.len()).map_err(|_| Error::invalid("topic too long for the store"))?;
    let mut body = Vec::with_capacity(13 + m.topic.len() + m.payload.len());
    body.push(KIND_MESSAGE);
    body.extend(m.seq.to_le_bytes());
    body.push(m.qos as u8);
    body.push(u8::from(m.retain));
    body.extend(topic_len.to_le_bytes());
    body.extend(m.topic.as_bytes());
    body.extend(&m.payload[..]);
    if u32::try_from(body.len()).is_err() {
        return Err(Error::invalid("message too large for the store"));
    }
    Ok(frame(&body))
}

fn frame(body: &[u8]) -> Vec<u8> {
    let mut r = Vec::with_capacity(8 + body.len());
    r.extend((body.len() as u32).to_le_bytes());
    r.extend(crc32(body).to_le_bytes());
    r.extend(body);
    r
}

/// Reads records until the end or the first bad one. Returns the live
/// messages, the length of the good prefix, and the highest sequence seen.
fn replay(data: &[u8]) -> (BTreeMap<u64, StoredMessage>, usize, u64) {
    let mut live = BTreeMap::new();
    let (mut pos, mut max_seq) = (0usize, 0u64);
    while let Some(header) = data.get(pos..pos + 8) {
        let len = u32::from_le_bytes([header[0], header[1], header[2], header[3]]) as usize;
        let crc = u32::from_le_bytes([header[4], header[5], header[6], header[7]]);
        let Some(body) = data.get(pos + 8..pos + 8 + len) else {
            break;
        };
        if crc32(body) != crc {
            break;
        }
        match parse_body(body) {
            Some(Record::Message(m)) => {
                max_seq = max_seq.max(m.seq);
                live.insert(m.seq, m);
            }
            Some(Record::Done(seq)) => {
                max_seq = max_seq.max(seq);
                live.remove(&seq);
            }
            None => break,
        }
        pos += 8 + len;
    }
    (live, pos, max_seq)
}

enum Record {
    Message(StoredMessage),
    Done(u64),
}

fn parse_body(body: &[u8]) -> Option<Record> {
    let (&kind, rest) = body.split_first()?;
    let seq = u64::from_le_bytes(rest.get(..8)?.try_into().ok()?);
    let rest = &rest[8..];
    match kind {
        KIND_DONE if rest.is_empty() => Some(Record::Done(seq)),
        KIND_MESSAGE => {
            let qos = match *rest.first()? {
                1 => QoS::AtLeastOnce,
                2 => QoS::ExactlyOnce,
                _ => return None,
            };
            let retain = *rest.get(1)? != 0;
            let topic_len = u16::from_le_bytes(rest.get(2..4)?.try_into().ok()?) as usize;
            let topic = std::str::from_utf8(rest.get(4..4 + topic_len)?)
                .ok()?
                .to_owned();
            let payload = Bytes::copy_from_slice(&rest[4 + topic_len..]);
            Some(Record::Message(StoredMessage {
                seq,
                topic,
                payload,
                qos,
                retain,
            }))
        }
        _ => None,
    }
}

/// CRC-32 (IEEE 802.3, as in zlib), bitwise with a nibble table: small and
/// fast enough for a log written once per message.
fn crc32(data: &[u8]) -> u32 {
    const TABLE: [u32; 16] = [
        0x0000_0000,
        0x1db7_1064,
        0x3b6e_20c8,
        0x26d9_30ac,
        0x76dc_4190,
        0x6b6b_51f4,
        0x4db2_6158,
        0x5005_713c,
        0xedb8_8320,
        0xf00f_9344,
        0xd6d6_a3e8,
        0xcb61_b38c,
        0x9b64_c2b0,
        0x86d3_d2d4,
        0xa00a_e278,
        0xbdbd_f21c,
    ];
    let mut crc = !0u32;
    for &b in data {
        crc = TABLE[((crc ^ u32::from(b)) & 0xf) as usize] ^ (crc >> 4);
        crc = TABLE[((crc ^ (u32::from(b) >> 4)) & 0xf) as usize] ^ (crc >> 4);
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmpdir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("mqttws-store-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        d
    }

    #[test]
    fn crc32_matches_the_standard_check_value() {
        assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
    }

    #[test]
    fn unacknowledged_messages_survive_a_reopen_in_order() {
        let dir = tmpdir("reopen");
        {
            let (mut s, pending) = Store::open(&dir).unwrap();
            assert!(pending.is_empty());
            let a = s
                .append("t/a", &Bytes::from_static(b"one"), QoS::AtLeastOnce, false)
                .unwrap();
            let b = s
                .append("t/b", &Bytes::from_static(b"two"), QoS::ExactlyOnce, true)
                .unwrap();
            s.append(
                "t/c",
                &Bytes::from_static(b"three"),
                QoS::AtLeastOnce,
                false,
            )
            .unwrap();
            s.complete(b).unwrap();
            assert!(a < b);
        }
        let (s, pending) = Store::open(&dir).unwrap();
        let got: Vec<(&str, &[u8])> = pending
            .iter()
            .map(|m| (m.topic.as_str(), &m.payload[..]))
            .collect();
        assert_eq!(got, vec![("t/a", &b"one"[..]), ("t/c", &b"three"[..])]);
        assert_eq!(s.len(), 2);
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_torn_tail_is_cut_and_earlier_records_kept() {
        let dir = tmpdir("torn");
        {
            let (mut s, _) = Store::open(&dir).unwrap();
            s.append("t", &Bytes::from_static(b"kept"), QoS::AtLeastOnce, false)
                .unwrap();
            s.append("t", &Bytes::from_static(b"torn"), QoS::AtLeastOnce, false)
                .unwrap();
        }
        let path = dir.join(LOG);
        let len = fs::metadata(&path).unwrap().len();
        OpenOptions::new()
            .write(true)
            .open(&path)
            .unwrap()
            .set_len(len - 3)
            .unwrap();
        let (mut s, pending) = Store::open(&dir).unwrap();
        assert_eq!(pending.len(), 1);
        assert_eq!(&pending[0].payload[..], b"kept");
        // New appends after the repair are readable.
        s.append("t", &Bytes::from_static(b"new"), QoS::AtLeastOnce, false)
            .unwrap();
        drop(s);
        let (_, pending) = Store::open(&dir).unwrap();
        assert_eq!(pending.len(), 2);
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_second_client_on_the_same_directory_is_refused() {
        let dir = tmpdir("lock");
        let (_s, _) = Store::open(&dir).unwrap();
        let err = Store::open(&dir).unwrap_err();
        assert!(err.to_string().contains("in use"), "{err}");
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_log_is_compacted_when_mostly_done() {
        let dir = tmpdir("compact");
        let (mut s, _) = Store::open(&dir).unwrap();
        let payload = Bytes::from(vec![7u8; 64 * 1024]);
        let keep = s
            .append("keep", &Bytes::from_static(b"k"), QoS::AtLeastOnce, false)
            .unwrap();
        for _ in 0..100 {
            let seq = s.append("t", &payload, QoS::AtLeastOnce, false).unwrap();
            s.complete(seq).unwrap();
        }
        let size = fs::metadata(dir.join(LOG)).unwrap().len();
        assert!(size < COMPACT_AT, "log not compacted: {size} bytes");
        drop(s);
        let (_, pending) = Store::open(&dir).unwrap();
        assert_eq!(
            pending.iter().map(|m| m.seq).collect::<Vec<_>>(),
            vec![keep]
        );
        let _ = fs::remove_dir_all(&dir);
    }
}
