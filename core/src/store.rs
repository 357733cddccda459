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
//! (a message) or `2, seq: u64` (done). When the log grows past 4 MiB and
//! most of it is done, it is rewritten with only the live messages (write to
//! a temporary file, sync, rename, sync the directory); when that cannot be
//! done (a full disk), the log simply stays as it is. A lock on
//! `outgoing.lock` keeps two clients from sharing a directory.
//!
//! # Failures and damage
//!
//! * A failed append (a full disk, an I/O error) is cut back to the last
//!   good record before the error is returned, so the log never keeps a
//!   torn record in its middle; the message was not accepted. Should even
//!   that cut fail, every later append first retries it and fails until it
//!   succeeds.
//! * Replay reads every record that passes its checksum. Bytes that hold no
//!   valid record (a flipped bit, junk written by someone else) are skipped
//!   by resynchronising on the next valid record, so one damaged record
//!   never hides the ones after it. The damage is reported
//!   ([`Recovered::damage`], and [`Event::StoreDamaged`](crate::Event::StoreDamaged)
//!   by the client), the damaged log is kept aside byte for byte as
//!   `outgoing.log.damaged-<unix seconds>` (a hard link, so no space is
//!   needed), and a clean log with the recovered messages replaces it.
//!   Nothing is cut.
//! * The one exception is an incomplete last record (its length runs past
//!   the end of the file, and no valid record follows): that is an append
//!   that never completed (a crash or power loss in the middle of the
//!   write, before the sync that `publish` waits for), so it was never
//!   accepted; it is cut off and reported only in the log.
//!
//! No embedded database crate is used: the whole store is this file, small
//! enough for firmware and proven by the crash and full-disk tests in the
//! test suite.

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
/// Record header: body length and CRC-32.
const HEADER: usize = 8;
/// Body of a message record before the topic: kind, seq, qos, retain, topic length.
const MESSAGE_PREFIX: usize = 1 + 8 + 1 + 1 + 2;
/// Body of a done record: kind, seq.
const DONE_LEN: usize = 1 + 8;

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

/// What [`Store::open`] found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Recovered {
    /// The messages stored and never acknowledged, oldest first.
    pub messages: Vec<StoredMessage>,
    /// Damage found in the log, if any (see the [module docs](self)).
    pub damage: Option<Damage>,
}

/// Damaged bytes found in a store's log when it was opened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Damage {
    /// How many bytes held no valid record. Whatever records they held are
    /// lost; every valid record around them was recovered.
    pub damaged_bytes: u64,
    /// Byte ranges `(start, end)` of the damaged log that were skipped.
    pub ranges: Vec<(u64, u64)>,
    /// Where the damaged log was kept, unchanged; `None` when it could not
    /// be set aside (the log was then left in place, damage and all, and
    /// replay skips the damage again next time).
    pub kept_aside: Option<PathBuf>,
}

impl std::fmt::Display for Damage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the durable store's log had {} damaged byte(s) at {:?}; every valid record was recovered",
            self.damaged_bytes, self.ranges
        )?;
        match &self.kept_aside {
            Some(p) => write!(f, "; the damaged log was kept as {}", p.display()),
            None => write!(
                f,
                "; the damaged log could not be set aside and was left in place"
            ),
        }
    }
}

/// The open store of one directory. See the [module docs](self).
#[derive(Debug)]
pub struct Store {
    dir: PathBuf,
    log: File,
    _lock: File,
    next_seq: u64,
    live: BTreeMap<u64, StoredMessage>,
    /// Length of the log up to its last good record.
    log_len: u64,
    /// A failed write could not be cut back: the log may end in a torn
    /// record, so it must be cut to `log_len` before the next write.
    needs_cut: bool,
}

fn io(context: &'static str) -> impl Fn(std::io::Error) -> Error {
    move |e| Error::io(context, e)
}

impl Store {
    /// Opens (creating if needed) the store in `dir` and returns it with
    /// what it recovered: the messages that were stored and never
    /// acknowledged, oldest first, and any damage found on the way.
    pub fn open(dir: impl AsRef<Path>) -> Result<(Self, Recovered)> {
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
        let scan = scan(&data);
        if let Some(at) = scan.torn_tail {
            log::info!(
                "store {}: cut an incomplete last record ({} bytes; an append that never completed)",
                path.display(),
                data.len() as u64 - at
            );
            log.set_len(at).map_err(io("repairing the store log"))?;
            log.sync_all().map_err(io("repairing the store log"))?;
        }
        let log_len = scan.torn_tail.unwrap_or(data.len() as u64);
        let mut store = Self {
            dir,
            log,
            _lock: lock,
            next_seq: scan.max_seq + 1,
            live: scan.live,
            log_len,
            needs_cut: false,
        };
        let damage = if scan.damaged.is_empty() {
            store.maybe_compact();
            None
        } else {
            let kept_aside = store.set_damaged_log_aside();
            let damage = Damage {
                damaged_bytes: scan.damaged.iter().map(|(a, b)| b - a).sum(),
                ranges: scan.damaged,
                kept_aside,
            };
            log::warn!("store {}: {damage}", store.dir.display());
            Some(damage)
        };
        let messages = store.live.values().cloned().collect();
        Ok((store, Recovered { messages, damage }))
    }

    /// Stores a message durably (written and synced) and returns its
    /// sequence number. On error nothing was stored.
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
        self.write_record(&record, true)?;
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
        self.write_record(&done_record(seq), false)?;
        self.maybe_compact();
        Ok(())
    }

    /// Messages stored and not yet done.
    pub fn len(&self) -> usize {
        self.live.len()
    }

    /// Whether no message is waiting.
    pub fn is_empty(&self) -> bool {
        self.live.is_empty()
    }

    /// Appends one record (and syncs it when asked). A failed write is cut
    /// back, so the log never keeps a torn record before later ones.
    fn write_record(&mut self, record: &[u8], sync: bool) -> Result<()> {
        if self.needs_cut {
            self.log
                .set_len(self.log_len)
                .map_err(io("cutting a failed write off the store log"))?;
            self.needs_cut = false;
        }
        let written = self
            .log
            .write_all(record)
            .map_err(io("writing the store log"))
            .and_then(|()| {
                if sync {
                    self.log.sync_data().map_err(io("syncing the store log"))
                } else {
                    Ok(())
                }
            });
        match written {
            Ok(()) => {
                self.log_len += record.len() as u64;
                Ok(())
            }
            Err(e) => {
                // The log is opened for appending, so the next write goes
                // to the end that this cut leaves.
                if self.log.set_len(self.log_len).is_err() {
                    self.needs_cut = true;
                } else {
                    let _ = self.log.sync_data();
                }
                Err(e)
            }
        }
    }

    /// Writes a clean log of the live messages to `path` (synced).
    fn write_clean_log(&self, path: &Path) -> std::io::Result<u64> {
        let mut out = File::create(path)?;
        let mut len = 0u64;
        for m in self.live.values() {
            // Every live message was encoded once before.
            let r = encode_message(m).map_err(std::io::Error::other)?;
            out.write_all(&r)?;
            len += r.len() as u64;
        }
        out.sync_all()?;
        Ok(len)
    }

    /// Replaces the log by a clean one holding the live messages. On any
    /// failure the old log stays as it was and the temporary file is removed.
    fn replace_log(&mut self, keep_old_as: Option<&Path>) -> std::io::Result<()> {
        let tmp = self.dir.join(format!("{LOG}.tmp"));
        let result = (|| {
            let len = self.write_clean_log(&tmp)?;
            if let Some(aside) = keep_old_as {
                fs::hard_link(self.dir.join(LOG), aside)?;
            }
            fs::rename(&tmp, self.dir.join(LOG))?;
            if let Ok(d) = File::open(&self.dir) {
                let _ = d.sync_all();
            }
            self.log = OpenOptions::new()
                .append(true)
                .read(true)
                .open(self.dir.join(LOG))?;
            self.log_len = len;
            Ok(())
        })();
        if result.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        result
    }

    /// Keeps the damaged log aside and continues with a clean one. Returns
    /// where the damaged log is, or `None` if that could not be done (then
    /// the damaged log stays in use: appends go after it, and replay skips
    /// the damage again).
    fn set_damaged_log_aside(&mut self) -> Option<PathBuf> {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let aside = (0..1000u32)
            .map(|n| match n {
                0 => self.dir.join(format!("{LOG}.damaged-{secs}")),
                n => self.dir.join(format!("{LOG}.damaged-{secs}-{n}")),
            })
            .find(|p| !p.exists())?;
        match self.replace_log(Some(&aside)) {
            Ok(()) => Some(aside),
            Err(e) => {
                log::warn!(
                    "store {}: could not set the damaged log aside: {e}",
                    self.dir.display()
                );
                None
            }
        }
    }

    /// Rewrites the log when it is large and mostly done. Best effort: on a
    /// full disk the log stays as it is and grows.
    fn maybe_compact(&mut self) {
        let live_bytes: u64 = self
            .live
            .values()
            .map(|m| 32 + m.topic.len() as u64 + m.payload.len() as u64)
            .sum();
        if self.log_len < COMPACT_AT || live_bytes * 2 > self.log_len || self.needs_cut {
            return;
        }
        if let Err(e) = self.replace_log(None) {
            log::warn!("store {}: compaction skipped: {e}", self.dir.display());
        }
    }
}

/// The record that stores `m`; an error when its topic or size does not fit
/// the format.
pub(crate) fn encode_message(m: &StoredMessage) -> Result<Vec<u8>> {
    let topic_len =
        u16::try_from(m.topic.len()).map_err(|_| Error::invalid("topic too long for the store"))?;
    let mut body = Vec::with_capacity(MESSAGE_PREFIX + m.topic.len() + m.payload.len());
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

/// The record that marks message `seq` done.
pub(crate) fn done_record(seq: u64) -> Vec<u8> {
    frame(&[&[KIND_DONE][..], &seq.to_le_bytes()].concat())
}

fn frame(body: &[u8]) -> Vec<u8> {
    let mut r = Vec::with_capacity(HEADER + body.len());
    r.extend((body.len() as u32).to_le_bytes());
    r.extend(crc32(body).to_le_bytes());
    r.extend(body);
    r
}

/// What replaying a log found.
#[derive(Debug, Default)]
pub(crate) struct Scan {
    /// Messages stored and not done.
    pub(crate) live: BTreeMap<u64, StoredMessage>,
    /// Highest sequence number seen.
    pub(crate) max_seq: u64,
    /// Byte ranges that held no valid record.
    pub(crate) damaged: Vec<(u64, u64)>,
    /// Offset of an incomplete last record, if the log ends in one.
    pub(crate) torn_tail: Option<u64>,
}

/// Replays a log: every record that passes its checksum counts; bytes that
/// hold none are skipped up to the next valid record.
pub(crate) fn scan(data: &[u8]) -> Scan {
    let mut s = Scan::default();
    let mut pos = 0usize;
    while pos < data.len() {
        if let Some((record, len)) = record_at(data, pos) {
            match record {
                Record::Message(m) => {
                    s.max_seq = s.max_seq.max(m.seq);
                    s.live.insert(m.seq, m);
                }
                Record::Done(seq) => {
                    s.max_seq = s.max_seq.max(seq);
                    s.live.remove(&seq);
                }
            }
            pos += len;
            continue;
        }
        match (pos + 1..data.len()).find(|&p| record_at(data, p).is_some()) {
            Some(next) => {
                s.damaged.push((pos as u64, next as u64));
                pos = next;
            }
            None => {
                if runs_past_end(data, pos) {
                    s.torn_tail = Some(pos as u64);
                } else {
                    s.damaged.push((pos as u64, data.len() as u64));
                }
                break;
            }
        }
    }
    s
}

/// Whether the bytes at `pos` are the start of a record that was never
/// finished: too short for a header, or a body longer than what is left.
fn runs_past_end(data: &[u8], pos: usize) -> bool {
    let Some(h) = data.get(pos..pos + HEADER) else {
        return true;
    };
    let len = u32::from_le_bytes([h[0], h[1], h[2], h[3]]) as usize;
    pos + HEADER + len > data.len()
}

/// The valid record starting at `pos` and its length with the header. The
/// cheap checks of the body's shape come before the checksum, so that
/// scanning damaged bytes costs little.
fn record_at(data: &[u8], pos: usize) -> Option<(Record, usize)> {
    let h = data.get(pos..pos.checked_add(HEADER)?)?;
    let len = u32::from_le_bytes([h[0], h[1], h[2], h[3]]) as usize;
    let crc = u32::from_le_bytes([h[4], h[5], h[6], h[7]]);
    let body = data.get(pos + HEADER..(pos + HEADER).checked_add(len)?)?;
    let plausible = match body.first() {
        Some(&KIND_DONE) => len == DONE_LEN,
        Some(&KIND_MESSAGE) => {
            len >= MESSAGE_PREFIX
                && matches!(body[9], 1 | 2)
                && body[10] <= 1
                && MESSAGE_PREFIX + u16::from_le_bytes([body[11], body[12]]) as usize <= len
        }
        _ => false,
    };
    if !plausible || crc32(body) != crc {
        return None;
    }
    Some((parse_body(body)?, HEADER + len))
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
            let (mut s, recovered) = Store::open(&dir).unwrap();
            assert!(recovered.messages.is_empty());
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
        let (s, recovered) = Store::open(&dir).unwrap();
        let got: Vec<(&str, &[u8])> = recovered
            .messages
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
        let (mut s, recovered) = Store::open(&dir).unwrap();
        assert_eq!(payloads(&recovered.messages), ["kept"]);
        assert!(recovered.damage.is_none(), "a torn tail is not damage");
        // New appends after the repair are readable.
        s.append("t", &Bytes::from_static(b"new"), QoS::AtLeastOnce, false)
            .unwrap();
        drop(s);
        let (_, recovered) = Store::open(&dir).unwrap();
        assert_eq!(payloads(&recovered.messages), ["kept", "new"]);
        let _ = fs::remove_dir_all(&dir);
    }

    fn append_str(s: &mut Store, payload: &'static str) -> u64 {
        s.append(
            "t",
            &Bytes::from_static(payload.as_bytes()),
            QoS::AtLeastOnce,
            false,
        )
        .unwrap()
    }

    fn payloads(pending: &[StoredMessage]) -> Vec<String> {
        pending
            .iter()
            .map(|m| String::from_utf8_lossy(&m.payload).into_owned())
            .collect()
    }

    #[test]
    fn records_appended_after_junk_in_the_log_survive_a_reopen() {
        // A torn record (a short write on a full disk, say) in the middle of the log must
        // not hide the records appended after it.
        let dir = tmpdir("junk");
        {
            let (mut s, _) = Store::open(&dir).unwrap();
            append_str(&mut s, "A");
            OpenOptions::new()
                .append(true)
                .open(dir.join(LOG))
                .unwrap()
                .write_all(&[9, 0, 0, 0, 1])
                .unwrap();
            append_str(&mut s, "B");
        }
        let (_s, recovered) = Store::open(&dir).unwrap();
        assert_eq!(payloads(&recovered.messages), ["A", "B"]);
        assert!(recovered.damage.is_some(), "the junk is reported");
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_corrupt_record_is_skipped_reported_and_kept_aside_and_later_records_recovered() {
        let dir = tmpdir("corrupt");
        let mut offsets = Vec::new();
        {
            let (mut s, _) = Store::open(&dir).unwrap();
            for p in ["one", "two", "three", "four", "five"] {
                offsets.push(fs::metadata(dir.join(LOG)).unwrap().len());
                append_str(&mut s, p);
            }
        }
        let path = dir.join(LOG);
        let mut data = fs::read(&path).unwrap();
        let original_len = data.len();
        // Flip the last payload byte of record 2 ("two").
        let at = offsets[2] as usize - 1;
        data[at] ^= 0x55;
        fs::write(&path, &data).unwrap();

        let (mut s, recovered) = Store::open(&dir).unwrap();
        assert_eq!(
            payloads(&recovered.messages),
            ["one", "three", "four", "five"]
        );
        let damage = recovered.damage.expect("the damage is reported");
        assert_eq!(damage.damaged_bytes, offsets[2] - offsets[1]);
        let aside = damage.kept_aside.expect("the damaged log is kept aside");
        assert_eq!(fs::read(&aside).unwrap(), data, "kept byte for byte");
        assert_eq!(data.len(), original_len);
        // The store goes on working, and the next open finds no damage.
        append_str(&mut s, "six");
        drop(s);
        let (_s, recovered) = Store::open(&dir).unwrap();
        assert_eq!(
            payloads(&recovered.messages),
            ["one", "three", "four", "five", "six"]
        );
        assert!(recovered.damage.is_none());
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
        let (_, recovered) = Store::open(&dir).unwrap();
        assert_eq!(
            recovered.messages.iter().map(|m| m.seq).collect::<Vec<_>>(),
            vec![keep]
        );
        let _ = fs::remove_dir_all(&dir);
    }
}
