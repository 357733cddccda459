//! Target `ws_frames`: a server's WebSocket byte stream read by the client's
//! own WebSocket framing (`transport::ws`, as a connection runs it) and the
//! MQTT bytes it hands on fed to a connected [`Session`], as the client does.
//!
//! Properties:
//!
//! * the bytes handed on never exceed the stream's, and no piece is longer
//!   than the receive buffer (memory stays bounded whatever lengths frame
//!   headers claim);
//! * a close frame or an error ends the connection, as in the client; pings,
//!   pongs and empty or split frames do not;
//! * a stream that has ended ends the reading: at most one read per input
//!   byte, plus a few;
//! * everything the client writes (answers to pings and closes) is final,
//!   masked control frames: PONGs echoing a PING's payload, at most one
//!   CLOSE, nothing after it;
//! * the session's rules hold (see `session_input`): every packet it sends
//!   is a valid one, and it is not connected after an input error.
//!
//! Input layout: byte 0 picks the limits (bit 7: a small MQTT packet limit;
//! the others are unused), the rest is the server's stream, of which a first
//! part (chosen by the generator) arrived with the upgrade response and the
//! remainder arrives in pieces, with "would block" between them.

use std::cell::RefCell;
use std::io::{self, Read, Write};
use std::rc::Rc;
use std::time::Instant;

use mqttws::fuzzing::{WS_READ_BUF, WsRead, ws_client};
use mqttws::{ConnectParams, Session, SessionConfig};

use super::Gen;
use super::session_input::drain;

/// Runs one input. Panics only if a property breaks (or the code panics).
pub fn run(data: &[u8]) {
    let Some((&ctl, stream)) = data.split_first() else {
        return;
    };
    let mut g = Gen::new(data);
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
    let written = Rc::new(RefCell::new(Vec::new()));
    let mut ws = ws_client(
        Server {
            pieces: pieces.into_iter(),
            current: &[],
            block: false,
            written: written.clone(),
        },
        leftover,
    );

    let max_piece = WS_READ_BUF.max(leftover.len());
    let mut data_bytes = 0usize;
    let max_reads = 2 * stream.len() + 8;
    let mut reads = 0;
    loop {
        reads += 1;
        assert!(
            reads <= max_reads,
            "still reading after {max_reads} reads of a {}-byte stream",
            stream.len()
        );
        let read = ws.read();
        ws.flush().expect("writes to memory succeed");
        match read {
            Ok(Some(WsRead::Data(bytes))) => {
                assert!(!bytes.is_empty(), "an empty piece of data");
                assert!(
                    bytes.len() <= max_piece,
                    "a {}-byte piece from a {max_piece}-byte buffer",
                    bytes.len()
                );
                data_bytes += bytes.len();
                assert!(
                    data_bytes <= stream.len(),
                    "{data_bytes} bytes of data out of a {}-byte stream",
                    stream.len()
                );
                let result = session.handle_bytes(&bytes, now);
                drain(&mut session);
                if result.is_err() {
                    assert!(!session.is_connected(), "connected after a protocol error");
                    break;
                }
            }
            // The client stops at a close.
            Ok(Some(WsRead::Close(_))) => break,
            Ok(Some(WsRead::Pong)) | Ok(None) => {}
            Err(_) => break,
        }
    }
    check_client_frames(&written.borrow());
}

/// Checks what the client wrote: final, masked PONG and CLOSE frames, at
/// most one CLOSE, and nothing after it.
fn check_client_frames(mut out: &[u8]) {
    let mut closed = false;
    while !out.is_empty() {
        assert!(!closed, "a frame after the client's CLOSE");
        assert!(out.len() >= 6, "a truncated frame header: {out:?}");
        let (b0, b1) = (out[0], out[1]);
        assert_eq!(b0 & 0xf0, 0x80, "not final or reserved bits set: {b0:#x}");
        assert!(b1 & 0x80 != 0, "an unmasked client frame");
        let len = usize::from(b1 & 0x7f);
        assert!(len <= 125, "a control frame of {len} bytes");
        match b0 & 0x0f {
            0xA => {}
            0x8 => {
                assert!(len == 0 || len == 2, "a CLOSE with a {len}-byte payload");
                closed = true;
            }
            op => panic!("the client sent opcode {op:#x} unasked"),
        }
        assert!(out.len() >= 6 + len, "a truncated frame");
        out = &out[6 + len..];
    }
}

/// The server's side of the socket: the pieces, one per read, with "would
/// block" between them; then the end of the stream. Writes are kept.
struct Server<'a> {
    pieces: std::vec::IntoIter<&'a [u8]>,
    current: &'a [u8],
    block: bool,
    written: Rc<RefCell<Vec<u8>>>,
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
        self.written.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
