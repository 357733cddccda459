//! Deadlines from durations the caller chose.
//!
//! `Instant + Duration` panics when the sum does not fit the clock, and a
//! caller may well pass `Duration::MAX` (or a Python `1e19` seconds) to mean
//! "wait as long as it takes". Every deadline the client computes from a
//! caller's duration goes through here: one too far away to represent is
//! simply the farthest instant the clock can hold, decades away, which
//! behaves as "no deadline".

use std::time::Duration;

use crate::Instant;

/// `now + timeout`, saturated at the farthest instant the clock can hold.
pub(crate) fn after(now: Instant, timeout: Duration) -> Instant {
    if let Some(t) = now.checked_add(timeout) {
        return t;
    }
    // Halve a century until it fits: at most a few dozen steps, only for
    // absurd timeouts.
    let mut step = Duration::from_secs(100 * 365 * 24 * 3600);
    loop {
        if let Some(t) = now.checked_add(step) {
            return t;
        }
        step /= 2;
    }
}

/// `after(Instant::now(), timeout)`.
#[cfg(feature = "native")]
pub(crate) fn from_now(timeout: Duration) -> Instant {
    after(Instant::now(), timeout)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn a_timeout_too_large_for_the_clock_saturates_instead_of_panicking() {
        let now = Instant::now();
        let far = after(now, Duration::MAX);
        assert!(far > now + Duration::from_secs(10 * 365 * 24 * 3600));
        assert_eq!(
            after(now, Duration::from_secs(5)),
            now + Duration::from_secs(5)
        );
    }
}
