//! tether-bench: how fast and how small tether is, measured against a real
//! `tether app-server` process over real sockets, with an instant fake model.
//!
//! # Layout
//! - [`runtime`]: spawns the release `tether` and reads its memory and CPU from `/proc`.
//! - [`client`]: a WebSocket protocol client with `Authorization: Bearer`.
//! - [`fake_model`]: an in-process OpenAI-compatible model answering instantly (SSE).
//! - [`scenarios`]: one module per group of figures.
//! - [`sizes`], [`criterion`]: artifact sizes and the protocol crate's criterion results.
//! - [`stats`], [`report`]: median/p99, the table and the JSON file.
//!
//! Run it with `scripts/bench.sh`, which builds everything first. It is a benchmark:
//! nothing here asserts a timing; it reports.

mod client;
mod criterion;
mod fake_model;
mod report;
mod runtime;
mod scenarios;
mod sizes;
mod stats;

use std::path::PathBuf;
use std::process::Command;

use anyhow::Context;
use clap::Parser;

use crate::fake_model::FakeModel;
use crate::report::Report;
use crate::runtime::{Launch, Runtime};

/// Command-line options; the defaults are the full run scripts/bench.sh makes.
#[derive(Debug, Parser)]
#[command(about = "Measures tether's start-up, memory, latency, fan-out and sizes")]
struct Args {
    /// The release `tether` binary.
    #[arg(long)]
    tether: PathBuf,
    /// The repository root (for pkg/ and web/dist).
    #[arg(long, default_value = ".")]
    root: PathBuf,
    /// Where results-<timestamp>.json and latest.json go.
    #[arg(long, default_value = "target/bench")]
    out: PathBuf,
    /// criterion's output directory (`<target>/criterion`); skipped when absent.
    #[arg(long)]
    criterion: Option<PathBuf>,
    /// Process starts to time.
    #[arg(long, default_value_t = 20)]
    starts: usize,
    /// `app_server_info` and `sync` round trips each.
    #[arg(long, default_value_t = 1000)]
    round_trips: usize,
    /// `runtime_start` round trips (each creates an agent and a conversation).
    #[arg(long, default_value_t = 200)]
    runtime_starts: usize,
    /// Text turns (the RSS-after-turns figure is read after these).
    #[arg(long, default_value_t = 1000)]
    text_turns: usize,
    /// Turns with one Bash call.
    #[arg(long, default_value_t = 200)]
    tool_turns: usize,
    /// Chunks in the fan-out answer.
    #[arg(long, default_value_t = 2000)]
    chunks: usize,
    /// Subscribed clients for fan-out, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "1,10,100")]
    fan: Vec<usize>,
    /// Idle connection counts to read RSS at, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "1000,10000")]
    connections: Vec<usize>,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    // Before any runtime is spawned, so the children inherit it (10,000 sockets each side).
    let nofile = raise_nofile_limit();
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(workers).enable_all().build()?;
    rt.block_on(run(args, nofile))
}

async fn run(args: Args, nofile: String) -> anyhow::Result<()> {
    let mut report = Report::default();
    let started = time::OffsetDateTime::now_utc();
    report.fact("date (UTC)", started.format(&time::format_description::well_known::Rfc3339)?);
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    report.fact("cores", cores.to_string());
    report.fact("load before (uptime)", uptime());
    report.fact("open-file limit for the runtime", nofile);
    report.fact("tether", args.tether.display().to_string());

    let model = FakeModel::start().await?;
    let launch = Launch { binary: args.tether.clone(), model_base_url: model.base_url.clone() };

    step("start-up and idle memory");
    scenarios::startup::run(&launch, args.starts, &mut report).await?;

    let runtime = Runtime::start(&launch).await?;
    // For attaching a profiler: `perf record -p <pid>`.
    eprintln!("bench: runtime pid {} on port {}", runtime.pid, runtime.port);
    step("round trips");
    scenarios::roundtrip::run(&runtime, args.round_trips, args.runtime_starts, &mut report).await?;
    step("turns");
    scenarios::turns::run(&runtime, args.text_turns, args.tool_turns, &mut report).await?;
    step("fan-out");
    scenarios::fanout::run(&runtime, &args.fan, args.chunks, &mut report).await?;
    runtime.stop().await;

    step("idle connections");
    scenarios::connections::run(&launch, &args.connections, &mut report).await?;

    step("sizes");
    sizes::run(&args.tether, &args.root, &mut report)?;
    if let Some(dir) = &args.criterion {
        criterion::run(dir, &mut report);
    }

    report.fact("load after (uptime)", uptime());
    let took = time::OffsetDateTime::now_utc() - started;
    report.fact("bench run took", format!("{:.0} s (excluding builds and criterion)", took.as_seconds_f64()));
    let stamp = started.format(time::macros::format_description!("[year][month][day]T[hour][minute][second]Z"))?;
    report.write(&args.out, &stamp).with_context(|| format!("writing results to {}", args.out.display()))?;
    println!("{}", report.table());
    println!("results: {}/results-{stamp}.json (and latest.json)", args.out.display());
    Ok(())
}

fn step(name: &str) {
    eprintln!("bench: {name}");
}

/// Raises the soft RLIMIT_NOFILE to the hard limit; returns the limit now in force.
fn raise_nofile_limit() -> String {
    use nix::sys::resource::{Resource, getrlimit, setrlimit};
    match getrlimit(Resource::RLIMIT_NOFILE) {
        Ok((soft, hard)) => {
            if soft < hard && setrlimit(Resource::RLIMIT_NOFILE, hard, hard).is_err() {
                return format!("{soft} (could not raise to {hard})");
            }
            hard.to_string()
        }
        Err(e) => format!("unknown ({e})"),
    }
}

fn uptime() -> String {
    Command::new("uptime")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_else(|| "uptime unavailable".to_owned())
}
