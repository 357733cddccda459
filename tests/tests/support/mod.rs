//! Just enough WebSocket + MQTT 3.1.1 (and rustls) to check the broker's listeners from the
//! self-tests, independently of the mqttws crate. Every read is bounded by a socket timeout.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Output, Stdio};
use std::sync::Arc;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::{ClientConfig, ClientConnection, RootCertStore, StreamOwned};

/// Upper bound for every single socket read or write in these tests.
pub const IO_TIMEOUT: Duration = Duration::from_secs(5);

pub trait Stream: Read + Write {}
impl<T: Read + Write> Stream for T {}

pub fn tcp(port: u16) -> TcpStream {
    let s = TcpStream::connect(("127.0.0.1", port))
        .unwrap_or_else(|e| panic!("connect to 127.0.0.1:{port}: {e}"));
    s.set_read_timeout(Some(IO_TIMEOUT)).unwrap();
    s.set_write_timeout(Some(IO_TIMEOUT)).unwrap();
    s.set_nodelay(true).unwrap();
    s
}

/// A rustls client trusting `ca_pem`, optionally presenting a client certificate.
pub fn tls_config(ca_pem: &str, client: Option<(&str, &str)>) -> Arc<ClientConfig> {
    let mut roots = RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(ca_pem.as_bytes()) {
        roots.add(cert.expect("CA PEM")).expect("add CA");
    }
    let builder =
        ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .expect("protocol versions")
            .with_root_certificates(roots);
    let config = match client {
        None => builder.with_no_client_auth(),
        Some((cert_pem, key_pem)) => {
            let certs = CertificateDer::pem_slice_iter(cert_pem.as_bytes())
                .collect::<Result<Vec<_>, _>>()
                .expect("client certificate PEM");
            let key = PrivateKeyDer::from_pem_slice(key_pem.as_bytes()).expect("client key PEM");
            builder
                .with_client_auth_cert(certs, key)
                .expect("client auth config")
        }
    };
    Arc::new(config)
}

pub fn tls(port: u16, config: Arc<ClientConfig>) -> StreamOwned<ClientConnection, TcpStream> {
    let name = ServerName::try_from("127.0.0.1").unwrap();
    let conn = ClientConnection::new(config, name).expect("TLS client");
    StreamOwned::new(conn, tcp(port))
}

/// HTTP upgrade with subprotocol `mqtt`; fails unless the answer is `101`.
pub fn ws_handshake(s: &mut dyn Stream, port: u16, path: &str) -> io::Result<()> {
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n\
         Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
         Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: mqtt\r\n\r\n"
    );
    s.write_all(request.as_bytes())?;
    s.flush()?;
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if head.len() > 8192 {
            return Err(io::Error::other("HTTP response head too long"));
        }
        s.read_exact(&mut byte)?;
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head);
    if !head.starts_with("HTTP/1.1 101") {
        return Err(io::Error::other(format!("no upgrade: {head}")));
    }
    Ok(())
}

/// One masked binary frame.
pub fn ws_send(s: &mut dyn Stream, payload: &[u8]) -> io::Result<()> {
    let mask = [0x37, 0xfa, 0x21, 0x3d];
    let mut frame = vec![0x82];
    match payload.len() {
        n if n < 126 => frame.push(0x80 | n as u8),
        n if n <= 0xffff => {
            frame.push(0x80 | 126);
            frame.extend_from_slice(&(n as u16).to_be_bytes());
        }
        n => {
            frame.push(0x80 | 127);
            frame.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    frame.extend_from_slice(&mask);
    frame.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
    s.write_all(&frame)?;
    s.flush()
}

/// Appends the payload of the next data frame to `buf`.
fn ws_read_frame(s: &mut dyn Stream, buf: &mut Vec<u8>) -> io::Result<()> {
    let mut h = [0u8; 2];
    s.read_exact(&mut h)?;
    let opcode = h[0] & 0x0f;
    let mut len = u64::from(h[1] & 0x7f);
    if len == 126 {
        let mut b = [0u8; 2];
        s.read_exact(&mut b)?;
        len = u64::from(u16::from_be_bytes(b));
    } else if len == 127 {
        let mut b = [0u8; 8];
        s.read_exact(&mut b)?;
        len = u64::from_be_bytes(b);
    }
    if h[1] & 0x80 != 0 {
        return Err(io::Error::other("server frames must not be masked"));
    }
    let mut payload = vec![0u8; len as usize];
    s.read_exact(&mut payload)?;
    match opcode {
        0x0..=0x2 => {
            buf.extend_from_slice(&payload);
            Ok(())
        }
        0x8 => Err(io::Error::new(
            io::ErrorKind::ConnectionAborted,
            format!("WebSocket close frame {payload:?}"),
        )),
        _ => Ok(()), // ping/pong: ignore
    }
}

/// MQTT over one WebSocket connection.
pub struct Mqtt {
    pub stream: Box<dyn Stream>,
    buf: Vec<u8>,
}

impl Mqtt {
    /// WebSocket handshake on `stream`, then MQTT CONNECT; returns the CONNACK return code.
    pub fn connect(
        mut stream: Box<dyn Stream>,
        port: u16,
        path: &str,
        client_id: &str,
        login: Option<(&str, &str)>,
    ) -> io::Result<(Mqtt, u8)> {
        ws_handshake(&mut *stream, port, path)?;
        let mut mqtt = Mqtt {
            stream,
            buf: Vec::new(),
        };
        let mut flags = 0x02; // clean session
        let mut payload = string(client_id);
        if let Some((user, pass)) = login {
            flags |= 0xc0;
            payload.extend(string(user));
            payload.extend(string(pass));
        }
        let mut body = string("MQTT");
        body.extend([4, flags, 0, 60]);
        body.extend(payload);
        mqtt.send(0x10, &body)?;
        let (header, body) = mqtt.read_packet()?;
        if header != 0x20 || body.len() != 2 {
            return Err(io::Error::other(format!(
                "expected CONNACK, got {header:#x} {body:?}"
            )));
        }
        Ok((mqtt, body[1]))
    }

    pub fn send(&mut self, header: u8, body: &[u8]) -> io::Result<()> {
        let mut packet = vec![header];
        let mut n = body.len();
        loop {
            let mut b = (n % 128) as u8;
            n /= 128;
            if n > 0 {
                b |= 0x80;
            }
            packet.push(b);
            if n == 0 {
                break;
            }
        }
        packet.extend_from_slice(body);
        ws_send(&mut *self.stream, &packet)
    }

    /// Next MQTT packet (fixed header byte, body), however the broker framed it.
    pub fn read_packet(&mut self) -> io::Result<(u8, Vec<u8>)> {
        loop {
            if let Some((len, used)) = remaining_length(&self.buf)
                && self.buf.len() >= 1 + used + len
            {
                let header = self.buf[0];
                let body = self.buf[1 + used..1 + used + len].to_vec();
                self.buf.drain(..1 + used + len);
                return Ok((header, body));
            }
            ws_read_frame(&mut *self.stream, &mut self.buf)?;
        }
    }

    /// PUBLISH with QoS 1 (and the retain flag if asked), waits for the PUBACK.
    pub fn publish_qos1(&mut self, topic: &str, payload: &[u8], retain: bool) -> io::Result<()> {
        let mut body = string(topic);
        body.extend([0, 1]);
        body.extend_from_slice(payload);
        self.send(0x32 | u8::from(retain), &body)?;
        let (header, body) = self.read_packet()?;
        if header != 0x40 || body != [0, 1] {
            return Err(io::Error::other(format!(
                "expected PUBACK 1, got {header:#x} {body:?}"
            )));
        }
        Ok(())
    }
}

fn string(s: &str) -> Vec<u8> {
    let mut v = (s.len() as u16).to_be_bytes().to_vec();
    v.extend_from_slice(s.as_bytes());
    v
}

fn remaining_length(buf: &[u8]) -> Option<(usize, usize)> {
    let mut len = 0usize;
    for (i, b) in buf.iter().skip(1).take(4).enumerate() {
        len |= usize::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            return Some((len, i + 1));
        }
    }
    None
}

/// Waits for `child` with a deadline (on a helper thread; no polling), kills it on expiry.
pub fn wait_child(child: Child, what: &str, limit: Duration) -> Output {
    let pid = child.id();
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(limit) {
        Ok(out) => out.unwrap_or_else(|e| panic!("{what}: {e}")),
        Err(_) => {
            // Not reaped yet (the helper thread is still waiting), so the pid is still ours.
            // SAFETY: kill(2) has no memory-safety preconditions.
            unsafe { libc::kill(pid as libc::pid_t, libc::SIGKILL) };
            panic!("{what}: still running after {limit:?}; killed");
        }
    }
}

/// Runs a command to completion within `limit`.
pub fn run(cmd: &mut Command, limit: Duration) -> Output {
    let what = format!("{cmd:?}");
    let child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {what}: {e}"));
    wait_child(child, &what, limit)
}

pub fn assert_success(out: &Output, what: &str) {
    assert!(
        out.status.success(),
        "{what} failed ({}):\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
