//! A real `tether app-server` process: spawned from the release binary with a temporary
//! data dir and cwd, its port read from the `Listening on` line, and its memory and CPU
//! read from `/proc/<pid>`.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// The bearer token every benchmark client uses.
pub const TOKEN: &str = "bench-token-0123456789abcdef";

/// USER_HZ, the unit of utime/stime in `/proc/<pid>/stat` (100 on Linux x86_64/arm64).
const CLOCK_TICKS_PER_SECOND: f64 = 100.0;

/// Longest wait for the `Listening on` line before the run is abandoned.
const START_WAIT: Duration = Duration::from_secs(30);

/// Longest wait for a graceful exit after SIGTERM.
const STOP_WAIT: Duration = Duration::from_secs(20);

/// How the runtime is started.
#[derive(Debug, Clone)]
pub struct Launch {
    /// The `tether` binary.
    pub binary: PathBuf,
    /// `OPENAI_BASE_URL` of the fake model.
    pub model_base_url: String,
}

/// A running runtime, killed when dropped.
pub struct Runtime {
    child: Child,
    /// The runtime's process id.
    pub pid: u32,
    /// The port it listens on.
    pub port: u16,
    /// Time from spawn to the `Listening on` line.
    pub started_in: Duration,
    _data_dir: tempfile::TempDir,
    _cwd: tempfile::TempDir,
}

impl Runtime {
    /// Spawns the runtime and waits for its `Listening on` line.
    pub async fn start(launch: &Launch) -> anyhow::Result<Self> {
        let data_dir = tempfile::tempdir()?;
        let cwd = tempfile::tempdir()?;
        let stderr = std::fs::File::create(data_dir.path().join("bench-stderr.log"))?;
        let began = Instant::now();
        let mut child = Command::new(&launch.binary)
            .arg("app-server")
            .args(["--listen", "ws://127.0.0.1:0", "--token", TOKEN, "--model", "openai/bench"])
            // Every bench client connects from 127.0.0.1: lift the per-address and total caps
            // (64 and 4,096 by default) above the 10,000-connection scenario.
            .args(["--max-conns-per-ip", "20000", "--max-conns", "20000"])
            .arg("--data-dir")
            .arg(data_dir.path())
            .arg("--cwd")
            .arg(cwd.path())
            .env_remove("TETHER_MODEL")
            .env_remove("ANTHROPIC_API_KEY")
            .env("OPENAI_BASE_URL", &launch.model_base_url)
            .env("OPENAI_API_KEY", "bench")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("spawning {}", launch.binary.display()))?;
        let stdout = child.stdout.take().context("no stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let first = tokio::time::timeout(START_WAIT, lines.next_line()).await.context("no Listening line in time")??;
        let started_in = began.elapsed();
        let first = first.unwrap_or_default();
        let Some(port) = first
            .trim()
            .strip_prefix("Listening on ws://")
            .and_then(|addr| addr.rsplit(':').next())
            .and_then(|port| port.parse().ok())
        else {
            bail!("unexpected first line from tether: {first:?}");
        };
        // Keep draining stdout so the runtime never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        let pid = child.id().context("no pid")?;
        Ok(Self { child, pid, port, started_in, _data_dir: data_dir, _cwd: cwd })
    }

    /// The WebSocket URL.
    pub fn url(&self) -> String {
        format!("ws://127.0.0.1:{}/ws", self.port)
    }

    /// Resident memory in KiB (`VmRSS`).
    pub fn rss_kib(&self) -> anyhow::Result<u64> {
        proc_status_kib(self.pid, "VmRSS:")
    }

    /// CPU time used so far (user + system).
    pub fn cpu_time(&self) -> anyhow::Result<Duration> {
        cpu_time(self.pid)
    }

    /// Stops the runtime: SIGTERM (graceful, so a profiler wrapping it can write its
    /// output), SIGKILL if it has not exited in time.
    pub async fn stop(mut self) {
        let pid = nix::unistd::Pid::from_raw(self.pid as i32);
        if nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).is_ok()
            && tokio::time::timeout(STOP_WAIT, self.child.wait()).await.is_ok()
        {
            return;
        }
        let _ = self.child.kill().await;
    }
}

/// A `kB` field of `/proc/<pid>/status`.
pub fn proc_status_kib(pid: u32, field: &str) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|line| line.strip_prefix(field))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .with_context(|| format!("no {field} in /proc/{pid}/status"))
}

/// utime + stime of a process, from `/proc/<pid>/stat`.
pub fn cpu_time(pid: u32) -> anyhow::Result<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // Fields after the command name, which is in parentheses and may contain spaces.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).context("bad /proc stat")?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the line: indexes 11 and 12 after the name.
    let ticks: u64 = [11, 12].iter().filter_map(|&i| fields.get(i)?.parse::<u64>().ok()).sum();
    Ok(Duration::from_secs_f64(ticks as f64 / CLOCK_TICKS_PER_SECOND))
}
