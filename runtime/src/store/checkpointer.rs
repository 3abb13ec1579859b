//! Checkpoints the WAL on a thread of its own. Left to itself SQLite checkpoints inside
//! whichever commit takes the WAL past 1,000 pages, and that commit then waits for two
//! fsyncs (about 5 ms here, every few dozen turns): an input acknowledged late for no
//! reason of its own. A second connection folds the WAL back every second instead,
//! without blocking the writer (a passive checkpoint never waits for it).

use std::path::Path;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

use rusqlite::Connection;

/// How often the WAL is folded back into the database file.
const INTERVAL: Duration = Duration::from_secs(1);

/// Stops the thread when dropped (with the store).
#[derive(Debug)]
pub struct Checkpointer {
    _stop: mpsc::Sender<()>,
}

impl Checkpointer {
    /// Starts checkpointing the database at `path`; `None` (and a warning) when the second
    /// connection or the thread cannot be had, in which case SQLite's own checkpoints remain.
    pub fn start(path: &Path) -> Option<Self> {
        let conn = match Connection::open(path) {
            Ok(conn) => conn,
            Err(err) => {
                tracing::warn!("no background checkpoints: {err}");
                return None;
            }
        };
        let (stop, stopped) = mpsc::channel();
        let spawned = std::thread::Builder::new().name("tether-checkpoint".to_owned()).spawn(move || run(&conn, &stopped));
        match spawned {
            Ok(_) => Some(Self { _stop: stop }),
            Err(err) => {
                tracing::warn!("no background checkpoints: {err}");
                None
            }
        }
    }
}

fn run(conn: &Connection, stopped: &mpsc::Receiver<()>) {
    while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(INTERVAL) {
        if let Err(err) = conn.execute_batch("PRAGMA wal_checkpoint(PASSIVE);") {
            tracing::warn!("background checkpoint failed: {err}");
        }
    }
}
