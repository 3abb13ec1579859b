//! Process start → `Listening on`, and resident memory once started and idle.

use std::time::Duration;

use crate::report::Report;
use crate::runtime::{Launch, Runtime};
use crate::stats::Samples;

/// Time given to a fresh runtime to finish its start-up work before its RSS is read.
const SETTLE: Duration = Duration::from_millis(200);

/// Starts the runtime `n` times (each with a fresh data dir) and records both figures.
pub async fn run(launch: &Launch, n: usize, report: &mut Report) -> anyhow::Result<()> {
    let mut start = Samples::new();
    let mut rss = Samples::new();
    for _ in 0..n {
        let runtime = Runtime::start(launch).await?;
        start.push_ms(runtime.started_in);
        tokio::time::sleep(SETTLE).await;
        rss.push(runtime.rss_kib()? as f64 / 1024.0);
        runtime.stop().await;
    }
    report.samples("start", "spawn → `Listening on` (fresh data dir)", "ms", &start, "aim ≤ 20 ms");
    report.samples("start", "idle RSS 200 ms after start", "MiB", &rss, "aim ≤ 10 MiB");
    Ok(())
}
