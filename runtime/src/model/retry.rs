//! When to try a failed model call again and how long to wait first; the retry loop itself
//! belongs to the agent loop.

use std::time::{Duration, SystemTime};

use time::PrimitiveDateTime;
use time::macros::format_description;

use super::error::ModelError;

/// Attempts in all (the first call included): enough to ride out a brief overload.
const DEFAULT_MAX_ATTEMPTS: u32 = 4;
/// The first wait; it doubles from there.
const DEFAULT_BASE_DELAY: Duration = Duration::from_secs(1);
/// No wait is longer, whatever the server asks: a user is watching.
const DEFAULT_MAX_DELAY: Duration = Duration::from_secs(30);

/// How many times to try a model call and how long to wait between tries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first one included.
    pub max_attempts: u32,
    /// The wait after the first failed attempt; doubled after each further one.
    pub base_delay: Duration,
    /// The cap on any wait, `Retry-After` included.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: DEFAULT_MAX_ATTEMPTS,
            base_delay: DEFAULT_BASE_DELAY,
            max_delay: DEFAULT_MAX_DELAY,
        }
    }
}

impl RetryPolicy {
    /// How long to wait after failed attempt number `attempt` (1-based): the server's
    /// `Retry-After` when it sent one, else `base_delay * 2^(attempt-1)`; never above
    /// `max_delay`.
    pub fn delay(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        let delay = retry_after.unwrap_or_else(|| {
            let doublings = attempt.saturating_sub(1).min(31);
            self.base_delay.saturating_mul(1u32 << doublings)
        });
        delay.min(self.max_delay)
    }

    /// Whether to try again after failed attempt number `attempt` (1-based) ended in `error`.
    pub fn should_retry(&self, attempt: u32, error: &ModelError) -> bool {
        attempt < self.max_attempts && error.is_retryable()
    }
}

/// Parses a `Retry-After` header value: delay seconds, or an HTTP date (measured from `now`).
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<f64>() {
        return Duration::try_from_secs_f64(seconds).ok();
    }
    let format = format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    let date = PrimitiveDateTime::parse(value, format).ok()?.assume_utc();
    Some(SystemTime::from(date).duration_since(now).unwrap_or(Duration::ZERO))
}

/// Parses OpenAI's `retry-after-ms` header value (milliseconds, possibly fractional).
pub fn parse_retry_after_ms(value: &str) -> Option<Duration> {
    let millis = value.trim().parse::<f64>().ok()?;
    Duration::try_from_secs_f64(millis / 1000.0).ok()
}
