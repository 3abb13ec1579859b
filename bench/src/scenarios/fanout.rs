//! Fan-out: one conversation streams a long answer to 1, 10 and 100 subscribed clients.
//! Frames per second delivered in total, and whether every client got every frame in
//! order (`event_seq` strictly increasing, the same number of events everywhere).

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use crate::client::Client;
use crate::report::Report;
use crate::runtime::Runtime;
use crate::stats::Samples;

/// What one client saw of the streamed turn.
#[derive(Debug)]
struct Seen {
    /// Frames received, all types.
    frames: u64,
    /// Frames carrying an `event_seq` (runtime events of the scope).
    events: u64,
    /// assistant_message chunks.
    chunks: u64,
    /// `stream_delta` frames of any kind (all broadcast to every subscriber).
    deltas: u64,
    /// `event_seq` strictly increased from frame to frame.
    in_order: bool,
    /// The first frame whose `event_seq` did not increase, described.
    first_disorder: String,
    /// From the input being sent to this client's `turn_finished`.
    done_after: Duration,
}

/// Streams a `chunks`-chunk answer to each number of clients in `fan`.
pub async fn run(runtime: &Runtime, fan: &[usize], chunks: usize, report: &mut Report) -> anyhow::Result<()> {
    for &n in fan {
        let mut driver = Client::connect(&runtime.url()).await?;
        let scope = driver.start_new(&format!("fan-{n}")).await?;
        let mut readers = Vec::new();
        for i in 1..n {
            let mut client = Client::connect(&runtime.url()).await?;
            client.sync(&scope, &format!("fan-sync-{i}")).await?;
            readers.push(client);
        }
        let began = Instant::now();
        let mut tasks = Vec::new();
        for client in readers {
            tasks.push(tokio::spawn(read_turn(client, began)));
        }
        driver.say(&scope, "fan-in", &format!("Stream it. [long {chunks}]")).await?;
        tasks.push(tokio::spawn(read_turn(driver, began)));
        let mut seen = Vec::new();
        let mut failures = Vec::new();
        for task in tasks {
            match task.await? {
                Ok(s) => seen.push(s),
                Err(e) => failures.push(e.to_string()),
            }
        }
        let elapsed = seen.iter().map(|s| s.done_after).max().unwrap_or_default();
        let total: u64 = seen.iter().map(|s| s.frames).sum();
        let deltas: BTreeSet<u64> = seen.iter().map(|s| s.deltas).collect();
        let events: BTreeSet<u64> = seen.iter().map(|s| s.events).collect();
        let complete = failures.is_empty()
            && seen.len() == n
            && seen.iter().all(|s| s.in_order && s.chunks == chunks as u64)
            && deltas.len() == 1;
        let verdict = if complete {
            format!("all {n} got all {deltas:?} stream_deltas, event_seq increasing; events per client {events:?}")
        } else {
            format!(
                "INCOMPLETE: {} of {n} failed ({}), chunks per client {:?}, deltas {deltas:?}, {} out of order ({})",
                failures.len(),
                failures.first().map(String::as_str).unwrap_or(""),
                seen.iter().map(|s| s.chunks).collect::<BTreeSet<_>>(),
                seen.iter().filter(|s| !s.in_order).count(),
                seen.iter().find(|s| !s.in_order).map(|s| s.first_disorder.as_str()).unwrap_or("")
            )
        };
        let rate = total as f64 / elapsed.as_secs_f64().max(1e-9);
        let note = if n == 100 { format!("aim ≥ 200k; {verdict}") } else { verdict };
        report.value("fan-out", format!("{chunks}-chunk answer to {n} client(s): frames/s delivered"), "frames/s", rate, note);
        let mut done = Samples::new();
        seen.iter().for_each(|s| done.push_ms(s.done_after));
        report.samples("fan-out", format!("{chunks}-chunk answer to {n} client(s): input → client's `turn_finished`"), "ms", &done, "");
    }
    Ok(())
}

async fn read_turn(mut client: Client, began: Instant) -> anyhow::Result<Seen> {
    let mut seen = Seen { frames: 0, events: 0, chunks: 0, deltas: 0, in_order: true, first_disorder: String::new(), done_after: Duration::ZERO };
    let mut last_seq = None;
    loop {
        let head = client.recv_head().await?;
        seen.frames += 1;
        if let Some(seq) = head.event_seq {
            seen.events += 1;
            if let Some(last) = last_seq.filter(|&last| seq <= last)
                && seen.in_order
            {
                seen.in_order = false;
                seen.first_disorder = format!("{} seq {seq} after {last}", head.frame_type);
            }
            last_seq = Some(seq);
        }
        if head.frame_type == "stream_delta" {
            seen.deltas += 1;
            if head.message_type() == "assistant_message" {
                seen.chunks += 1;
            }
        }
        if head.frame_type == "turn_finished" {
            seen.done_after = began.elapsed();
            return Ok(seen);
        }
    }
}
