//! Target `store_replay`: the durable store's log replay (`Store::open`'s
//! scan), on arbitrary bytes and on valid logs built from the input.
//!
//! Properties:
//!
//! * whatever the bytes, the damaged ranges and the torn tail lie inside the
//!   input, in order and apart, so the scan never reports more bytes than
//!   it was given; every recovered message is QoS 1 or 2;
//! * the clean log the store writes after damage (the recovered messages
//!   re-encoded) scans to the same messages, with no damage;
//! * a valid log scans to exactly its records: the messages not marked
//!   done, the highest sequence number, no damage; with an incomplete
//!   record appended (a crash during an append), the records before it are
//!   all read and nothing before the cut is reported.
//!
//! Input layout: byte 0 bit 0 clear: the rest is a log; set: the rest
//! drives the building of a valid log (each operation takes a few bytes:
//! a message with a topic and payload cut from the input, or a done mark
//! for an earlier message), and byte 0's bit 1 asks for the torn record.

use std::collections::BTreeMap;

use mqttws::fuzzing::{StoreScan, store_done_record, store_message_record, store_scan};
use mqttws::store::StoredMessage;
use mqttws::{Bytes, QoS};

/// Runs one input. Panics only if a property breaks (or the code panics).
pub fn run(data: &[u8]) {
    let Some((&ctl, rest)) = data.split_first() else {
        return;
    };
    if ctl & 0x01 == 0 {
        let scan = store_scan(rest);
        check_bounds(&scan, rest.len());
        check_clean_log(&scan.live);
    } else {
        valid_log(rest, ctl & 0x02 != 0);
    }
}

fn check_bounds(scan: &StoreScan, len: usize) {
    let len = len as u64;
    let mut end_of_last = 0;
    for &(start, end) in &scan.damaged {
        assert!(
            end_of_last <= start && start < end && end <= len,
            "damaged ranges {:?} in {len} bytes",
            scan.damaged
        );
        end_of_last = end;
    }
    if let Some(tail) = scan.torn_tail {
        assert!(
            end_of_last <= tail && tail < len,
            "torn tail at {tail} after {:?} in {len} bytes",
            scan.damaged
        );
    }
    for m in &scan.live {
        assert!(
            matches!(m.qos, QoS::AtLeastOnce | QoS::ExactlyOnce),
            "{m:?}"
        );
        assert!(
            m.seq <= scan.max_seq,
            "{m:?} above max_seq {}",
            scan.max_seq
        );
    }
}

/// What the store writes in place of a damaged log scans back to the same.
fn check_clean_log(live: &[StoredMessage]) {
    let mut clean = Vec::new();
    for m in live {
        clean.extend(store_message_record(m).expect("a message read from a log fits in one"));
    }
    let again = store_scan(&clean);
    assert_eq!(again.live, live, "the clean log lost or changed messages");
    assert!(
        again.damaged.is_empty() && again.torn_tail.is_none(),
        "{again:?}"
    );
}

fn valid_log(input: &[u8], torn: bool) {
    let mut log = Vec::new();
    let mut model: BTreeMap<u64, StoredMessage> = BTreeMap::new();
    let mut max_seq = 0;
    let mut rest = input;
    while let [op, seq_step, topic_len, payload_len, tail @ ..] = rest {
        let seq = max_seq + 1 + u64::from(*seq_step & 0x0f);
        if op & 0x03 == 0 && !model.is_empty() {
            // Mark an earlier message done.
            let seqs: Vec<u64> = model.keys().copied().collect();
            let done = seqs[usize::from(*seq_step) % seqs.len()];
            model.remove(&done);
            log.extend(store_done_record(done));
            rest = tail;
            continue;
        }
        let (topic, tail) = tail.split_at(usize::from(*topic_len & 0x1f).min(tail.len()));
        let (payload, tail) = tail.split_at(usize::from(*payload_len).min(tail.len()));
        let m = StoredMessage {
            seq,
            topic: String::from_utf8_lossy(topic).into_owned(),
            payload: Bytes::copy_from_slice(payload),
            qos: if op & 0x04 == 0 {
                QoS::AtLeastOnce
            } else {
                QoS::ExactlyOnce
            },
            retain: op & 0x08 != 0,
        };
        log.extend(store_message_record(&m).expect("a small message fits"));
        model.insert(seq, m);
        max_seq = seq;
        rest = tail;
    }
    let valid_len = log.len() as u64;
    if torn {
        // The start of one more record, cut short.
        let extra = store_message_record(&StoredMessage {
            seq: max_seq + 1,
            topic: "torn".into(),
            payload: Bytes::copy_from_slice(rest),
            qos: QoS::AtLeastOnce,
            retain: false,
        })
        .expect("a small message fits");
        log.extend(&extra[..extra.len() - 1]);
    }

    let scan = store_scan(&log);
    check_bounds(&scan, log.len());
    if !torn {
        let expected: Vec<StoredMessage> = model.into_values().collect();
        assert_eq!(scan.live, expected, "a valid log scanned to other messages");
        assert_eq!(scan.max_seq, max_seq);
        assert!(
            scan.damaged.is_empty() && scan.torn_tail.is_none(),
            "{scan:?}"
        );
        return;
    }
    // Bytes inside the torn record may look like records of their own; the
    // valid records before it are read all the same.
    assert!(
        scan.max_seq >= max_seq,
        "{scan:?} lost records before the cut"
    );
    assert!(
        scan.damaged.iter().all(|&(start, _)| start >= valid_len)
            && scan.torn_tail.is_none_or(|t| t >= valid_len),
        "{scan:?} reports damage before the cut at {valid_len}"
    );
}
