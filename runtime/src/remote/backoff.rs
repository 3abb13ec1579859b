//! Reconnect pacing: waits that double from 1 s up to a 30 s cap, inside a total budget.

use std::time::Duration;

/// The first wait after a failure.
pub const INITIAL_WAIT: Duration = Duration::from_secs(1);

/// No single wait is longer than this (a controller back up is found within 30 s).
pub const MAX_WAIT: Duration = Duration::from_secs(30);

/// How long an outage may last before `tether remote` gives up (without `--forever`).
pub const DEFAULT_BUDGET: Duration = Duration::from_secs(5 * 60);

/// The sequence of waits between reconnect attempts: 1, 2, 4, … s, then `max` forever.
#[derive(Debug, Clone)]
pub struct Backoff {
    initial: Duration,
    max: Duration,
    next: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Self::new(INITIAL_WAIT, MAX_WAIT)
    }
}

impl Backoff {
    /// Waits starting at `initial`, doubling, never above `max`.
    pub fn new(initial: Duration, max: Duration) -> Self {
        Self { initial, max, next: initial.min(max) }
    }

    /// The next wait (and advances the sequence).
    pub fn next_wait(&mut self) -> Duration {
        let wait = self.next;
        self.next = self.next.saturating_mul(2).min(self.max);
        wait
    }

    /// Starts again from the first wait (after a connection that worked).
    pub fn reset(&mut self) {
        self.next = self.initial.min(self.max);
    }
}

impl Iterator for Backoff {
    type Item = Duration;

    fn next(&mut self) -> Option<Duration> {
        Some(self.next_wait())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_up_to_the_cap_and_reset_starts_over() {
        let mut backoff = Backoff::default();
        let secs: Vec<u64> = backoff.by_ref().take(8).map(|d| d.as_secs()).collect();
        assert_eq!(secs, vec![1, 2, 4, 8, 16, 30, 30, 30]);
        backoff.reset();
        assert_eq!(backoff.next_wait(), Duration::from_secs(1));
    }
}
