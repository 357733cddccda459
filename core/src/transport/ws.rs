//! WebSocket framing (RFC 6455, client side) for one open connection: every
//! MQTT packet goes out as one masked binary frame, and incoming data frames
//! are an MQTT byte *stream* (coalesced, split, fragmented and empty frames
//! all work), handed on as soon as their bytes arrive.
//!
//! Our own rather than tungstenite's, for the hot path: received bytes land
//! in one buffer allocated (and zeroed) once per connection, instead of a
//! 128 KiB buffer zeroed before every read; a frame's payload is handed out
//! as a slice of it, not as an allocated message; outgoing frames are built
//! in one reused buffer, so the packets of one step leave in one write (one
//! TLS record over wss). And nothing here logs: CONNECT, which carries the
//! password, goes through this path like every other packet.
//!
//! Rules kept from RFC 6455 (section 5): frames from the server must not be
//! masked and must not set reserved bits; text frames are refused (MQTT uses
//! binary frames only, MQTT 3.1.1 section 6); control frames are final and
//! at most 125 bytes; a PING is answered with a PONG carrying its payload; a
//! CLOSE is answered with a CLOSE echoing its status code.

use std::io::{self, Read, Write};

use sha2::{Digest, Sha256};

use super::Stream;
use crate::error::{Error, Result};

/// Size of the receive buffer (or of the bytes that came with the upgrade
/// response, if more). Frames larger than this are handed on in pieces, so
/// it bounds nothing but the bytes taken per read.
pub(crate) const READ_BUF: usize = 16 * 1024;

/// Output kept between steps; a larger buffer (after a large message) is
/// released once it has been written.
const KEEP_OUT: usize = 64 * 1024;

const OP_CONTINUATION: u8 = 0x0;
const OP_TEXT: u8 = 0x1;
const OP_BINARY: u8 = 0x2;
const OP_CLOSE: u8 = 0x8;
const OP_PING: u8 = 0x9;
const OP_PONG: u8 = 0xA;

/// The byte stream under a [`WsConn`]: the connection's [`Stream`], or
/// memory in the fuzz targets (`crate::fuzzing`).
pub(crate) trait WsStream: Read + Write {
    /// Whether a read may find something without the poller having
    /// reported the socket readable first (see [`Tcp`](super::Tcp)).
    fn may_have_data(&self) -> bool;

    /// Plaintext that TLS decrypted while the socket reported that it had
    /// no more: read into `buf`; 0 when there is none (always, over TCP).
    fn read_decrypted(&mut self, buf: &mut [u8]) -> usize;
}

impl WsStream for Stream {
    fn may_have_data(&self) -> bool {
        Stream::may_have_data(self)
    }

    fn read_decrypted(&mut self, buf: &mut [u8]) -> usize {
        match self {
            Stream::Tls(tls) => tls.conn.reader().read(buf).unwrap_or(0),
            Stream::Plain(_) => 0,
        }
    }
}

/// What [`WsConn::read`] found.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Incoming<'a> {
    /// Bytes of the MQTT stream (part of a data frame, never empty).
    Data(&'a [u8]),
    /// A PONG arrived.
    Pong,
    /// The server closed the WebSocket: its status and reason, as text for
    /// the error ("code 1008, reason \"kicked\"", or "no reason given"). The
    /// answering CLOSE is queued; a flush sends it.
    Close(String),
}

/// The frame whose payload is arriving.
#[derive(Debug)]
struct InFrame {
    opcode: u8,
    /// Payload bytes still to come.
    remaining: u64,
}

/// One WebSocket connection over TCP or TLS, after the upgrade.
#[derive(Debug)]
pub(crate) struct WsConn<S = Stream> {
    stream: S,
    /// Received bytes: `rbuf[rpos..rend]` is not yet parsed.
    rbuf: Vec<u8>,
    rpos: usize,
    rend: usize,
    /// The frame whose payload is arriving, once its header is parsed.
    frame: Option<InFrame>,
    /// A data message continues in continuation frames.
    fragmented: bool,
    /// The payload of the control frame arriving (at most 125 bytes).
    control: Vec<u8>,
    /// Framed bytes to write: `out[opos..]`.
    out: Vec<u8>,
    opos: usize,
    /// We sent (queued) a CLOSE: nothing but a reply to it follows.
    close_sent: bool,
    masks: MaskSource,
}

impl<S: WsStream> WsConn<S> {
    /// A connection whose upgrade is done; `leftover` is what the server
    /// sent right after its 101 response.
    pub(crate) fn new(stream: S, leftover: &[u8]) -> Self {
        let mut rbuf = vec![0; READ_BUF.max(leftover.len())];
        rbuf[..leftover.len()].copy_from_slice(leftover);
        Self {
            stream,
            rbuf,
            rpos: 0,
            rend: leftover.len(),
            frame: None,
            fragmented: false,
            control: Vec::new(),
            out: Vec::with_capacity(1024),
            opos: 0,
            close_sent: false,
            masks: MaskSource::new(),
        }
    }

    /// The underlying stream (to deregister its socket).
    pub(crate) fn stream_mut(&mut self) -> &mut S {
        &mut self.stream
    }

    /// Whether [`WsConn::read`] may find something without the poller
    /// having reported the socket readable first (see
    /// [`Tcp`](super::Tcp)): bytes are buffered here, or the socket was not
    /// found empty since its last event.
    pub(crate) fn may_have_data(&self) -> bool {
        self.rpos < self.rend || self.stream.may_have_data()
    }

    /// Bytes queued and not yet written.
    pub(crate) fn queued_len(&self) -> usize {
        self.out.len() - self.opos
    }

    /// Queues `payload` (one MQTT packet) as one binary frame.
    pub(crate) fn send_binary(&mut self, payload: &[u8]) {
        debug_assert!(!payload.is_empty(), "an empty binary frame");
        self.frame_out(OP_BINARY, payload);
    }

    /// Queues a PING.
    pub(crate) fn send_ping(&mut self, payload: &[u8]) {
        if !self.close_sent {
            self.frame_out(OP_PING, payload);
        }
    }

    /// Queues a CLOSE without a status (once).
    pub(crate) fn close(&mut self) {
        if !self.close_sent {
            self.frame_out(OP_CLOSE, &[]);
            self.close_sent = true;
        }
    }

    /// Writes what is queued. `WouldBlock` when the socket took only part of
    /// it (the rest stays queued); other errors are the connection's end.
    pub(crate) fn flush(&mut self) -> io::Result<()> {
        while self.opos < self.out.len() {
            match self.stream.write(&self.out[self.opos..]) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => self.opos += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        if self.opos > 0 {
            self.opos = 0;
            self.out.clear();
            if self.out.capacity() > KEEP_OUT {
                self.out = Vec::with_capacity(1024);
            }
        }
        // TLS: what rustls still holds; a no-op over plain TCP.
        self.stream.flush()
    }

    /// The next thing the server sent, reading the socket when the buffer
    /// holds no complete frame header: `Ok(None)` when the socket has
    /// nothing more now. A PING is answered (queued) and not reported.
    pub(crate) fn read(&mut self) -> Result<Option<Incoming<'_>>> {
        let (start, end) = loop {
            if let Some(frame) = &mut self.frame {
                let avail = self.rend - self.rpos;
                let n = usize::try_from(frame.remaining).map_or(avail, |r| r.min(avail));
                let (start, end) = (self.rpos, self.rpos + n);
                self.rpos = end;
                frame.remaining -= n as u64;
                let done = frame.remaining == 0;
                let opcode = frame.opcode;
                if done {
                    self.frame = None;
                }
                if opcode == OP_BINARY || opcode == OP_CONTINUATION {
                    if n > 0 {
                        break (start, end);
                    }
                    if done {
                        continue;
                    }
                } else {
                    self.control.extend_from_slice(&self.rbuf[start..end]);
                    if done {
                        match self.control_frame(opcode)? {
                            Some(incoming) => return Ok(Some(incoming)),
                            None => continue,
                        }
                    }
                }
            } else if let Some((header_len, opcode, len)) =
                parse_header(&self.rbuf[self.rpos..self.rend])?
            {
                self.rpos += header_len;
                self.accept_frame(opcode, len)?;
                continue;
            }
            if !self.fill()? {
                return Ok(None);
            }
        };
        Ok(Some(Incoming::Data(&self.rbuf[start..end])))
    }

    /// Checks a new frame's header against the connection's state.
    fn accept_frame(&mut self, b0: u8, len: u64) -> Result<()> {
        let fin = b0 & 0x80 != 0;
        let opcode = b0 & 0x0f;
        match opcode {
            OP_CONTINUATION if !self.fragmented => {
                return Err(violation(
                    "a continuation frame without a message to continue",
                ));
            }
            OP_BINARY if self.fragmented => {
                return Err(violation("a new message before the fragmented one ended"));
            }
            OP_CONTINUATION | OP_BINARY => self.fragmented = !fin,
            OP_TEXT => {
                return Err(Error::protocol(
                    "the server sent a text frame; MQTT uses binary frames only",
                ));
            }
            OP_CLOSE | OP_PING | OP_PONG => {
                if !fin {
                    return Err(violation("a fragmented control frame"));
                }
                if len > 125 {
                    return Err(violation("a control frame longer than 125 bytes"));
                }
                self.control.clear();
            }
            other => return Err(violation(&format!("unknown opcode {other:#x}"))),
        }
        self.frame = Some(InFrame {
            opcode,
            remaining: len,
        });
        Ok(())
    }

    /// A complete control frame (its payload in `self.control`).
    fn control_frame(&mut self, opcode: u8) -> Result<Option<Incoming<'static>>> {
        match opcode {
            OP_PING => {
                if !self.close_sent {
                    let payload = std::mem::take(&mut self.control);
                    self.frame_out(OP_PONG, &payload);
                    self.control = payload;
                }
                Ok(None)
            }
            OP_PONG => Ok(Some(Incoming::Pong)),
            _ => {
                let why = match self.control.as_slice() {
                    [] => {
                        self.close();
                        "no reason given".to_owned()
                    }
                    [_] => return Err(violation("a close frame with a one-byte payload")),
                    [hi, lo, reason @ ..] => {
                        let code = u16::from_be_bytes([*hi, *lo]);
                        let reason = std::str::from_utf8(reason).map_err(|_| {
                            Error::protocol("invalid UTF-8 in a WebSocket control frame")
                        })?;
                        let why = format!("code {code}, reason {reason:?}");
                        if !self.close_sent {
                            self.frame_out(OP_CLOSE, &code.to_be_bytes());
                            self.close_sent = true;
                        }
                        why
                    }
                };
                Ok(Some(Incoming::Close(why)))
            }
        }
    }

    /// Reads more into the buffer. `Ok(false)`: nothing to read now.
    fn fill(&mut self) -> Result<bool> {
        if self.rpos == self.rend {
            self.rpos = 0;
            self.rend = 0;
        } else if self.rpos > 0 {
            // A partial frame header (payload bytes are always handed on).
            self.rbuf.copy_within(self.rpos..self.rend, 0);
            self.rend -= self.rpos;
            self.rpos = 0;
        }
        loop {
            match self.stream.read(&mut self.rbuf[self.rend..]) {
                Ok(0) => {
                    return Err(Error::Closed(if self.close_sent {
                        "the WebSocket is closed".into()
                    } else {
                        "the server dropped the connection without a WebSocket close".into()
                    }));
                }
                Ok(n) => {
                    self.rend += n;
                    return Ok(true);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    // rustls may have decrypted records while reporting that
                    // the socket had no more.
                    let n = self.stream.read_decrypted(&mut self.rbuf[self.rend..]);
                    self.rend += n;
                    return Ok(n > 0);
                }
                Err(e) => return Err(super::classify_io("exchanging data", e)),
            }
        }
    }

    /// Appends one final, masked frame to the output.
    fn frame_out(&mut self, opcode: u8, payload: &[u8]) {
        let len = payload.len();
        self.out.reserve(14 + len);
        self.out.push(0x80 | opcode);
        if len < 126 {
            self.out.push(0x80 | len as u8);
        } else if let Ok(len) = u16::try_from(len) {
            self.out.push(0x80 | 126);
            self.out.extend_from_slice(&len.to_be_bytes());
        } else {
            self.out.push(0x80 | 127);
            self.out.extend_from_slice(&(len as u64).to_be_bytes());
        }
        let mask = self.masks.next();
        self.out.extend_from_slice(&mask);
        let start = self.out.len();
        self.out.extend_from_slice(payload);
        apply_mask(&mut self.out[start..], mask);
    }
}

fn violation(what: &str) -> Error {
    Error::protocol(format!("WebSocket protocol violation: {what}"))
}

/// A frame header at the start of `b`: its length, first byte and payload
/// length; `None` while incomplete.
fn parse_header(b: &[u8]) -> Result<Option<(usize, u8, u64)>> {
    let (Some(&b0), Some(&b1)) = (b.first(), b.get(1)) else {
        return Ok(None);
    };
    if b0 & 0x70 != 0 {
        return Err(violation("reserved bits set in a frame header"));
    }
    if b1 & 0x80 != 0 {
        // RFC 6455 section 5.1: a client closes on a masked frame.
        return Err(violation("a masked frame from the server"));
    }
    let (header_len, len) = match b1 & 0x7f {
        126 => match b.get(2..4) {
            Some(l) => (4, u64::from(u16::from_be_bytes([l[0], l[1]]))),
            None => return Ok(None),
        },
        127 => match b.get(2..10) {
            Some(l) => {
                let mut n = [0; 8];
                n.copy_from_slice(l);
                (10, u64::from_be_bytes(n))
            }
            None => return Ok(None),
        },
        n => (2, u64::from(n)),
    };
    Ok(Some((header_len, b0, len)))
}

/// XORs `data` with the 4-byte mask, starting at mask byte 0.
fn apply_mask(data: &mut [u8], mask: [u8; 4]) {
    let wide = u64::from_ne_bytes([
        mask[0], mask[1], mask[2], mask[3], mask[0], mask[1], mask[2], mask[3],
    ]);
    let mut chunks = data.chunks_exact_mut(8);
    for c in &mut chunks {
        let mut w = [0; 8];
        w.copy_from_slice(c);
        c.copy_from_slice(&(u64::from_ne_bytes(w) ^ wide).to_ne_bytes());
    }
    for (i, b) in chunks.into_remainder().iter_mut().enumerate() {
        *b ^= mask[i % 4];
    }
}

/// Masking keys (RFC 6455 section 10.3: unpredictable, from a strong source
/// of entropy): SHA-256 in counter mode over a 256-bit key from the OS
/// generator, eight keys per hash, instead of a system call per frame.
#[derive(Debug)]
struct MaskSource {
    key: [u8; 32],
    counter: u64,
    block: [u8; 32],
    used: usize,
}

impl MaskSource {
    fn new() -> Self {
        let mut key = [0; 32];
        if getrandom::fill(&mut key).is_err() {
            // Were the OS generator to fail, the masks are still valid
            // frames; they only defeat cache poisoning by intermediaries.
            let t = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos());
            key[..16].copy_from_slice(&t.to_le_bytes());
            key[16..20].copy_from_slice(&std::process::id().to_le_bytes());
        }
        Self {
            key,
            counter: 0,
            block: [0; 32],
            used: 32,
        }
    }

    fn next(&mut self) -> [u8; 4] {
        if self.used == 32 {
            let mut h = Sha256::new();
            h.update(self.key);
            h.update(self.counter.to_le_bytes());
            self.block = h.finalize().into();
            self.counter += 1;
            self.used = 0;
        }
        let mut m = [0; 4];
        m.copy_from_slice(&self.block[self.used..self.used + 4]);
        self.used += 4;
        m
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masking_twice_gives_the_payload_back_at_every_length() {
        for len in 0..40 {
            let data: Vec<u8> = (0..len as u8).collect();
            let mut d = data.clone();
            apply_mask(&mut d, [1, 2, 3, 4]);
            for (i, (a, b)) in data.iter().zip(&d).enumerate() {
                assert_eq!(a ^ [1, 2, 3, 4][i % 4], *b);
            }
            apply_mask(&mut d, [1, 2, 3, 4]);
            assert_eq!(d, data);
        }
    }

    #[test]
    fn masking_keys_differ_from_frame_to_frame() {
        let mut m = MaskSource::new();
        let keys: Vec<[u8; 4]> = (0..64).map(|_| m.next()).collect();
        let distinct: std::collections::HashSet<_> = keys.iter().collect();
        assert!(distinct.len() > 60, "{keys:?}");
    }

    #[test]
    fn headers_parse_at_every_length_encoding_and_wait_for_their_end() {
        assert_eq!(parse_header(&[0x82]).unwrap(), None);
        assert_eq!(parse_header(&[0x82, 5]).unwrap(), Some((2, 0x82, 5)));
        assert_eq!(parse_header(&[0x82, 126, 1]).unwrap(), None);
        assert_eq!(
            parse_header(&[0x02, 126, 1, 0]).unwrap(),
            Some((4, 0x02, 256))
        );
        assert_eq!(parse_header(&[0x82, 127, 0, 0, 0, 0, 0, 1]).unwrap(), None);
        assert_eq!(
            parse_header(&[0x82, 127, 0, 0, 0, 0, 0, 1, 0, 0]).unwrap(),
            Some((10, 0x82, 65536))
        );
        assert!(parse_header(&[0xc2, 1]).is_err(), "reserved bit");
        assert!(parse_header(&[0x82, 0x81, 0, 0, 0, 0]).is_err(), "masked");
    }
}
