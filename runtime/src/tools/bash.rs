//! `Bash`: runs a shell command in the cwd, in its own process group, streaming its
//! interleaved stdout+stderr, and kills the whole group on timeout or cancel.

use std::os::fd::OwnedFd;
use std::path::Path;
use std::process::{ExitStatus, Stdio};
use std::time::Duration;

use nix::errno::Errno;
use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;
use serde_json::{Value, json};
use tokio::io::AsyncReadExt;
use tokio::net::unix::pipe;
use tokio::process::{Child, Command};

use super::output::{CappedText, Utf8Stream};
use super::{ToolContext, ToolError, ToolOutput, args};

/// Default time limit: long enough for builds and test runs, short enough to notice a hang.
const DEFAULT_TIMEOUT_MS: u64 = 120_000;
/// Upper bound on a requested timeout, so a call cannot pin the agent for hours.
const MAX_TIMEOUT_MS: u64 = 600_000;
/// Characters of output kept from the start (the command line's own errors show up here).
const HEAD_CHARS: usize = 15_000;
/// Characters kept from the end (the summary and exit status of builds show up here).
const TAIL_CHARS: usize = 15_000;
/// Live output stops after this many bytes, so a runaway command cannot flood clients.
const MAX_STREAMED_BYTES: usize = 1 << 20;
/// Time a process group gets between SIGTERM and SIGKILL to clean up.
const KILL_GRACE: Duration = Duration::from_secs(2);
/// How often the group is checked during the grace period.
const KILL_POLL: Duration = Duration::from_millis(50);
/// After the command ended, how long to keep reading output still buffered in the pipe;
/// bounded because a detached grandchild may hold the pipe open forever.
const DRAIN_TIMEOUT: Duration = Duration::from_millis(500);
/// Shells tried when `$SHELL` is unset or missing.
const FALLBACK_SHELLS: [&str; 2] = ["/bin/bash", "/bin/sh"];

/// What the model is told about `Bash`.
pub const DESCRIPTION: &str = "Runs a shell command in the working directory and returns its combined \
stdout and stderr followed by `Exit code: N`. Commands run non-interactively (stdin is empty). \
The default time limit is 120000 ms (at most 600000 ms); on timeout the command and everything it \
started is killed. Long output keeps its beginning and end. Background jobs still running when the \
command finishes are terminated. Prefer the Read, Grep, Glob and LS tools over cat, grep, find and ls.";

/// JSON Schema of `Bash`'s arguments.
pub fn parameters() -> Value {
    json!({
        "type": "object",
        "properties": {
            "command": { "type": "string", "description": "The shell command to run" },
            "timeout": { "type": "number", "description": "Time limit in milliseconds (default 120000, max 600000)" },
            "description": { "type": "string", "description": "A short, plain description of what the command does, shown to the user" }
        },
        "required": ["command"],
        "additionalProperties": false
    })
}

/// How the command's run ended.
enum Ending {
    Exited(ExitStatus),
    TimedOut,
    Cancelled,
}

/// Runs a `Bash` call; every failure (bad input, spawn error, non-zero exit) is an `is_error` result.
pub async fn run(input: &Value, ctx: &ToolContext) -> ToolOutput {
    let parsed = args::req_str(input, "command").and_then(|command| Ok((command, timeout_ms(input)?)));
    let (command, timeout) = match parsed {
        Ok(parsed) => parsed,
        Err(err) => return ToolOutput::error(err.to_string()),
    };
    match execute(command, Duration::from_millis(timeout), ctx).await {
        Ok(output) => output,
        Err(err) => ToolOutput::error(format!("Failed to run command: {err}")),
    }
}

fn timeout_ms(input: &Value) -> Result<u64, ToolError> {
    match args::opt_u64(input, "timeout")? {
        None => Ok(DEFAULT_TIMEOUT_MS),
        Some(0) => Err(ToolError::bad_arg("timeout", "must be a positive number of milliseconds")),
        Some(ms) => Ok(ms.min(MAX_TIMEOUT_MS)),
    }
}

/// The shell to run commands with: `$SHELL`, else bash, else sh.
fn shell() -> String {
    std::env::var("SHELL")
        .ok()
        .filter(|s| Path::new(s).is_absolute() && Path::new(s).exists())
        .or_else(|| FALLBACK_SHELLS.iter().find(|s| Path::new(s).exists()).map(|s| (*s).to_owned()))
        .unwrap_or_else(|| "/bin/sh".to_owned())
}

/// Kills the process group when dropped (e.g. the caller drops the future), unless disarmed.
struct GroupGuard(Option<Pid>);

impl Drop for GroupGuard {
    fn drop(&mut self) {
        if let Some(pgid) = self.0 {
            let _ = killpg(pgid, Signal::SIGKILL);
        }
    }
}

async fn execute(command: &str, timeout: Duration, ctx: &ToolContext) -> Result<ToolOutput, ToolError> {
    // One pipe for both streams keeps stdout and stderr in the order they were written.
    let (reader, writer) = std::io::pipe().map_err(|e| ToolError::io(&ctx.cwd, e))?;
    let writer_err = writer.try_clone().map_err(|e| ToolError::io(&ctx.cwd, e))?;
    let mut cmd = Command::new(shell());
    cmd.arg("-c")
        .arg(command)
        .current_dir(&ctx.cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::from(writer))
        .stderr(Stdio::from(writer_err))
        .process_group(0)
        .kill_on_drop(true);
    let mut child = cmd.spawn().map_err(|e| ToolError::io(&ctx.cwd, e))?;
    // Drop our copies of the pipe's write end, or the read end would never see EOF.
    drop(cmd);
    let pgid = child.id().and_then(|id| i32::try_from(id).ok()).map(Pid::from_raw);
    let mut guard = GroupGuard(pgid);
    let mut rx = pipe::Receiver::from_owned_fd(OwnedFd::from(reader)).map_err(|e| ToolError::io(&ctx.cwd, e))?;

    let mut collector = Collector::new(ctx);
    let mut buf = vec![0u8; 8192];
    let mut eof = false;
    let deadline = tokio::time::sleep(timeout);
    tokio::pin!(deadline);
    let ending = loop {
        tokio::select! {
            biased;
            _ = ctx.cancel.cancelled() => break Ending::Cancelled,
            _ = &mut deadline => break Ending::TimedOut,
            read = rx.read(&mut buf), if !eof => match read {
                Ok(0) | Err(_) => eof = true,
                Ok(n) => collector.push(&buf[..n]),
            },
            status = child.wait() => break Ending::Exited(status.map_err(|e| ToolError::io(&ctx.cwd, e))?),
        }
    };
    if let Some(pgid) = pgid {
        // Also reached after a normal exit: background jobs left behind are ended too.
        terminate_group(pgid, &mut child).await;
    }
    guard.0 = None;
    let _ = child.wait().await;
    if !eof {
        let _ = tokio::time::timeout(DRAIN_TIMEOUT, async {
            while let Ok(n @ 1..) = rx.read(&mut buf).await {
                collector.push(&buf[..n]);
            }
        })
        .await;
    }
    Ok(collector.finish(ending, timeout))
}

/// SIGTERM to the whole group, then SIGKILL once the grace period is over if anything is left.
async fn terminate_group(pgid: Pid, child: &mut Child) {
    if killpg(pgid, Signal::SIGTERM) == Err(Errno::ESRCH) {
        return;
    }
    let deadline = tokio::time::Instant::now() + KILL_GRACE;
    while tokio::time::Instant::now() < deadline {
        // Reap the shell so that it does not count as a live member of the group.
        let reaped = matches!(child.try_wait(), Ok(Some(_)));
        if reaped && killpg(pgid, None) == Err(Errno::ESRCH) {
            return;
        }
        tokio::time::sleep(KILL_POLL).await;
    }
    let _ = killpg(pgid, Signal::SIGKILL);
}

/// Gathers output: streams it live (up to a limit) and keeps head and tail for the result.
struct Collector<'a> {
    ctx: &'a ToolContext,
    utf8: Utf8Stream,
    text: CappedText,
    streamed: usize,
}

impl<'a> Collector<'a> {
    fn new(ctx: &'a ToolContext) -> Self {
        Self { ctx, utf8: Utf8Stream::default(), text: CappedText::new(HEAD_CHARS, TAIL_CHARS), streamed: 0 }
    }

    fn push(&mut self, bytes: &[u8]) {
        let chunk = self.utf8.push(bytes);
        self.emit(chunk);
    }

    fn emit(&mut self, chunk: String) {
        if chunk.is_empty() {
            return;
        }
        self.text.push(&chunk);
        if let Some(tx) = &self.ctx.output
            && self.streamed < MAX_STREAMED_BYTES
        {
            self.streamed += chunk.len();
            let _ = tx.send(chunk);
            if self.streamed >= MAX_STREAMED_BYTES {
                let _ = tx.send("\n[live output paused: over 1 MiB; the result keeps the start and end]\n".into());
            }
        }
    }

    fn finish(mut self, ending: Ending, timeout: Duration) -> ToolOutput {
        let rest = self.utf8.finish();
        self.emit(rest);
        let mut content = if self.text.is_empty() { "(no output)".to_owned() } else { self.text.finish() };
        if !content.ends_with('\n') {
            content.push('\n');
        }
        let (verdict, is_error) = match ending {
            Ending::TimedOut => {
                (format!("Command timed out after {} ms; its process group was killed.", timeout.as_millis()), true)
            }
            Ending::Cancelled => ("Command was cancelled; its process group was killed.".to_owned(), true),
            Ending::Exited(status) => describe_status(status),
        };
        content.push_str(&verdict);
        ToolOutput { content, is_error }
    }
}

fn describe_status(status: ExitStatus) -> (String, bool) {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => (format!("Exit code: {code}"), code != 0),
        (None, Some(signal)) => (format!("Terminated by signal {signal}"), true),
        (None, None) => ("Exit status unknown".to_owned(), true),
    }
}
