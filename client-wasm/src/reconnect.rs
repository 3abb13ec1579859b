//! When to try again after the socket dropped.

/// First retry delay: long enough not to hammer a restarting runtime.
pub const INITIAL_DELAY_MS: u32 = 1_000;
/// Longest delay between attempts: a returning runtime is noticed within half a minute.
pub const MAX_DELAY_MS: u32 = 30_000;

/// The delay before reconnect attempt `attempt` (1-based): 1 s doubling up to 30 s.
pub fn backoff_delay_ms(attempt: u32) -> u32 {
    let doublings = attempt.saturating_sub(1).min(15);
    INITIAL_DELAY_MS.saturating_mul(1 << doublings).min(MAX_DELAY_MS)
}
