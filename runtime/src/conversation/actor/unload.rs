//! Unloading idle conversations: an actor nobody watches, with nothing running, queued or
//! waiting on a human, stops after a while so memory (its state and cached transcript)
//! follows the conversations in use, not every conversation ever opened. The store holds
//! everything it had; the next `runtime_start` or input loads it again.

use std::time::Duration;

use super::Actor;

/// How long an unwatched, idle conversation stays loaded (override with
/// `TETHER_CONVERSATION_IDLE_MS`): long enough that a phone that reconnects finds it warm.
const IDLE_LIMIT: Duration = Duration::from_secs(10 * 60);

/// The idle time after which an unwatched conversation is unloaded.
pub(super) fn idle_limit() -> Duration {
    std::env::var("TETHER_CONVERSATION_IDLE_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .map_or(IDLE_LIMIT, Duration::from_millis)
}

impl Actor {
    /// Whether stopping now loses nothing: no open connection watches, no turn runs, no
    /// input waits (a parked queue stays loaded so its `paused` state is what clients see),
    /// no approval is pending, and the process is not shutting down.
    pub(super) fn unloadable(&mut self) -> bool {
        self.turn.is_none()
            && self.queue.is_empty()
            && self.pending.is_empty()
            && self.stopping.is_none()
            && !self.emitter.is_watched()
    }
}
