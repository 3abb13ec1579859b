//! The transport log: every frame in and out, one file per server session in
//! `<data>/logs/remote/<timestamp>.log`, the last ten kept, secrets redacted.
//!
//! Writing happens on its own thread so a slow disk never stalls a connection; if the
//! thread falls far behind, lines are dropped and the drop is counted in the file.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Sender};
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use crate::conversation::ConnectionId;
use crate::store::now_rfc3339;

/// Log files kept; older ones are deleted at start-up.
const KEEP_FILES: usize = 10;

/// Lines waiting for the writer thread before new ones are dropped (counted, not
/// preallocated: a bounded channel of this size would take 256 KiB of idle memory).
const BACKLOG: usize = 8_192;

/// After the first line of a burst the writer sleeps this long and then takes everything
/// queued at once: senders find it not waiting, so they never pay a wake-up (a futex
/// call and a context switch per frame on a busy 2-core machine). A turn's frames come
/// within a millisecond or two; short enough that a 300k frames/s fan-out queues about
/// 1,500 lines, not the whole backlog.
const BATCH_PAUSE: Duration = Duration::from_millis(5);

/// Object keys whose values never reach the log: keys containing one of these, or
/// ending in `token` (`authToken`, `access_token`; not `prompt_tokens`).
const SECRET_KEYS: &[&str] = &["secret", "password", "api_key", "apikey", "authorization", "credential", "cookie", "fields"];

/// A frame whose lowercased text contains none of these cannot hold a secret key, so it
/// is logged as it is, without being parsed (most frames: deltas, snapshots).
const SECRET_HINTS: &[&str] =
    &["token\"", "secret", "password", "api_key", "apikey", "authorization", "credential", "cookie", "\"fields\""];

fn is_secret_key(key: &str) -> bool {
    let lower = key.to_ascii_lowercase();
    lower.ends_with("token") || SECRET_KEYS.iter().any(|secret| lower.contains(secret))
}

/// Which way a frame went.
#[derive(Debug, Clone, Copy)]
pub enum Direction {
    /// Client to runtime.
    In,
    /// Runtime to client.
    Out,
}

/// A handle to the session's log file; cheap to clone.
#[derive(Debug, Clone)]
pub struct FrameLog {
    tx: Option<Sender<String>>,
    dropped: Arc<AtomicU64>,
    /// Lines sent and not yet taken by the writer.
    pending: Arc<AtomicUsize>,
}

impl FrameLog {
    /// A log that writes nothing (tests, or when the log dir cannot be created).
    pub fn disabled() -> Self {
        Self { tx: None, dropped: Default::default(), pending: Default::default() }
    }

    /// Opens a new session file under `<data_dir>/logs/remote/` and prunes old ones.
    pub fn open(data_dir: &Path) -> std::io::Result<(Self, PathBuf)> {
        Self::open_dir(&data_dir.join("logs").join("remote"))
    }

    /// Opens a new session file in `dir` (`tether remote --log-dir`) and prunes old ones.
    pub fn open_dir(dir: &Path) -> std::io::Result<(Self, PathBuf)> {
        let dir = dir.to_path_buf();
        crate::config::create_private_dir(&dir).map_err(std::io::Error::other)?;
        let stamp = now_rfc3339().replace(':', "-");
        let path = dir.join(format!("{stamp}-{}.log", std::process::id()));
        let file = {
            use std::os::unix::fs::OpenOptionsExt;
            std::fs::OpenOptions::new().create(true).append(true).mode(0o600).open(&path)?
        };
        prune(&dir, KEEP_FILES);
        let (tx, rx) = mpsc::channel::<String>();
        let dropped = Arc::new(AtomicU64::new(0));
        let pending = Arc::new(AtomicUsize::new(0));
        let (counter, taken) = (dropped.clone(), pending.clone());
        std::thread::Builder::new().name("tether-framelog".to_owned()).spawn(move || write_lines(file, rx, counter, taken))?;
        Ok((Self { tx: Some(tx), dropped, pending }, path))
    }

    /// Records one text frame (redacted).
    pub fn frame(&self, connection: ConnectionId, direction: Direction, text: &str) {
        if self.tx.is_none() {
            return;
        }
        let arrow = match direction {
            Direction::In => "<-",
            Direction::Out => "->",
        };
        let lower = text.to_ascii_lowercase();
        let clean = text.starts_with('{') && !SECRET_HINTS.iter().any(|hint| lower.contains(hint));
        let body = if clean {
            text.to_owned()
        } else {
            match serde_json::from_str::<Value>(text) {
                Ok(mut value) => {
                    redact(&mut value);
                    value.to_string()
                }
                Err(_) => format!("(not JSON, {} bytes)", text.len()),
            }
        };
        let line = format!("{} conn={connection} {arrow} {body}\n", now_rfc3339());
        self.push(line);
    }

    /// Records a connection event (open, close, refusal).
    pub fn note(&self, connection: ConnectionId, text: &str) {
        if self.tx.is_some() {
            self.push(format!("{} conn={connection} -- {text}\n", now_rfc3339()));
        }
    }

    /// Hands a line to the writer, or counts it as dropped when the backlog is full.
    fn push(&self, line: String) {
        let Some(tx) = &self.tx else { return };
        if self.pending.fetch_add(1, Ordering::Relaxed) >= BACKLOG {
            self.pending.fetch_sub(1, Ordering::Relaxed);
            self.dropped.fetch_add(1, Ordering::Relaxed);
            return;
        }
        if tx.send(line).is_err() {
            self.pending.fetch_sub(1, Ordering::Relaxed);
        }
    }
}

fn write_lines(file: File, rx: mpsc::Receiver<String>, dropped: Arc<AtomicU64>, pending: Arc<AtomicUsize>) {
    let mut out = BufWriter::new(file);
    let write = |out: &mut BufWriter<File>, line: String| {
        pending.fetch_sub(1, Ordering::Relaxed);
        let _ = out.write_all(line.as_bytes());
    };
    loop {
        match rx.recv_timeout(Duration::from_millis(200)) {
            Ok(line) => {
                write(&mut out, line);
                std::thread::sleep(BATCH_PAUSE);
                while let Ok(line) = rx.try_recv() {
                    write(&mut out, line);
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                let lost = dropped.swap(0, Ordering::Relaxed);
                if lost > 0 {
                    let _ = writeln!(out, "{} -- {lost} log line(s) dropped: the log fell behind", now_rfc3339());
                }
                let _ = out.flush();
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    let _ = out.flush();
}

/// Replaces the values of secret-looking keys, at any depth.
pub fn redact(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, value) in map.iter_mut() {
                let lower = key.to_ascii_lowercase();
                if is_secret_key(&lower) {
                    *value = Value::String("<redacted>".to_owned());
                } else {
                    redact(value);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact),
        _ => {}
    }
}

fn prune(dir: &Path, keep: usize) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut logs: Vec<PathBuf> =
        entries.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|x| x == "log")).collect();
    logs.sort();
    let excess = logs.len().saturating_sub(keep);
    for old in logs.into_iter().take(excess) {
        let _ = std::fs::remove_file(old);
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn token_counts_are_not_mistaken_for_tokens() {
        let mut frame = json!({ "usage": { "prompt_tokens": 3, "total_tokens": 5 }, "access_token": "t" });
        redact(&mut frame);
        assert_eq!(frame, json!({ "usage": { "prompt_tokens": 3, "total_tokens": 5 }, "access_token": "<redacted>" }));
    }

    #[test]
    fn secrets_are_redacted_at_any_depth() {
        let mut frame = json!({ "type": "connect_provider", "fields": { "api_key": "sk-1" },
            "nested": [{ "authToken": "t", "keep": "visible" }] });
        redact(&mut frame);
        assert_eq!(frame, json!({ "type": "connect_provider", "fields": "<redacted>",
            "nested": [{ "authToken": "<redacted>", "keep": "visible" }] }));
    }

    #[test]
    fn only_the_newest_files_are_kept() {
        let dir = tempfile::tempdir().expect("dir");
        for i in 0..13 {
            std::fs::write(dir.path().join(format!("2026-01-{i:02}.log")), "x").expect("write");
        }
        prune(dir.path(), 10);
        let mut left: Vec<_> = std::fs::read_dir(dir.path()).expect("read").map(|e| e.expect("e").file_name()).collect();
        left.sort();
        assert_eq!(left.len(), 10);
        assert_eq!(left[0], "2026-01-03.log");
    }
}
