//! Target `ws_frames`: a server's WebSocket byte stream read by the client's
//! WebSocket (tungstenite, role client, the client's limits) and its binary
//! messages fed to a connected [`Session`], as the client does.
//!
//! Properties:
//!
//! * no message is larger than the limit the WebSocket was given, and the
//!   messages never carry more bytes than the stream did;
//! * a text frame, a close frame or an error ends the connection, as in the
//!   client; pings, pongs and lone frames do not;
//! * a stream that has ended ends the reading: at most one read per input
//!   byte, plus a few;
//! * the session's rules hold (see `session_input`): every packet it sends
//!   is a valid one, and it is not connected after an input error.
//!
//! Input layout: byte 0 picks the limits (bit 0: a small message limit,
//! bits 1..: its size; bit 7: a small MQTT packet limit), the rest is the
//! server's stream, of which a first part (chosen by the generator) arrived
//! with the upgrade response and the remainder arrives in pieces, with
//! "would block" between them.

use std::io::{self, Read, Write};
use std::time::Instant;

use mqttws::fuzzing::{tungstenite, ws_client};
use mqttws::{ConnectParams, Session, SessionConfig};
use tungstenite::{Error as WsError, Message};

use super::Gen;
use super::session_input::drain;

/// The client's limit for its default MQTT packet limit (1 MiB): twice that,
/// plus frame overhead (`message_limit` in `client.rs`).
const DEFAULT_MESSAGE_LIMIT: usize = (2 << 20) + 64;

/// Runs one input. Panics only if a property breaks (or the code panics).
pub fn run(data: &[u8]) {
    let Some((&ctl, stream)) = data.split_first() else {
        return;
    };
    let mut g = Gen::new(data);
    let limit = if ctl & 0x01 != 0 {
        4 + 8 * usize::from((ctl >> 1) & 0x3f)
    } else {
        DEFAULT_MESSAGE_LIMIT
    };
    let mut config = SessionConfig::default();
    if ctl & 0x80 != 0 {
        config.max_incoming_packet_size = 16;
    }
    let mut session = Session::new(config);
    let now = Instant::now();
    session
        .connect(
            ConnectParams {
                client_id: "fuzz".into(),
                username: None,
                password: None,
                keepalive: 0,
                clean_session: true,
                will: None,
                properties: Default::default(),
            },
            now,
        )
        .expect("valid connect parameters");
    drain(&mut session);

    let leftover_len = (g.below(stream.len() as u64 + 1)) as usize;
    let (leftover, rest) = stream.split_at(leftover_len);
    let pieces = g.split(rest, 4096);
    let mut ws = ws_client(
        Server {
            pieces: pieces.into_iter(),
            current: &[],
            block: false,
        },
        leftover.to_vec(),
        limit,
    );

    let mut payload_bytes = 0usize;
    let max_reads = 2 * stream.len() + 8;
    for _ in 0..=max_reads {
        match ws.read() {
            Ok(Message::Binary(payload)) => {
                assert!(
                    payload.len() <= limit,
                    "a {}-byte message passed the {limit}-byte limit",
                    payload.len()
                );
                payload_bytes += payload.len();
                assert!(
                    payload_bytes <= stream.len(),
                    "messages carried {payload_bytes} bytes out of a {}-byte stream",
                    stream.len()
                );
                let result = session.handle_bytes(&payload, now);
                drain(&mut session);
                if result.is_err() {
                    assert!(!session.is_connected(), "connected after a protocol error");
                    return;
                }
            }
            // The client refuses text and stops at a close.
            Ok(Message::Text(_) | Message::Close(_)) => return,
            Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_)) => {}
            Err(WsError::Io(e)) if e.kind() == io::ErrorKind::WouldBlock => {}
            Err(_) => return,
        }
    }
    panic!(
        "still reading after {max_reads} reads of a {}-byte stream",
        stream.len()
    );
}

/// The server's side of the socket: the pieces, one per read, with "would
/// block" between them; then the end of the stream. Writes (pongs, close
/// replies) are taken and dropped.
struct Server<'a> {
    pieces: std::vec::IntoIter<&'a [u8]>,
    current: &'a [u8],
    block: bool,
}

impl Read for Server<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.current.is_empty() {
            if std::mem::take(&mut self.block) {
                return Err(io::ErrorKind::WouldBlock.into());
            }
            match self.pieces.next() {
                Some(piece) => self.current = piece,
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.current.len());
        buf[..n].copy_from_slice(&self.current[..n]);
        self.current = &self.current[n..];
        self.block = self.current.is_empty();
        Ok(n)
    }
}

impl Write for Server<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
