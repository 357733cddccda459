//! The connection's life cycle as a sans-IO state machine: automatic
//! reconnect with back-off, the stable-after window, and the client's
//! WebSocket PING/PONG deadlines.
//!
//! # Rules
//!
//! * Like the [`Session`](crate::Session), the link never touches a socket
//!   and never reads a clock: every input takes `now`, and the random unit
//!   for the back-off jitter is passed in too, so that tests pin it.
//! * Inputs: [`Link::attempt_started`], [`Link::connected`],
//!   [`Link::attempt_failed`], [`Link::lost`], [`Link::closed`],
//!   [`Link::pong_received`] and [`Link::handle_timeout`].
//! * Outputs: [`Link::poll_event`] (the connection events the application
//!   sees: [`Event::Disconnected`], [`Event::Reconnecting`]),
//!   [`Link::poll_timeout`] (when `handle_timeout` must run), and what
//!   `handle_timeout` returns: send a PING, start a reconnect attempt, or
//!   the link is dead.
//!
//! # Theory of operation
//!
//! ```text
//!            attempt_started            connected(now)
//!   Idle ─────────────────► Connecting ───────────────► Up(since)
//!    ▲  closed()                 │ attempt_failed            │ lost(now)
//!    │                           ▼ (reconnect on)            ▼ (reconnect on)
//!    └──────────────────── Backoff(at) ◄─────────────────────┘
//!                                 │ handle_timeout(now ≥ at) → Reconnect
//!                                 ▼
//!                            Connecting ...
//! ```
//!
//! Without a [`ReconnectPolicy`] a failure or a loss goes back to `Idle`
//! and the application calls `connect()` again.
//!
//! The delay before attempt *n* is drawn by [`ReconnectPolicy::delay`],
//! measured from the failure. The attempt counter goes back to zero only
//! after a connection stayed up for `stable_after`, so a broker that kicks
//! the client right after CONNACK sees growing delays, not a storm. An
//! attempt abandoned because the application interrupted it is not a
//! failure of the link: it is due again at once, without growing the
//! back-off.
//!
//! WebSocket pings: while `Up`, a PING is due every `interval`; when one is
//! sent and no PONG has come `timeout` later, the link is dead
//! ([`Error::Timeout`] with [`TimeoutPhase::Keepalive`]).

use std::collections::VecDeque;
use std::time::Duration;

use crate::Instant;
use crate::deadline;
use crate::error::{Error, TimeoutPhase};
use crate::session::Event;

/// Automatic reconnect: after a drop, the client waits a growing, jittered
/// delay and connects again, inside the caller's `poll`/`recv`/`wait_for`.
///
/// The delay before attempt *n* is uniform in
/// `[min_delay, min(max_delay, min_delay × 2^(n-1))]`, measured from the
/// failure (not from the start of the failed attempt). The attempt counter
/// goes back to zero only after a connection stayed up for `stable_after`,
/// so a broker that kicks the client right after CONNACK (for example for a
/// duplicate client id) sees growing delays, not a reconnect storm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReconnectPolicy {
    /// Shortest delay. Default 500 ms.
    pub min_delay: Duration,
    /// Longest delay. Default 30 s.
    pub max_delay: Duration,
    /// A connection that lasted this long resets the back-off. Default 10 s.
    pub stable_after: Duration,
    /// Subscribe again to every granted filter when the broker has no session
    /// for us (`session_present == false`). Default `true`.
    pub restore_subscriptions: bool,
}

impl Default for ReconnectPolicy {
    fn default() -> Self {
        Self {
            min_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
            stable_after: Duration::from_secs(10),
            restore_subscriptions: true,
        }
    }
}

impl ReconnectPolicy {
    /// The delay before attempt `attempt` (1-based), with `unit` in [0, 1)
    /// drawn at random by the caller (a parameter, so tests can pin it).
    /// A `min_delay` below 1 ms counts as 1 ms, so that the delays grow.
    pub fn delay(&self, attempt: u32, unit: f64) -> Duration {
        let floor = Duration::from_millis(1);
        let min = self.min_delay.max(floor).min(self.max_delay.max(floor));
        let growth = 2f64.powi(attempt.saturating_sub(1).min(30) as i32);
        // Saturating: a huge min_delay must not overflow the product.
        let grown =
            Duration::try_from_secs_f64(min.as_secs_f64() * growth).unwrap_or(Duration::MAX);
        let cap = grown.min(self.max_delay).max(min);
        min + (cap - min).mul_f64(unit.clamp(0.0, 1.0))
    }
}

/// Where the connection is in its life cycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkState {
    /// Never connected, closed by the application, or lost without
    /// automatic reconnect.
    Idle,
    /// An attempt is in progress (DNS, TCP, TLS, upgrade, CONNACK).
    Connecting,
    /// Connected (CONNACK accepted) since this instant.
    Up(Instant),
    /// Waiting to reconnect at this instant.
    Backoff(Instant),
}

/// What [`Link::handle_timeout`] asks the driver to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkAction {
    /// Nothing is due.
    None,
    /// Send a WebSocket PING now.
    SendPing,
    /// The back-off ended: start a reconnect attempt now.
    Reconnect,
}

/// The connection's life cycle. See the [module docs](self).
#[derive(Debug)]
pub struct Link {
    policy: Option<ReconnectPolicy>,
    ws_ping: Option<(Duration, Duration)>,
    state: LinkState,
    /// Consecutive failed or short-lived connections, for the back-off.
    attempt: u32,
    ping_due: Option<Instant>,
    pong_deadline: Option<Instant>,
    events: VecDeque<Event>,
}

impl Link {
    /// A link that reconnects by `policy` (none: never) and, when connected,
    /// sends WebSocket PINGs by `ws_ping` (`(interval, timeout)`).
    pub fn new(policy: Option<ReconnectPolicy>, ws_ping: Option<(Duration, Duration)>) -> Self {
        Self {
            policy,
            ws_ping,
            state: LinkState::Idle,
            attempt: 0,
            ping_due: None,
            pong_deadline: None,
            events: VecDeque::new(),
        }
    }

    /// The current state.
    pub fn state(&self) -> LinkState {
        self.state
    }

    /// The reconnect policy, if automatic reconnect is on.
    pub fn policy(&self) -> Option<ReconnectPolicy> {
        self.policy
    }

    /// Waiting to reconnect automatically.
    pub fn is_backing_off(&self) -> bool {
        matches!(self.state, LinkState::Backoff(_))
    }

    /// An attempt is in progress.
    pub fn is_connecting(&self) -> bool {
        self.state == LinkState::Connecting
    }

    /// A connection attempt starts (the application's or an automatic one).
    pub fn attempt_started(&mut self) {
        self.state = LinkState::Connecting;
    }

    /// CONNACK accepted the connection at `now`: PINGs are due from now on.
    pub fn connected(&mut self, now: Instant) {
        self.state = LinkState::Up(now);
        self.ping_due = self
            .ws_ping
            .map(|(interval, _)| deadline::after(now, interval));
        self.pong_deadline = None;
    }

    /// The attempt in progress failed. `automatic`: it was a reconnect
    /// attempt (with reconnect on, the next one is scheduled, and the
    /// failure reported as events); otherwise the application gets the
    /// error itself and the link is idle. `interrupted`: the application
    /// abandoned it, which is not a failure of the link (due again at once,
    /// no growth, no events). `unit` is the jitter draw in [0, 1).
    pub fn attempt_failed(
        &mut self,
        now: Instant,
        reason: &str,
        automatic: bool,
        interrupted: bool,
        unit: f64,
    ) {
        self.clear_pings();
        if !automatic {
            self.state = LinkState::Idle;
        } else if interrupted {
            self.state = LinkState::Backoff(now);
        } else {
            self.schedule(now, reason, None, unit);
        }
    }

    /// The connection was lost at `now` for `reason`. With reconnect on, the
    /// next attempt is scheduled and [`Event::Disconnected`] and
    /// [`Event::Reconnecting`] are queued; a connection that lived
    /// `stable_after` resets the back-off first.
    pub fn lost(&mut self, now: Instant, reason: &str, unit: f64) {
        self.clear_pings();
        let lived = match self.state {
            LinkState::Up(since) => Some(now.saturating_duration_since(since)),
            _ => None,
        };
        if self.policy.is_some() && lived.is_some() {
            self.schedule(now, reason, lived, unit);
        } else if !self.is_backing_off() {
            self.state = LinkState::Idle;
        }
    }

    /// The application closed the connection (or never wants another
    /// automatic attempt): idle, nothing scheduled.
    pub fn closed(&mut self) {
        self.clear_pings();
        self.state = LinkState::Idle;
    }

    /// A WebSocket PONG arrived: the outstanding PING is answered.
    pub fn pong_received(&mut self) {
        self.pong_deadline = None;
    }

    /// When [`Link::handle_timeout`] must be called next.
    pub fn poll_timeout(&self) -> Option<Instant> {
        match self.state {
            LinkState::Backoff(at) => Some(at),
            LinkState::Up(_) => [self.ping_due, self.pong_deadline]
                .into_iter()
                .flatten()
                .min(),
            _ => None,
        }
    }

    /// Advances the timers. `Err(Timeout(Keepalive))`: the PONG did not come
    /// in time, the link is dead (the driver drops the connection and calls
    /// [`Link::lost`]).
    pub fn handle_timeout(&mut self, now: Instant) -> Result<LinkAction, Error> {
        match self.state {
            LinkState::Backoff(at) if now >= at => return Ok(LinkAction::Reconnect),
            LinkState::Up(_) => {}
            _ => return Ok(LinkAction::None),
        }
        if self.pong_deadline.is_some_and(|d| now >= d) {
            return Err(Error::Timeout(TimeoutPhase::Keepalive));
        }
        let Some((interval, timeout)) = self.ws_ping else {
            return Ok(LinkAction::None);
        };
        if self.ping_due.is_some_and(|d| now >= d) {
            self.ping_due = Some(deadline::after(now, interval));
            if self.pong_deadline.is_none() {
                self.pong_deadline = Some(deadline::after(now, timeout));
            }
            return Ok(LinkAction::SendPing);
        }
        Ok(LinkAction::None)
    }

    /// The next connection event, in the order they happened.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    fn clear_pings(&mut self) {
        self.ping_due = None;
        self.pong_deadline = None;
    }

    fn schedule(&mut self, now: Instant, reason: &str, lived: Option<Duration>, unit: f64) {
        let Some(policy) = self.policy else {
            self.state = LinkState::Idle;
            return;
        };
        if lived.is_some_and(|l| l >= policy.stable_after) {
            self.attempt = 0;
        }
        self.attempt = self.attempt.saturating_add(1);
        let delay = policy.delay(self.attempt, unit);
        self.state = LinkState::Backoff(deadline::after(now, delay));
        self.events.push_back(Event::Disconnected {
            reason: reason.to_owned(),
        });
        self.events.push_back(Event::Reconnecting {
            delay,
            attempt: self.attempt,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    const MS: Duration = Duration::from_millis(1);

    fn policy() -> ReconnectPolicy {
        ReconnectPolicy {
            min_delay: 100 * MS,
            max_delay: 1000 * MS,
            stable_after: 5000 * MS,
            restore_subscriptions: true,
        }
    }

    fn events(l: &mut Link) -> Vec<Event> {
        std::iter::from_fn(|| l.poll_event()).collect()
    }

    fn up(l: &mut Link, now: Instant) {
        l.attempt_started();
        l.connected(now);
    }

    #[test]
    fn delays_grow_from_the_failure_up_to_the_maximum_with_the_jitter_passed_in() {
        let p = policy();
        assert_eq!(p.delay(1, 0.0), 100 * MS);
        assert_eq!(p.delay(1, 0.99), 100 * MS, "attempt 1: no room above min");
        assert_eq!(p.delay(2, 1.0), 200 * MS);
        assert_eq!(p.delay(3, 1.0), 400 * MS);
        assert_eq!(p.delay(5, 1.0), 1000 * MS, "capped");
        assert_eq!(p.delay(50, 0.5), 550 * MS, "no overflow for large attempts");
        assert_eq!(
            ReconnectPolicy {
                min_delay: Duration::ZERO,
                ..p
            }
            .delay(1, 0.0),
            MS,
            "a zero minimum counts as 1 ms"
        );
    }

    #[test]
    fn a_loss_schedules_the_attempt_and_reports_it_and_the_attempt_comes_due_at_its_time() {
        let t0 = Instant::now();
        let mut l = Link::new(Some(policy()), None);
        up(&mut l, t0);
        l.lost(t0 + 50 * MS, "cut", 1.0);
        assert_eq!(l.state(), LinkState::Backoff(t0 + 150 * MS));
        assert_eq!(
            events(&mut l),
            vec![
                Event::Disconnected {
                    reason: "cut".into()
                },
                Event::Reconnecting {
                    delay: 100 * MS,
                    attempt: 1
                }
            ]
        );
        assert_eq!(l.poll_timeout(), Some(t0 + 150 * MS));
        assert_eq!(l.handle_timeout(t0 + 149 * MS).unwrap(), LinkAction::None);
        assert_eq!(
            l.handle_timeout(t0 + 150 * MS).unwrap(),
            LinkAction::Reconnect
        );
    }

    #[test]
    fn failed_attempts_grow_the_back_off_and_a_stable_connection_resets_it() {
        let t0 = Instant::now();
        let mut l = Link::new(Some(policy()), None);
        up(&mut l, t0);
        l.lost(t0, "cut", 1.0);
        let mut now = t0;
        for expected in [200, 400, 800, 1000] {
            now += Duration::from_secs(2);
            l.attempt_started();
            l.attempt_failed(now, "refused", true, false, 1.0);
            assert_eq!(l.state(), LinkState::Backoff(now + expected * MS));
        }
        // Kicked right after CONNACK: the counter keeps growing.
        l.attempt_started();
        l.connected(now);
        l.lost(now + 10 * MS, "kicked", 1.0);
        assert!(
            matches!(
                events(&mut l).last(),
                Some(Event::Reconnecting { attempt: 6, .. })
            ),
            "a short-lived connection does not reset the back-off"
        );
        // Up for stable_after: back to the first delay.
        l.attempt_started();
        l.connected(now);
        l.lost(now + 5000 * MS, "cut", 1.0);
        assert!(matches!(
            events(&mut l).last(),
            Some(Event::Reconnecting { attempt: 1, .. })
        ));
    }

    #[test]
    fn an_interrupted_attempt_is_due_again_at_once_without_growth_or_events() {
        let t0 = Instant::now();
        let mut l = Link::new(Some(policy()), None);
        up(&mut l, t0);
        l.lost(t0, "cut", 0.0);
        events(&mut l);
        l.attempt_started();
        l.attempt_failed(t0 + MS, "interrupted", true, true, 1.0);
        assert_eq!(l.state(), LinkState::Backoff(t0 + MS));
        assert!(events(&mut l).is_empty());
        l.attempt_started();
        l.attempt_failed(t0 + 2 * MS, "refused", true, false, 1.0);
        assert!(matches!(
            events(&mut l).last(),
            Some(Event::Reconnecting { attempt: 2, .. })
        ));
    }

    #[test]
    fn without_a_policy_a_loss_or_failure_leaves_the_link_idle_and_silent() {
        let t0 = Instant::now();
        let mut l = Link::new(None, None);
        up(&mut l, t0);
        l.lost(t0, "cut", 0.5);
        assert_eq!(l.state(), LinkState::Idle);
        l.attempt_started();
        l.attempt_failed(t0, "refused", false, false, 0.5);
        assert_eq!(l.state(), LinkState::Idle);
        assert!(events(&mut l).is_empty());
        assert_eq!(l.poll_timeout(), None);
        // The application's own connect() failing never schedules anything.
        let mut l = Link::new(Some(policy()), None);
        l.attempt_started();
        l.attempt_failed(t0, "refused", false, false, 0.5);
        assert_eq!(l.state(), LinkState::Idle);
    }

    #[test]
    fn pings_are_due_every_interval_and_a_missing_pong_kills_the_link() {
        let t0 = Instant::now();
        let mut l = Link::new(None, Some((1000 * MS, 300 * MS)));
        assert_eq!(l.poll_timeout(), None, "no pings before CONNACK");
        up(&mut l, t0);
        assert_eq!(l.poll_timeout(), Some(t0 + 1000 * MS));
        assert_eq!(l.handle_timeout(t0 + 999 * MS).unwrap(), LinkAction::None);
        assert_eq!(
            l.handle_timeout(t0 + 1000 * MS).unwrap(),
            LinkAction::SendPing
        );
        assert_eq!(l.poll_timeout(), Some(t0 + 1300 * MS), "the PONG deadline");
        // The PONG comes: no verdict, next PING at its time.
        l.pong_received();
        assert_eq!(l.poll_timeout(), Some(t0 + 2000 * MS));
        assert_eq!(
            l.handle_timeout(t0 + 2000 * MS).unwrap(),
            LinkAction::SendPing
        );
        // This one is never answered.
        let e = l.handle_timeout(t0 + 2300 * MS).unwrap_err();
        assert!(matches!(e, Error::Timeout(TimeoutPhase::Keepalive)), "{e}");
        l.lost(t0 + 2300 * MS, &e.to_string(), 0.0);
        assert_eq!(l.poll_timeout(), None, "no pings while down");
    }

    #[test]
    fn pings_that_keep_coming_unanswered_keep_the_first_deadline() {
        let t0 = Instant::now();
        let mut l = Link::new(None, Some((100 * MS, 250 * MS)));
        up(&mut l, t0);
        assert_eq!(
            l.handle_timeout(t0 + 100 * MS).unwrap(),
            LinkAction::SendPing
        );
        assert_eq!(
            l.handle_timeout(t0 + 200 * MS).unwrap(),
            LinkAction::SendPing
        );
        assert!(
            l.handle_timeout(t0 + 350 * MS).is_err(),
            "250 ms after the first PING"
        );
    }

    #[test]
    fn huge_intervals_never_overflow_the_clock() {
        let t0 = Instant::now();
        let mut l = Link::new(
            Some(ReconnectPolicy {
                min_delay: Duration::MAX,
                max_delay: Duration::MAX,
                ..policy()
            }),
            Some((Duration::MAX, Duration::MAX)),
        );
        up(&mut l, t0);
        assert!(l.poll_timeout().is_some_and(|t| t > t0));
        l.lost(t0, "cut", 0.5);
        assert!(l.poll_timeout().is_some_and(|t| t > t0));
        for _ in 0..3 {
            l.attempt_started();
            l.attempt_failed(t0, "refused", true, false, 0.9);
            assert!(l.poll_timeout().is_some_and(|t| t > t0));
        }
    }
}
