//! A fault-injecting TCP relay for loopback tests: put it between a client and a broker (or
//! any TCP server) and make the byte stream misbehave, per direction, while the test runs.
//!
//! This module is part of the test suite *and* documented for users who want to test their
//! own application's behaviour on bad links (see also `docs/fault-injection.md`). It knows
//! nothing about MQTT, WebSocket or TLS: it moves bytes, so `wss://` works through it as
//! well as `ws://` (the TLS certificate still names the broker's host, and the relay
//! listens on the same `127.0.0.1`).
//!
//! ```no_run
//! use std::time::Duration;
//! use mqttws_tests::{Broker, Direction, Fault, Relay};
//!
//! let broker = Broker::start();
//! let relay = Relay::start(("127.0.0.1", broker.ws_port()));
//! let url = relay.ws_url("/mqtt"); // give this URL to the client under test
//!
//! relay.set(Direction::ToClient, Fault::Split(1)); // every byte in its own write
//! relay.set(Direction::ToServer, Fault::Delay(Duration::from_millis(50)));
//! // ... exercise the client ...
//! relay.set(Direction::ToClient, Fault::Stall); // half-open link: nothing reaches the client
//! // ... the client must notice (keepalive) instead of hanging ...
//! relay.set_both(Fault::Cut); // close both sides of every connection
//! relay.set_both(Fault::Pass); // accept and forward new connections normally again
//! ```
//!
//! # Faults
//!
//! Each [`Direction`] has one [`Fault`] at a time, shared by every connection through the
//! relay (current and future), switchable at any moment with [`Relay::set`]:
//!
//! | fault | effect on the bytes flowing in that direction |
//! |---|---|
//! | [`Fault::Pass`] | forwarded as read (the default) |
//! | [`Fault::Split`]`(n)` | forwarded in writes of at most `n` bytes each (`TCP_NODELAY` is on, so each write leaves as its own segment) |
//! | [`Fault::Coalesce`] | buffered until `max_bytes` are waiting or the oldest has waited `max_wait`, then forwarded in one write |
//! | [`Fault::Delay`]`(d)` | each chunk read is held for `d` before it is forwarded (order is kept) |
//! | [`Fault::Trickle`] | forwarded in writes of at most `chunk` bytes, each after a pause of `interval`: a slow link that delivers small pieces |
//! | [`Fault::Stall`] | nothing is read or forwarded; both sockets stay open: a half-open link. Bytes already read are held and forwarded when the fault changes |
//! | [`Fault::Truncate`]`(n)` | the first `n` bytes (counted per connection from when the fault was set) are forwarded, the rest is read and silently dropped; the sockets stay open |
//! | [`Fault::Cut`] | both sides of every live connection are closed at once, and new connections are closed as soon as they are accepted, until the fault is changed |
//!
//! When a peer closes its side (EOF), the relay forwards what it holds in that direction
//! (unless stalled or cut) and half-closes the other socket, as a TCP proxy does; the
//! connection is closed for good once both directions have ended. A read or write error
//! closes both sides at once.
//!
//! # Guarantees
//!
//! - The relay listens on `127.0.0.1` on a free port picked by the kernel.
//! - Nothing waits without a bound: reads poll with a short timeout, the delay, trickle and
//!   stall waits wake on every [`Relay::set`] and on drop, and upstream connects time out after
//!   5 s (the client's side is then closed).
//! - Dropping the [`Relay`] closes every socket and joins every thread it started.
//! - Counters ([`Relay::bytes`], [`Relay::writes`], [`Relay::dropped`],
//!   [`Relay::connections`]) let a test check that a fault really applied, and
//!   [`Relay::wait_for_bytes`] and [`Relay::wait_for_connections`] let it wait for traffic
//!   (with a timeout) instead of sleeping.

use std::fmt;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// How long a read waits before the pump looks at its fault again (coalescing timers).
const POLL: Duration = Duration::from_millis(10);
/// The longest a connect to the upstream server may take.
const UPSTREAM_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Which way the bytes flow through the relay.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    /// From the client (which connected to the relay) to the server (upstream).
    ToServer,
    /// From the server back to the client.
    ToClient,
}

impl Direction {
    fn index(self) -> usize {
        match self {
            Direction::ToServer => 0,
            Direction::ToClient => 1,
        }
    }
}

/// What the relay does to the bytes of one direction. See the [module docs](self).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum Fault {
    /// Forward bytes as they are read.
    #[default]
    Pass,
    /// Forward in writes of at most this many bytes each (0 counts as 1).
    Split(usize),
    /// Buffer up to `max_bytes`, or for at most `max_wait` after the first buffered byte,
    /// then forward everything buffered in one write.
    Coalesce {
        /// Flush as soon as this many bytes are buffered.
        max_bytes: usize,
        /// Flush when the oldest buffered byte has waited this long.
        max_wait: Duration,
    },
    /// Hold each chunk for this long before forwarding it.
    Delay(Duration),
    /// Forward in writes of at most `chunk` bytes with `interval` between them: a slow
    /// link that delivers the stream in small pieces.
    Trickle {
        /// Bytes per write (0 counts as 1).
        chunk: usize,
        /// Pause before each write.
        interval: Duration,
    },
    /// Stop reading and forwarding; keep both sockets open (a half-open link).
    Stall,
    /// Forward this many more bytes per connection, then drop the rest silently.
    Truncate(usize),
    /// Close both sides of every connection, now and as they arrive.
    Cut,
}

/// A running relay. Dropping it closes every connection and stops every thread.
pub struct Relay {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept: Option<JoinHandle<()>>,
}

impl fmt::Debug for Relay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.shared.lock();
        f.debug_struct("Relay")
            .field("addr", &self.addr)
            .field("upstream", &self.shared.upstream)
            .field("faults", &s.faults)
            .field("connections", &s.accepted)
            .finish()
    }
}

struct Shared {
    upstream: Vec<SocketAddr>,
    state: Mutex<State>,
    /// Signalled on every fault change, counter change, connection close and stop.
    changed: Condvar,
}

#[derive(Default)]
struct State {
    faults: [Fault; 2],
    /// Bumped at each `set`, so that `Truncate` counts from when it was set.
    generation: [u64; 2],
    stop: bool,
    accepted: usize,
    conns: Vec<Arc<Conn>>,
    threads: Vec<JoinHandle<()>>,
    bytes: [u64; 2],
    writes: [u64; 2],
    dropped: [u64; 2],
}

/// One relayed connection: both sockets (clones, for closing from outside).
struct Conn {
    client: TcpStream,
    server: TcpStream,
    closed: AtomicBool,
    /// Directions that have seen EOF and half-closed their destination.
    ended: AtomicUsize,
}

impl Conn {
    fn close(&self) {
        self.closed.store(true, Ordering::SeqCst);
        let _ = self.client.shutdown(Shutdown::Both);
        let _ = self.server.shutdown(Shutdown::Both);
    }

    fn is_closed(&self) -> bool {
        self.closed.load(Ordering::SeqCst)
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn close(&self, conn: &Conn) {
        conn.close();
        self.changed.notify_all();
    }
}

impl Relay {
    /// Starts a relay on a free `127.0.0.1` port, forwarding to `upstream` (resolved now).
    /// Panics if it cannot bind or `upstream` does not resolve.
    pub fn start(upstream: impl ToSocketAddrs) -> Relay {
        let upstream: Vec<SocketAddr> = upstream
            .to_socket_addrs()
            .unwrap_or_else(|e| panic!("relay: cannot resolve the upstream address: {e}"))
            .collect();
        assert!(
            !upstream.is_empty(),
            "relay: the upstream address resolves to nothing"
        );
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .unwrap_or_else(|e| panic!("relay: cannot bind 127.0.0.1:0: {e}"));
        let addr = listener.local_addr().expect("relay: local address");
        let shared = Arc::new(Shared {
            upstream,
            state: Mutex::new(State::default()),
            changed: Condvar::new(),
        });
        let accept = {
            let shared = shared.clone();
            thread::Builder::new()
                .name("relay-accept".into())
                .spawn(move || accept_loop(&listener, &shared))
                .expect("relay: spawn the accept thread")
        };
        Relay {
            addr,
            shared,
            accept: Some(accept),
        }
    }

    /// The relay's listening address (`127.0.0.1:PORT`).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The relay's listening port.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// `ws://127.0.0.1:PORT{path}` for the relay.
    pub fn ws_url(&self, path: &str) -> String {
        format!("ws://{}{path}", self.addr)
    }

    /// `wss://127.0.0.1:PORT{path}` for the relay (the server's certificate must be valid
    /// for `127.0.0.1`, as the fixture broker's is).
    pub fn wss_url(&self, path: &str) -> String {
        format!("wss://{}{path}", self.addr)
    }

    /// Sets the fault of one direction, for live and future connections. [`Fault::Cut`]
    /// closes every live connection before returning.
    pub fn set(&self, direction: Direction, fault: Fault) {
        let mut s = self.shared.lock();
        let i = direction.index();
        s.generation[i] += 1;
        let cut = fault == Fault::Cut;
        s.faults[i] = fault;
        if cut {
            for conn in s.conns.drain(..) {
                conn.close();
            }
        }
        drop(s);
        self.shared.changed.notify_all();
    }

    /// Sets the same fault for both directions.
    pub fn set_both(&self, fault: Fault) {
        self.set(Direction::ToServer, fault.clone());
        self.set(Direction::ToClient, fault);
    }

    /// The current fault of a direction.
    pub fn fault(&self, direction: Direction) -> Fault {
        self.shared.lock().faults[direction.index()].clone()
    }

    /// Closes both sides of every live connection now, without changing the faults (new
    /// connections are relayed normally).
    pub fn cut_connections(&self) {
        let mut s = self.shared.lock();
        for conn in s.conns.drain(..) {
            conn.close();
        }
        drop(s);
        self.shared.changed.notify_all();
    }

    /// Connections accepted so far (including ones closed by [`Fault::Cut`]).
    pub fn connections(&self) -> usize {
        self.shared.lock().accepted
    }

    /// Connections currently open through the relay.
    pub fn live_connections(&self) -> usize {
        self.shared
            .lock()
            .conns
            .iter()
            .filter(|c| !c.is_closed())
            .count()
    }

    /// Bytes forwarded in a direction so far, over all connections.
    pub fn bytes(&self, direction: Direction) -> u64 {
        self.shared.lock().bytes[direction.index()]
    }

    /// `write` calls made in a direction so far (shows that [`Fault::Split`] split and
    /// [`Fault::Coalesce`] coalesced).
    pub fn writes(&self, direction: Direction) -> u64 {
        self.shared.lock().writes[direction.index()]
    }

    /// Bytes dropped by [`Fault::Truncate`] (and held bytes lost to a close) in a direction.
    pub fn dropped(&self, direction: Direction) -> u64 {
        self.shared.lock().dropped[direction.index()]
    }

    /// Waits until at least `n` bytes have been forwarded in `direction` in total; `false`
    /// if `timeout` passed first.
    pub fn wait_for_bytes(&self, direction: Direction, n: u64, timeout: Duration) -> bool {
        self.wait_until(timeout, |s| s.bytes[direction.index()] >= n)
    }

    /// Waits until at least `n` connections have been accepted in total; `false` if
    /// `timeout` passed first.
    pub fn wait_for_connections(&self, n: usize, timeout: Duration) -> bool {
        self.wait_until(timeout, |s| s.accepted >= n)
    }

    fn wait_until(&self, timeout: Duration, done: impl Fn(&State) -> bool) -> bool {
        let deadline = Instant::now() + timeout;
        let mut s = self.shared.lock();
        loop {
            if done(&s) {
                return true;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            s = self
                .shared
                .changed
                .wait_timeout(s, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        let conns = {
            let mut s = self.shared.lock();
            s.stop = true;
            std::mem::take(&mut s.conns)
        };
        for conn in conns {
            conn.close();
        }
        self.shared.changed.notify_all();
        // Wake the blocking accept with a connection of our own.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(t) = self.accept.take() {
            let _ = t.join();
        }
        // Connection threads may still be adding their pumps: join until none are left.
        loop {
            let threads = std::mem::take(&mut self.shared.lock().threads);
            if threads.is_empty() {
                break;
            }
            for t in threads {
                let _ = t.join();
            }
        }
    }
}

fn accept_loop(listener: &TcpListener, shared: &Arc<Shared>) {
    for incoming in listener.incoming() {
        if shared.lock().stop {
            return;
        }
        let Ok(client) = incoming else { continue };
        let shared2 = shared.clone();
        // Connecting upstream may take a while: not on the accept thread.
        let handle = thread::Builder::new()
            .name("relay-connect".into())
            .spawn(move || start_connection(client, &shared2));
        if let Ok(h) = handle {
            shared.lock().threads.push(h);
        }
    }
}

fn start_connection(client: TcpStream, shared: &Arc<Shared>) {
    {
        let mut s = shared.lock();
        s.accepted += 1;
        if s.stop || s.faults.contains(&Fault::Cut) {
            drop(s);
            let _ = client.shutdown(Shutdown::Both);
            shared.changed.notify_all();
            return;
        }
    }
    shared.changed.notify_all();
    let server = shared
        .upstream
        .iter()
        .find_map(|a| TcpStream::connect_timeout(a, UPSTREAM_CONNECT_TIMEOUT).ok());
    let Some(server) = server else {
        let _ = client.shutdown(Shutdown::Both);
        return;
    };
    let socks = (|| -> io::Result<_> {
        for s in [&client, &server] {
            s.set_nodelay(true)?;
            s.set_read_timeout(Some(POLL))?;
        }
        Ok((
            client.try_clone()?,
            client.try_clone()?,
            server.try_clone()?,
            server.try_clone()?,
        ))
    })();
    let Ok((client_rd, client_wr, server_rd, server_wr)) = socks else {
        let _ = client.shutdown(Shutdown::Both);
        let _ = server.shutdown(Shutdown::Both);
        return;
    };
    let conn = Arc::new(Conn {
        client,
        server,
        closed: AtomicBool::new(false),
        ended: AtomicUsize::new(0),
    });
    let mut s = shared.lock();
    if s.stop || s.faults.contains(&Fault::Cut) {
        drop(s);
        conn.close();
        return;
    }
    s.conns.retain(|c| !c.is_closed());
    s.conns.push(conn.clone());
    for (dir, src, dst) in [
        (Direction::ToServer, client_rd, server_wr),
        (Direction::ToClient, server_rd, client_wr),
    ] {
        let (shared, conn) = (shared.clone(), conn.clone());
        let pump = Pump {
            dir,
            src,
            dst,
            shared,
            conn,
        };
        if let Ok(h) = thread::Builder::new()
            .name(format!("relay-{dir:?}"))
            .spawn(move || pump.run())
        {
            s.threads.push(h);
        }
    }
}

/// Moves one direction of one connection.
struct Pump {
    dir: Direction,
    src: TcpStream,
    dst: TcpStream,
    shared: Arc<Shared>,
    conn: Arc<Conn>,
}

/// What to do next, decided under the lock.
enum Next {
    Stop,
    Wait,
    Go(Fault, u64),
}

impl Pump {
    fn run(mut self) {
        let i = self.dir.index();
        let mut buf = vec![0u8; 16 * 1024];
        // Bytes read but not forwarded yet (coalescing, or stalled).
        let mut held: Vec<u8> = Vec::new();
        let mut held_since: Option<Instant> = None;
        // (generation, bytes forwarded under Truncate in that generation)
        let mut truncate = (u64::MAX, 0usize);
        let mut eof = false;
        loop {
            let next = {
                let s = self.shared.lock();
                if s.stop || self.conn.is_closed() {
                    Next::Stop
                } else if s.faults[i] == Fault::Stall {
                    // Nothing moves until the fault changes or the connection ends.
                    let _ = self
                        .shared
                        .changed
                        .wait_timeout(s, Duration::from_millis(100));
                    Next::Wait
                } else {
                    Next::Go(s.faults[i].clone(), s.generation[i])
                }
            };
            let (fault, generation) = match next {
                Next::Stop => break,
                Next::Wait => continue,
                Next::Go(f, g) => (f, g),
            };
            if truncate.0 != generation {
                truncate = (generation, 0);
            }
            // Held bytes go out first, under the current fault.
            let flush_held = match &fault {
                Fault::Coalesce {
                    max_bytes,
                    max_wait,
                } => {
                    eof || held.len() >= *max_bytes
                        || held_since.is_some_and(|t| t.elapsed() >= *max_wait)
                }
                _ => true,
            };
            if flush_held && !held.is_empty() {
                let data = std::mem::take(&mut held);
                held_since = None;
                if self.forward(&fault, &data, &mut truncate).is_err() {
                    break;
                }
            }
            if eof {
                break;
            }
            match self.src.read(&mut buf) {
                Ok(0) => eof = true,
                Ok(n) => {
                    if matches!(fault, Fault::Coalesce { .. }) {
                        // Re-checked above on the next turn, with the fault then in force.
                        held.extend_from_slice(&buf[..n]);
                        held_since.get_or_insert_with(Instant::now);
                        continue;
                    }
                    // The fault may have changed while the read blocked.
                    let now_fault = self.shared.lock().faults[i].clone();
                    if now_fault == Fault::Stall || now_fault != fault {
                        held.extend_from_slice(&buf[..n]);
                        held_since.get_or_insert_with(Instant::now);
                        continue;
                    }
                    if self.forward(&fault, &buf[..n], &mut truncate).is_err() {
                        break;
                    }
                }
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock
                            | io::ErrorKind::TimedOut
                            | io::ErrorKind::Interrupted
                    ) => {}
                Err(_) => break,
            }
        }
        if !held.is_empty() {
            self.shared.lock().dropped[i] += held.len() as u64;
        }
        if eof && held.is_empty() && !self.conn.is_closed() {
            // Half-close, as a TCP proxy does; the last direction to end closes both.
            let _ = self.dst.shutdown(Shutdown::Write);
            if self.conn.ended.fetch_add(1, Ordering::SeqCst) + 1 < 2 {
                self.shared.changed.notify_all();
                return;
            }
        }
        self.shared.close(&self.conn);
    }

    /// Applies `fault` to `data` and writes what it lets through.
    fn forward(
        &mut self,
        fault: &Fault,
        data: &[u8],
        truncate: &mut (u64, usize),
    ) -> io::Result<()> {
        match fault {
            Fault::Pass | Fault::Coalesce { .. } | Fault::Stall => self.write(data),
            Fault::Split(n) => {
                for chunk in data.chunks((*n).max(1)) {
                    self.write(chunk)?;
                }
                Ok(())
            }
            Fault::Delay(d) => {
                self.pause(*d)?;
                self.write(data)
            }
            Fault::Trickle { chunk, interval } => {
                for piece in data.chunks((*chunk).max(1)) {
                    self.pause(*interval)?;
                    self.write(piece)?;
                }
                Ok(())
            }
            Fault::Truncate(n) => {
                let allowed = n.saturating_sub(truncate.1).min(data.len());
                truncate.1 += allowed;
                let lost = data.len() - allowed;
                if lost > 0 {
                    self.shared.lock().dropped[self.dir.index()] += lost as u64;
                }
                if allowed > 0 {
                    self.write(&data[..allowed])?;
                }
                Ok(())
            }
            Fault::Cut => {
                self.shared.lock().dropped[self.dir.index()] += data.len() as u64;
                Err(io::Error::new(io::ErrorKind::ConnectionAborted, "cut"))
            }
        }
    }

    fn write(&mut self, data: &[u8]) -> io::Result<()> {
        self.dst.write_all(data)?;
        let mut s = self.shared.lock();
        s.bytes[self.dir.index()] += data.len() as u64;
        s.writes[self.dir.index()] += 1;
        drop(s);
        self.shared.changed.notify_all();
        Ok(())
    }

    /// Waits `d`, or less if the relay stops or the connection closes (then an error).
    fn pause(&self, d: Duration) -> io::Result<()> {
        let deadline = Instant::now() + d;
        let mut s = self.shared.lock();
        loop {
            if s.stop || self.conn.is_closed() {
                return Err(io::Error::new(io::ErrorKind::ConnectionAborted, "closed"));
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Ok(());
            }
            s = self
                .shared
                .changed
                .wait_timeout(s, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }
}
