//! Resident memory of the runtime holding many idle, authenticated WebSockets.

use std::time::Duration;

use futures_util::StreamExt;

use crate::client::Client;
use crate::report::Report;
use crate::runtime::{Launch, Runtime};

/// Connections opened at once while filling up (keeps the accept queue from overflowing).
const PARALLEL: usize = 64;

/// Time for the runtime to settle after the last connection before RSS is read.
const SETTLE: Duration = Duration::from_millis(500);

/// Opens connections up to each count in `levels` on a fresh runtime, reading RSS at each.
pub async fn run(launch: &Launch, levels: &[usize], report: &mut Report) -> anyhow::Result<()> {
    let runtime = Runtime::start(launch).await?;
    eprintln!("bench: runtime pid {} on port {}", runtime.pid, runtime.port);
    tokio::time::sleep(SETTLE).await;
    let base = runtime.rss_kib()?;
    report.value("connections", "RSS with 0 connections (fresh runtime)", "MiB", base as f64 / 1024.0, "");
    let mut held: Vec<Client> = Vec::new();
    for &level in levels {
        let url = runtime.url();
        let missing = level.saturating_sub(held.len());
        let mut opened = futures_util::stream::iter(0..missing)
            .map(|_| Client::connect_idle(&url))
            .buffer_unordered(PARALLEL);
        let mut errors = 0usize;
        let mut first_error = String::new();
        while let Some(result) = opened.next().await {
            match result {
                Ok(client) => held.push(client),
                Err(e) => {
                    if errors == 0 {
                        first_error = e.to_string();
                    }
                    errors += 1;
                }
            }
        }
        tokio::time::sleep(SETTLE).await;
        let rss = runtime.rss_kib()?;
        let per = (rss.saturating_sub(base)) as f64 / held.len().max(1) as f64;
        let mut note = format!("{per:.1} KiB per connection");
        if errors > 0 {
            note.push_str(&format!("; {errors} failed to connect: {first_error}"));
        }
        report.value("connections", format!("RSS with {} idle authenticated connections", held.len()), "MiB", rss as f64 / 1024.0, note);
    }
    drop(held);
    runtime.stop().await;
    Ok(())
}
