//! The reconnect pacing and the dial loop, on a paused clock: attempt times are exact and
//! five simulated minutes pass in milliseconds.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use pretty_assertions::assert_eq;
use tether::remote::backoff::Backoff;
use tether::remote::dial::{dial_loop, Attempt, DialError, RetryPolicy};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// Runs the dial loop over a scripted sequence of outcomes (the last one repeats) and
/// returns the loop's result and the times (since the start) of every attempt.
async fn run(policy: RetryPolicy, outcomes: Vec<Attempt>, cancel: &CancellationToken) -> (Result<(), DialError>, Vec<Duration>) {
    run_timed(policy, outcomes.into_iter().map(|o| (Duration::ZERO, o)).collect(), cancel).await
}

/// Like [`run`], each attempt taking the given (simulated) time before its outcome
/// (a connected socket staying up that long).
async fn run_timed(
    policy: RetryPolicy,
    outcomes: Vec<(Duration, Attempt)>,
    cancel: &CancellationToken,
) -> (Result<(), DialError>, Vec<Duration>) {
    let start = Instant::now();
    let times = Arc::new(Mutex::new(Vec::new()));
    let seen = times.clone();
    let mut script = outcomes.into_iter().peekable();
    let mut last = (Duration::ZERO, Attempt::Failed("unset".to_owned()));
    let result = dial_loop(
        policy,
        cancel,
        || {
            seen.lock().expect("lock").push(start.elapsed());
            if let Some(next) = script.next() {
                last = next;
            }
            let (lasts, outcome) = last.clone();
            async move {
                tokio::time::sleep(lasts).await;
                outcome
            }
        },
        |_, _| {},
    )
    .await;
    let times = times.lock().expect("lock").clone();
    (result, times)
}

fn secs(times: &[Duration]) -> Vec<u64> {
    times.iter().map(Duration::as_secs).collect()
}

#[test]
fn backoff_doubles_from_one_second_to_a_thirty_second_cap() {
    let waits: Vec<u64> = Backoff::default().take(8).map(|d| d.as_secs()).collect();
    assert_eq!(waits, vec![1, 2, 4, 8, 16, 30, 30, 30]);
}

#[tokio::test(start_paused = true)]
async fn gives_up_after_five_minutes_of_failed_attempts() {
    let (result, times) = run(RetryPolicy::default(), vec![Attempt::Failed("connection refused".to_owned())], &CancellationToken::new()).await;
    assert_eq!(secs(&times), vec![0, 1, 3, 7, 15, 31, 61, 91, 121, 151, 181, 211, 241, 271, 300]);
    assert_eq!(
        result,
        Err(DialError::GaveUp { budget: Duration::from_secs(300), last: "connection refused".to_owned() })
    );
    let message = result.expect_err("gave up").to_string();
    assert!(message.contains("for 300 s") && message.contains("--forever"), "{message}");
}

#[tokio::test(start_paused = true)]
async fn a_connection_that_worked_resets_the_waits_and_the_budget() {
    let failed = || (Duration::ZERO, Attempt::Failed("down".to_owned()));
    let up_a_minute = (Duration::from_secs(60), Attempt::Dropped("closed by the controller".to_owned()));
    let outcomes = vec![failed(), failed(), up_a_minute, failed()];
    let (result, times) = run_timed(RetryPolicy::default(), outcomes, &CancellationToken::new()).await;
    // Attempts at 0 and 1 fail; the one at 3 s connects and drops at 63 s: the waits
    // start over at 1 s and the five minutes count from the drop.
    assert_eq!(secs(&times[..8]), vec![0, 1, 3, 64, 66, 70, 78, 94]);
    assert_eq!(times.last().copied(), Some(Duration::from_secs(363)));
    assert!(matches!(result, Err(DialError::GaveUp { .. })));
}

#[tokio::test(start_paused = true)]
async fn a_controller_that_accepts_and_drops_at_once_does_not_reset_anything() {
    let flapping = (Duration::from_millis(100), Attempt::Dropped("closed by the controller: 1011".to_owned()));
    let (result, times) = run_timed(RetryPolicy::default(), vec![flapping], &CancellationToken::new()).await;
    // Waits grow as for failed attempts, and it gives up five minutes after the start.
    let gaps: Vec<u64> = times.windows(2).take(6).map(|w| (w[1] - w[0]).as_secs()).collect();
    assert_eq!(gaps, vec![1, 2, 4, 8, 16, 30]);
    assert!(matches!(result, Err(DialError::GaveUp { .. })));
    assert!(times.last().copied().expect("attempts") <= Duration::from_secs(300));
}

#[tokio::test(start_paused = true)]
async fn a_refused_credential_stops_at_once() {
    let outcomes = vec![Attempt::Failed("down".to_owned()), Attempt::Refused("closed with 1008".to_owned())];
    let (result, times) = run(RetryPolicy::default(), outcomes, &CancellationToken::new()).await;
    assert_eq!(secs(&times), vec![0, 1]);
    assert_eq!(result, Err(DialError::Refused("closed with 1008".to_owned())));
}

#[tokio::test(start_paused = true)]
async fn forever_keeps_trying_at_the_capped_pace() {
    let mut outcomes: Vec<Attempt> = (0..40).map(|_| Attempt::Failed("down".to_owned())).collect();
    outcomes.push(Attempt::Shutdown);
    let policy = RetryPolicy { budget: None, ..RetryPolicy::default() };
    let (result, times) = run(policy, outcomes, &CancellationToken::new()).await;
    assert_eq!(result, Ok(()));
    assert_eq!(times.len(), 41);
    // Far past five minutes, 30 s apart.
    assert_eq!(times[40] - times[39], Duration::from_secs(30));
    assert!(times[40] > Duration::from_secs(15 * 60));
}

#[tokio::test(start_paused = true)]
async fn shutdown_during_a_wait_ends_the_loop_cleanly() {
    let cancel = CancellationToken::new();
    let trigger = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(20)).await;
        trigger.cancel();
    });
    let (result, times) = run(RetryPolicy::default(), vec![Attempt::Failed("down".to_owned())], &cancel).await;
    assert_eq!(result, Ok(()));
    assert_eq!(secs(&times), vec![0, 1, 3, 7, 15]);
}
