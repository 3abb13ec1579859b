//! The dial loop: attempt, and after an unexpected end wait (backoff) and attempt again,
//! until the credential is refused, the process shuts down, or an outage outlasts the
//! budget. Written over an injectable attempt function so paused-time tests drive it.

use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::backoff::{Backoff, DEFAULT_BUDGET};

/// A socket up this long counted as a working connection (one heartbeat interval): after
/// it drops, the waits and the outage budget start over.
pub const STABLE_AFTER: Duration = Duration::from_secs(30);

/// How one attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    /// It connected and served, then the link went away. If the socket was up for at
    /// least [`STABLE_AFTER`], the waits and the budget start over; a socket that drops
    /// sooner (a controller that accepts and closes at once) counts as a failed attempt.
    Dropped(String),
    /// It could not connect (network error, controller down, 5xx …).
    Failed(String),
    /// The controller refused the credential (close 1008, HTTP 401/403): stop.
    Refused(String),
    /// The process is shutting down: stop cleanly.
    Shutdown,
}

/// How long to keep trying and how to pace it.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Waits between attempts.
    pub backoff: Backoff,
    /// The longest outage tolerated; `None` keeps trying forever (`--forever`).
    pub budget: Option<Duration>,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self { backoff: Backoff::default(), budget: Some(DEFAULT_BUDGET) }
    }
}

/// Why the dial loop stopped for good.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DialError {
    /// The controller does not accept this credential; retrying cannot help.
    #[error("the controller refused the credential ({0}); check --token / --token-file")]
    Refused(String),
    /// The controller stayed unreachable for the whole budget.
    #[error("could not reach the controller for {} s (last error: {last}); giving up (pass --forever to keep trying)", budget.as_secs())]
    GaveUp {
        /// The budget that ran out.
        budget: Duration,
        /// The last attempt's error.
        last: String,
    },
}

/// Runs `attempt` until it is refused, shut down, or an outage outlasts the budget.
///
/// `report` hears every retry: the reason of the end and the wait before the next attempt.
/// The last wait is shortened so the final attempt happens when the budget runs out.
pub async fn dial_loop<F, Fut>(
    mut policy: RetryPolicy,
    cancel: &CancellationToken,
    mut attempt: F,
    mut report: impl FnMut(&Attempt, Duration),
) -> Result<(), DialError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Attempt>,
{
    let mut outage_start = Instant::now();
    loop {
        let started = Instant::now();
        let outcome = attempt().await;
        let last = match &outcome {
            Attempt::Shutdown => return Ok(()),
            Attempt::Refused(reason) => return Err(DialError::Refused(reason.clone())),
            Attempt::Dropped(reason) => {
                if started.elapsed() >= STABLE_AFTER {
                    policy.backoff.reset();
                    outage_start = Instant::now();
                }
                reason.clone()
            }
            Attempt::Failed(reason) => reason.clone(),
        };
        let mut wait = policy.backoff.next_wait();
        if let Some(budget) = policy.budget {
            let elapsed = outage_start.elapsed();
            if elapsed >= budget {
                return Err(DialError::GaveUp { budget, last });
            }
            wait = wait.min(budget - elapsed);
        }
        report(&outcome, wait);
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            () = cancel.cancelled() => return Ok(()),
        }
    }
}
